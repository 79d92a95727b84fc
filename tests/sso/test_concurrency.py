"""Two first sign-ins through a council's provider at once (two tabs, a double click): one
verified membership and one link, never an error."""

import pytest
from django.db import connection

from councils.models import Membership, MembershipStatus
from sso import services
from sso.models import CouncilSignIn
from tests.factories.accounts import OrganiserFactory, UserFactory
from tests.factories.councils import CouncilDomainFactory, CouncilFactory
from tests.threads import run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_racing_first_sign_ins_make_one_membership_and_one_link():
    council = CouncilFactory()
    domain = CouncilDomainFactory(council=council)
    provider = services.identity_provider_save(
        actor=OrganiserFactory(),
        council=council,
        issuer="https://idp.example.gov.uk",
        client_id="pipeline",
        secret_env="",
        client_secret="secret",
        vouched_domains=[domain.domain],
    )
    person = UserFactory(email=f"officer@{domain.domain}")
    connection.close()  # the threads open their own

    results = run_at_once(
        8,
        lambda i: (
            services.council_sign_in_record(
                provider=provider, user=person, subject="sub-1", email=person.email
            ).pk
        ),
    )

    assert not [r for r in results if isinstance(r, BaseException)], results
    assert len(set(results)) == 1
    assert CouncilSignIn.objects.count() == 1
    memberships = Membership.objects.filter(user=person, council=council)
    assert [m.status for m in memberships] == [MembershipStatus.VERIFIED]
