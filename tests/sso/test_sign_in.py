"""Signing in with a council's provider, end to end against a real provider process."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from councils.models import Membership, MembershipStatus
from sso import crypto, services
from sso.models import CouncilSignIn
from tests.factories.accounts import OrganiserFactory, UserFactory
from tests.factories.councils import CouncilDomainFactory, CouncilFactory, MembershipFactory
from tests.servers import free_port

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
    assert response["Location"] == "/my-pipeline/"
    assert client.get("/my-pipeline/").status_code == 200
    assert int(client.session["_auth_user_id"]) == user.pk


def test_a_welsh_reader_lands_on_their_welsh_dashboard(client, oidc_provider, council):
    oidc_provider.add_person("darllenydd", "darllenydd@oidcshire.gov.uk")
    page = client.get("/cy/accounts/login/").content.decode()
    assert 'name="next" value="/cy/my-pipeline/"' in page

    response = sign_in_at_provider(
        client, oidc_provider, username="darllenydd", prefix="/cy", next_url="/cy/my-pipeline/"
    )

    assert response.status_code == 302
    assert response["Location"] == "/cy/my-pipeline/"
    # The banner is in Welsh too, though the callback itself runs in the default language.
    dashboard = client.get("/cy/my-pipeline/").content.decode()
    assert "Wedi mewngofnodi&#x27;n llwyddiannus fel Sam Officer." in dashboard
    assert "Successfully signed in" not in dashboard


@pytest.mark.parametrize("path", ["/accounts/login/", "/cy/accounts/login/", "/accounts/signup/"])
def test_the_council_buttons_may_send_people_on_to_the_provider(
    client, oidc_provider, council, path
):
    """Browsers apply the page's CSP form-action to the redirect after the button's POST: the
    provider's origin must be in it, or the button does nothing."""
    response = client.get(path)

    assert "Sign in with Oidcshire" in response.content.decode() or "Sir Oidc" in (
        response.content.decode()
    )
    form_action = next(
        part for part in response["Content-Security-Policy"].split(";") if "form-action" in part
    )
    assert form_action.split() == [
        "form-action",
        "'self'",
        f"http://127.0.0.1:{oidc_provider.port}",
    ]


def test_sign_in_links_an_existing_account_and_verifies_its_waiting_membership(
    client, oidc_provider, council
):
    person = UserFactory(email="jo.bloggs@oidcshire.gov.uk")
    waiting = MembershipFactory(user=person, council=council, status=MembershipStatus.PENDING)
    oidc_provider.add_person("jo", "jo.bloggs@oidcshire.gov.uk")

    response = sign_in_at_provider(client, oidc_provider, username="jo")

    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == person.pk
    waiting.refresh_from_db()
    assert waiting.status == MembershipStatus.VERIFIED
    assert User.objects.filter(email__iexact="jo.bloggs@oidcshire.gov.uk").count() == 1
    # The next sign-in finds the same account by the provider's subject.
    client.logout()
    assert sign_in_at_provider(client, oidc_provider, username="jo").status_code == 302
    assert int(client.session["_auth_user_id"]) == person.pk


@pytest.mark.parametrize("mode", ["wrong_audience", "expired", "forged_signature"])
def test_an_id_token_for_another_client_expired_or_forged_is_refused(
    client, oidc_provider, council, provider_mode, mode
):
    oidc_provider.add_person(f"tok-{mode}", f"tok-{mode}@oidcshire.gov.uk")
    provider_mode(mode)

    response = sign_in_at_provider(client, oidc_provider, username=f"tok-{mode}")

    assert response.status_code == 401
    assert "Pipeline could not accept its answer" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(email=f"tok-{mode}@oidcshire.gov.uk").exists()


def test_an_address_the_provider_has_not_verified_is_refused(
    client, oidc_provider, council, provider_mode
):
    oidc_provider.add_person("unverified", "unverified@oidcshire.gov.uk")
    provider_mode("unverified")

    response = sign_in_at_provider(client, oidc_provider, username="unverified")

    assert response.status_code == 403
    assert "has not verified your email address" in response.content.decode()
    assert not User.objects.filter(email="unverified@oidcshire.gov.uk").exists()


