"""Reads of projects that pages share."""

import pytest

from councils.models import Membership, MembershipStatus
from projects.selectors import headline_stats
from tests.factories import (
    CouncilFactory,
    MembershipFactory,
    make_pledge,
    published_project,
)

pytestmark = pytest.mark.django_db


def test_a_council_takes_part_with_a_verified_member_a_pledge_or_a_project_it_leads():
    with_member = CouncilFactory()
    MembershipFactory(council=with_member)
    waiting = CouncilFactory()  # only a request to join, not yet decided
    MembershipFactory(council=waiting, status=MembershipStatus.PENDING)
    CouncilFactory()  # nothing at all
    project = published_project()
    pledger = CouncilFactory()
    make_pledge(project, council=pledger)
    assert headline_stats()["councils_taking_part"] == 3

    # Their people gone, the lead council and the pledging council still take part by what
    # they did: the project and the pledge.
    Membership.objects.filter(council__in=[project.lead_council, pledger]).update(
        status=MembershipStatus.LEFT
    )
    assert headline_stats()["councils_taking_part"] == 3
    Membership.objects.filter(council=with_member).update(status=MembershipStatus.REFUSED)
    assert headline_stats()["councils_taking_part"] == 2
