"""Organisers configure a council's sign-in provider in the Wagtail admin; nobody else can."""

import pytest

from sso.models import CouncilIdentityProvider
from tests.factories.accounts import OrganiserFactory, UserFactory
from tests.factories.councils import CouncilDomainFactory, CouncilFactory, MembershipFactory

pytestmark = pytest.mark.django_db

ADMIN = "/cms-admin/council-sign-in/"


@pytest.fixture
def council():
    council = CouncilFactory(short_name="Greenshire")
    CouncilDomainFactory(council=council, domain="greenshire.gov.uk")
    return council


def _form(council, **changes) -> dict:
    return {
        "council": council.pk,
        "enabled": "on",
        "issuer": "https://login.microsoftonline.com/0000-tenant/v2.0",
        "client_id": "app-id-123",
        "secret_env": "",
        "client_secret": "s3cret-value-from-entra",
        "require_email_verified": "",
        "vouched_domains": "greenshire.gov.uk",
        **changes,
    }


def test_an_organiser_adds_a_provider_and_the_secret_is_never_shown_again(client, council):
    client.force_login(OrganiserFactory())

    response = client.post(f"{ADMIN}new/", _form(council))

    assert response.status_code == 302
    provider = CouncilIdentityProvider.objects.get(council=council)
    assert provider.client_secret() == "s3cret-value-from-entra"
    assert "s3cret" not in provider.secret_encrypted
    assert provider.domain_names() == ["greenshire.gov.uk"]
    for url in (ADMIN, f"{ADMIN}edit/{provider.pk}/", f"{ADMIN}inspect/{provider.pk}/"):
        page = client.get(url)
        assert page.status_code == 200
        assert "s3cret" not in page.content.decode()
        assert provider.secret_encrypted not in page.content.decode()

    # The listing links each provider to its edit form.
    assert f'href="{ADMIN}edit/{provider.pk}/"' in client.get(ADMIN).content.decode()

    # Saving again without a secret keeps the stored one.
    edit = client.post(f"{ADMIN}edit/{provider.pk}/", _form(council, client_secret=""))
    assert edit.status_code == 302
    provider.refresh_from_db()
    assert provider.client_secret() == "s3cret-value-from-entra"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"issuer": "http://idp.greenshire.gov.uk"}, "issuer", "https:// address"),
        ({"vouched_domains": "gmail.com"}, "vouched_domains", "not one of Greenshire"),
        ({"vouched_domains": ""}, "vouched_domains", ""),
        ({"client_secret": ""}, "client_secret", "Enter the client secret"),
        ({"secret_env": "SSO_GREEN"}, "client_secret", "not both"),
        ({"secret_env": "lower case", "client_secret": ""}, "secret_env", "in capitals"),
    ],
)
def test_bad_settings_get_an_error_beside_the_field(client, council, changes, field, message):
    client.force_login(OrganiserFactory())

    response = client.post(f"{ADMIN}new/", _form(council, **changes))

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert message in " ".join(response.context["form"].errors[field])
    assert not CouncilIdentityProvider.objects.exists()


def test_a_secret_from_the_environment_is_read_at_sign_in(client, council, monkeypatch):
    client.force_login(OrganiserFactory())
    monkeypatch.setenv("SSO_SECRET_GREENSHIRE", "from-the-environment")

    client.post(
        f"{ADMIN}new/", _form(council, secret_env="SSO_SECRET_GREENSHIRE", client_secret="")
    )

    provider = CouncilIdentityProvider.objects.get(council=council)
    assert provider.secret_encrypted == ""
    assert provider.client_secret() == "from-the-environment"
    assert "SSO_SECRET_GREENSHIRE" in client.get(ADMIN).content.decode()


@pytest.mark.parametrize("kind", ["anonymous", "member", "council_admin", "staff"])
def test_people_who_are_not_organisers_cannot_see_or_change_providers(client, council, kind):
    """Every admin route for providers, read and write, for everyone but organisers."""
    organiser = OrganiserFactory()
    client.force_login(organiser)
    assert client.post(f"{ADMIN}new/", _form(council)).status_code == 302
    provider = CouncilIdentityProvider.objects.get()
    client.logout()
    if kind != "anonymous":
        user = UserFactory(is_staff=kind == "staff")
        if kind == "council_admin":
            MembershipFactory(user=user, council=council, status="verified", role="admin")
        client.force_login(user)
    routes = [
        ADMIN,
        f"{ADMIN}new/",
        f"{ADMIN}edit/{provider.pk}/",
        f"{ADMIN}inspect/{provider.pk}/",
    ]

    for url in routes:
        response = client.get(url)
        assert response.status_code in (302, 403), (url, response.status_code)
        assert "app-id-123" not in response.content.decode()
    client.post(f"{ADMIN}edit/{provider.pk}/", _form(council, client_id="hijacked", enabled=""))
    client.post(f"{ADMIN}new/", _form(CouncilFactory()))

    provider.refresh_from_db()
    assert (provider.client_id, provider.enabled) == ("app-id-123", True)
    assert CouncilIdentityProvider.objects.count() == 1
    assert client.get(f"{ADMIN}delete/{provider.pk}/").status_code in (302, 403, 404)


def test_organisers_cannot_delete_a_provider_only_turn_it_off(client, council):
    """Deleting would drop everyone's links (and with them the refresh tokens that let
    memberships lapse); "Enabled" keeps them."""
    client.force_login(OrganiserFactory())
    client.post(f"{ADMIN}new/", _form(council))
    provider = CouncilIdentityProvider.objects.get()

    refused = client.post(f"{ADMIN}delete/{provider.pk}/")
    assert refused.status_code in (403, 404) or refused["Location"] == "/cms-admin/"
    assert CouncilIdentityProvider.objects.filter(pk=provider.pk).exists()
    assert client.post(f"{ADMIN}edit/{provider.pk}/", _form(council, enabled="")).status_code == 302
    provider.refresh_from_db()
    assert not provider.enabled
