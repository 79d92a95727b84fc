"""Signing in with a council's provider, end to end against a real provider process."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from councils.models import Membership, MembershipStatus
from sso import services
from sso.models import CouncilSignIn
from tests.factories.accounts import OrganiserFactory, UserFactory
from tests.factories.councils import CouncilDomainFactory, CouncilFactory, MembershipFactory

from .conftest import CLIENT_ID, CLIENT_SECRET, SLUG, sign_in_at_provider

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture
def council(oidc_provider):
    council = CouncilFactory(short_name="Oidcshire", slug=SLUG, name_cy="Sir Oidc")
    CouncilDomainFactory(council=council, domain="oidcshire.gov.uk")
    CouncilDomainFactory(council=council, domain="other.oidcshire.gov.uk")
    services.identity_provider_save(
        actor=OrganiserFactory(),
        council=council,
        issuer=oidc_provider.issuer,
        client_id=CLIENT_ID,
        secret_env="",
        client_secret=CLIENT_SECRET,
        vouched_domains=["oidcshire.gov.uk"],
        allow_loopback=True,
    )
    return council


def test_first_sign_in_creates_the_account_and_a_verified_membership(
    client, oidc_provider, council
):
    oidc_provider.add_person("new.officer", "New.Officer@oidcshire.gov.uk")

    response = sign_in_at_provider(client, oidc_provider, username="new.officer")

    assert response.status_code == 302
    user = User.objects.get(email="new.officer@oidcshire.gov.uk")
    assert (user.first_name, user.last_name) == ("Sam", "Officer")
    assert not user.has_usable_password()
    assert EmailAddress.objects.get(user=user).verified
    membership = Membership.objects.get(user=user, council=council)
    assert membership.status == MembershipStatus.VERIFIED
    assert CouncilSignIn.objects.get(user=user).membership == membership
    assert client.get("/my-pipeline/").status_code == 200
    assert int(client.session["_auth_user_id"]) == user.pk
