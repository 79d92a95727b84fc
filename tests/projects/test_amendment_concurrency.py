"""Amendments under concurrent writers on PostgreSQL: a change is accepted once, and a pledge
never gets two live amendments."""

from collections import Counter

import pytest
from django.db import connection

from core.errors import Conflict
from projects import services
from projects.ledger import check_ledger
from projects.models import Kind, Pledge, PledgeState, Project
from tests.factories import CouncilFactory, published_project, verified_member
from tests.threads import run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WRITERS = 20


def test_racing_answers_to_one_change_decide_it_once():
    """Twenty managers' answers (accept or decline) race on one proposed change: one wins, the
    rest are told it changed, and the totals count exactly one of the two amounts."""
    council = CouncilFactory()
    project = published_project()
    pledger = verified_member(council)
    original = services.pledge_offer(
        actor=pledger, project=project, council=council, kind=Kind.MONEY, amount=1_000_000
    )
    amendment = services.pledge_amend(
        actor=pledger, pledge=original, amount=1_200_000, note="Budget grew"
    )
    owner = project.owner
    connection.close()  # the threads open their own

    def write(index: int) -> str:
        try:
            if index % 2:
                services.pledge_accept(actor=owner, pledge=amendment)
                return "accepted"
            services.pledge_decline(actor=owner, pledge=amendment)
            return "declined"
        except Conflict:
            return "conflict"

    results = run_at_once(WRITERS, write)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors
    outcomes = Counter(results)
    assert outcomes["accepted"] + outcomes["declined"] == 1
    assert outcomes["conflict"] == WRITERS - 1
    project = Project.objects.get(pk=project.pk)
    if outcomes["accepted"]:
        assert Pledge.objects.get(pk=original.pk).state == PledgeState.SUPERSEDED
        assert project.money_offered == 1_200_000
    else:
        assert Pledge.objects.get(pk=original.pk).state == PledgeState.OFFERED
        assert project.money_offered == 1_000_000
    assert check_ledger() == []


def test_racing_proposals_leave_one_open_change():
    council = CouncilFactory()
    project = published_project()
    members = [verified_member(council) for _ in range(3)]
    original = services.pledge_offer(
        actor=members[0], project=project, council=council, kind=Kind.MONEY, amount=1_000_000
    )
    connection.close()

    def write(index: int) -> str:
        try:
            services.pledge_amend(
                actor=members[index % 3], pledge=original, amount=1_100_000 + index, note="More"
            )
            return "proposed"
        except Conflict:
            return "conflict"

    results = run_at_once(WRITERS, write)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors
    assert Counter(results) == {"proposed": 1, "conflict": WRITERS - 1}
    assert Pledge.objects.filter(amends=original).count() == 1
    assert check_ledger() == []