def test_an_address_outside_the_vouched_domains_is_refused(client, oidc_provider, council):
    # other.oidcshire.gov.uk is the council's, but this provider does not vouch for it.
    oidc_provider.add_person("elsewhere", "someone@other.oidcshire.gov.uk")

    response = sign_in_at_provider(client, oidc_provider, username="elsewhere")

    assert response.status_code == 403
    page = response.content.decode()
    assert "vouches for addresses at oidcshire.gov.uk only" in page
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(email="someone@other.oidcshire.gov.uk").exists()


def test_a_changed_domain_lapses_the_membership_at_the_next_sign_in(client, oidc_provider, council):
    oidc_provider.add_person("mover", "mover@oidcshire.gov.uk")
    assert sign_in_at_provider(client, oidc_provider, username="mover").status_code == 302
    membership = Membership.objects.get(user__email="mover@oidcshire.gov.uk")
    client.logout()
    oidc_provider.add_person("mover", "mover@elsewhere.example")  # moved on

    response = sign_in_at_provider(client, oidc_provider, username="mover")

    assert response.status_code == 403
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.LEFT
    assert "no longer vouches for your email address" in membership.reason


def _password_sign_in(client, email: str, password: str):
    return client.post("/accounts/login/", {"login": email, "password": password}, follow=True)


def _sso_person_with_password(client, oidc_provider, username: str, email: str):
    oidc_provider.add_person(username, email)
    assert sign_in_at_provider(client, oidc_provider, username=username).status_code == 302
    client.logout()
    user = User.objects.get(email=email)
    user.set_password("pipeline-password-9")
    user.save()
    return user


def test_an_account_deleted_at_the_provider_lapses_the_membership_at_password_sign_in(
    client, oidc_provider, council
):
    user = _sso_person_with_password(client, oidc_provider, "leaver", "leaver@oidcshire.gov.uk")
    oidc_provider.control(delete="leaver")

    response = _password_sign_in(client, user.email, "pipeline-password-9")

    assert int(client.session["_auth_user_id"]) == user.pk  # the password still works
    membership = Membership.objects.get(user=user, council=council)
    assert membership.status == MembershipStatus.LEFT
    assert "says your account there no longer exists" in membership.reason
    assert "says your account there no longer exists" in response.content.decode()


def test_a_provider_account_that_still_stands_keeps_the_membership(client, oidc_provider, council):
    user = _sso_person_with_password(client, oidc_provider, "stayer", "stayer@oidcshire.gov.uk")
    before = CouncilSignIn.objects.get(user=user).refresh_token_encrypted

    _password_sign_in(client, user.email, "pipeline-password-9")

    assert Membership.objects.get(user=user, council=council).status == MembershipStatus.VERIFIED
    link = CouncilSignIn.objects.get(user=user)
    assert link.last_checked_at is not None
    assert link.refresh_token_encrypted != before  # the provider rotated it; kept encrypted
    refresh_token = crypto.decrypt(link.refresh_token_encrypted)
    assert refresh_token and refresh_token not in link.refresh_token_encrypted


def test_a_provider_that_is_down_lapses_nothing_at_password_sign_in(client, oidc_provider, council):
    user = _sso_person_with_password(client, oidc_provider, "calm", "calm@oidcshire.gov.uk")
    oidc_provider.control(delete="calm")
    council.identity_provider.issuer = f"http://127.0.0.1:{free_port()}/o"
    council.identity_provider.save()

    _password_sign_in(client, user.email, "pipeline-password-9")

    assert int(client.session["_auth_user_id"]) == user.pk
    assert Membership.objects.get(user=user, council=council).status == MembershipStatus.VERIFIED


@pytest.mark.parametrize("prefix", ["", "/cy"])
def test_a_provider_that_is_down_gets_a_clear_page_not_an_error(client, council, prefix):
    council.identity_provider.issuer = f"http://127.0.0.1:{free_port()}/o"
    council.identity_provider.save()

    response = client.post(f"{prefix}/accounts/oidc/council-{SLUG}/login/")

    assert response.status_code == 503
    page = response.content.decode()
    if prefix:
        assert "Ni allem gyrraedd gwasanaeth mewngofnodi Sir Oidc" in page
        assert 'lang="cy"' in page
    else:
        assert "We could not reach Oidcshire’s sign-in service" in page
        assert "Try again later or sign in with your password" in page


def test_a_provider_that_goes_down_during_sign_in_gets_the_clear_page(
    client, oidc_provider, council
):
    oidc_provider.add_person("midway", "midway@oidcshire.gov.uk")
    start = client.post(f"/accounts/oidc/council-{SLUG}/login/")
    state = start["Location"].split("state=")[1].split("&")[0]
    council.identity_provider.issuer = f"http://127.0.0.1:{free_port()}/o"
    council.identity_provider.save()

    response = client.get(
        f"/accounts/oidc/council-{SLUG}/login/callback/?code=anything&state={state}"
    )

    assert response.status_code == 503
    assert "We could not reach Oidcshire’s sign-in service" in response.content.decode()


def test_a_disabled_provider_is_not_offered_and_its_routes_are_gone(client, council):
    assert "Sign in with Oidcshire" in client.get("/accounts/login/").content.decode()
    services.identity_provider_set_enabled(
        actor=OrganiserFactory(), provider=council.identity_provider, enabled=False
    )

    assert "Sign in with Oidcshire" not in client.get("/accounts/login/").content.decode()
    assert client.post(f"/accounts/oidc/council-{SLUG}/login/").status_code == 404


def test_the_sign_in_page_names_welsh_councils_in_welsh(client, council):
    page = client.get("/cy/accounts/login/").content.decode()
    assert "Mewngofnodi gyda Sir Oidc" in page
    assert "Mewngofnodi gyda’ch cyngor" in page


def test_a_sign_in_begun_in_welsh_is_answered_in_welsh_through_the_same_redirect_uri(
    client, oidc_provider, council
):
    oidc_provider.add_person("cymro", "cymro@other.oidcshire.gov.uk")

    # The helper checks the provider sent the person back to the one registered address.
    response = sign_in_at_provider(client, oidc_provider, username="cymro", prefix="/cy")

    assert response.status_code == 403
    page = response.content.decode()
    assert "Ni allech fewngofnodi gyda Sir Oidc" in page
    assert (
        "Dim ond am gyfeiriadau yn oidcshire.gov.uk y mae gwasanaeth mewngofnodi Sir Oidc" in page
    )


def test_linking_wipes_a_password_set_on_an_address_nobody_confirmed(
    client, oidc_provider, council
):
    squatter = UserFactory(email="target@oidcshire.gov.uk")
    EmailAddress.objects.filter(user=squatter).update(verified=False)
    assert squatter.has_usable_password()
    oidc_provider.add_person("target", "target@oidcshire.gov.uk")

    assert sign_in_at_provider(client, oidc_provider, username="target").status_code == 302

    squatter.refresh_from_db()
    assert not squatter.has_usable_password()
    assert EmailAddress.objects.get(user=squatter, email=squatter.email).verified
    assert int(client.session["_auth_user_id"]) == squatter.pk


def test_a_secret_missing_from_the_environment_gets_the_clear_page(client, council, monkeypatch):
    monkeypatch.delenv("SSO_SECRET_NOT_SET", raising=False)
    council.identity_provider.secret_env = "SSO_SECRET_NOT_SET"
    council.identity_provider.secret_encrypted = ""
    council.identity_provider.save()

    response = client.post(f"/accounts/oidc/council-{SLUG}/login/")

    assert response.status_code == 503
    assert "We could not reach Oidcshire’s sign-in service" in response.content.decode()


def test_a_wrong_client_secret_is_refused_by_the_provider_with_a_clear_page(
    client, oidc_provider, council
):
    provider = council.identity_provider
    provider.secret_encrypted = crypto.encrypt("not-the-secret")
    provider.save()
    oidc_provider.add_person("wrongsecret", "wrongsecret@oidcshire.gov.uk")

    response = sign_in_at_provider(client, oidc_provider, username="wrongsecret")

    assert response.status_code == 401
    assert "Pipeline could not accept its answer" in response.content.decode()
    assert "_auth_user_id" not in client.session
