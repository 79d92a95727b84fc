"""Two-factor authentication: enrolling, codes at sign-in, recovery codes, rate limits, and the
powers that need a second factor (accounts.mfa)."""

import json
import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.mfa import SecondFactorRequired, user_has_second_factor, user_needs_second_factor
from councils import services as council_services
from councils.models import MembershipStatus
from projects import services as project_services
from projects.models import PledgeState
from tests.api.conftest import token_client
from tests.factories import (
    TOTP_SECRET,
    CouncilFactory,
    MembershipFactory,
    OrganiserFactory,
    UserFactory,
    approver,
    enrol,
    published_project,
    verified_member,
)
from tests.factories.accounts import PASSWORD

from .totp import fresh_code, totp_code, wrong_code

pytestmark = pytest.mark.django_db

INDEX = "/accounts/2fa/"
ACTIVATE = "/accounts/2fa/totp/activate/"
AUTHENTICATE = "/accounts/2fa/authenticate/"
LOGIN = "/accounts/login/"


def sign_in(client: Client, user) -> object:
    """Sign in with the password, as a person does (allauth records it, so the two-factor pages
    do not ask for it again)."""
    return client.post(LOGIN, {"login": user.email, "password": PASSWORD})


def confirm_password(client: Client) -> None:
    """allauth asks for the password again (or a code) before anyone changes how their account
    is protected, even just after signing in."""
    response = client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]


def start_enrolling(client: Client, user) -> str:
    """Signed in, password confirmed and the set-up page open: the secret the app would scan."""
    sign_in(client, user)
    confirm_password(client)
    client.get(ACTIVATE)
    return client.session[SECRET_SESSION_KEY]


def signed_in_user(client: Client) -> int | None:
    return client.session.get("_auth_user_id")


# --- Enrolling ------------------------------------------------------------------------------


def test_the_activate_page_shows_the_qr_code_and_the_key_as_text(client):
    user = UserFactory()
    sign_in(client, user)
    confirm_password(client)

    page = client.get(ACTIVATE)

    assert page.status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    html = page.content.decode()
    assert 'alt="QR code for adding Pipeline to your authenticator app"' in html
    assert (
        f'id="authenticator_secret" aria-describedby="authenticator_secret-hint">{secret}' in html
    )
    assert "issuer=Pipeline" in page.context["totp_url"]


def test_enrolling_with_the_code_the_app_shows_turns_it_on_with_recovery_codes(client):
    user = UserFactory()
    secret = start_enrolling(client, user)

    response = client.post(ACTIVATE, {"code": fresh_code(secret)})

    assert response.status_code == 302
    types = set(Authenticator.objects.filter(user=user).values_list("type", flat=True))
    assert types == {Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES}
    assert user_has_second_factor(user=user)


@pytest.mark.django_db(transaction=True)  # allauth adds the banners when the change commits
def test_enrolling_says_it_is_on_without_speaking_of_old_recovery_codes(client):
    user = UserFactory()
    secret = start_enrolling(client, user)

    response = client.post(ACTIVATE, {"code": fresh_code(secret)}, follow=True)

    page = response.content.decode()
    assert "Two-factor authentication is on." in page
    assert "Your old ones no longer work" not in page  # there were none


def test_a_wrong_code_is_an_error_beside_the_field(client):
    user = UserFactory()
    secret = start_enrolling(client, user)

    response = client.post(ACTIVATE, {"code": wrong_code(secret)})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="govuk-error-summary"' in html
    assert '<a href="#id_code">The code is not right.' in html
    assert 'id="id_code-error"' in html
    # No recovery codes exist yet, so the message does not offer one.
    assert "recovery code" not in html.split('id="id_code-error"')[1].split("</p>")[0]
    assert not Authenticator.objects.filter(user=user).exists()


def test_an_empty_code_says_what_to_enter(client):
    start_enrolling(client, UserFactory())

    response = client.post(ACTIVATE, {"code": ""})

    assert "Enter the 6-digit code from your authenticator app" in response.content.decode()


# --- Signing in -----------------------------------------------------------------------------


def test_sign_in_asks_an_enrolled_person_for_the_code(client):
    user = enrol(UserFactory())

    response = sign_in(client, user)

    assert response.status_code == 302
    assert response["Location"] == AUTHENTICATE
    assert signed_in_user(client) is None  # not yet
    page = client.get(AUTHENTICATE)
    assert "Enter your two-factor code" in page.content.decode()

    done = client.post(AUTHENTICATE, {"code": fresh_code(TOTP_SECRET)})

    assert done.status_code == 302
    assert signed_in_user(client) == str(user.pk)


def test_a_wrong_code_at_sign_in_does_not_sign_in(client):
    user = enrol(UserFactory())
    sign_in(client, user)

    response = client.post(AUTHENTICATE, {"code": wrong_code(TOTP_SECRET)})

    assert response.status_code == 200
    assert "The code is not right." in response.content.decode()
    assert signed_in_user(client) is None


def test_a_recovery_code_signs_in_once_only(client):
    user = enrol(UserFactory())
    code = RecoveryCodes.activate(user).get_unused_codes()[0]

    sign_in(client, user)
    client.post(AUTHENTICATE, {"code": code})
    assert signed_in_user(client) == str(user.pk)

    client.post("/accounts/logout/")
    sign_in(client, user)
    again = client.post(AUTHENTICATE, {"code": code})

    assert again.status_code == 200
    assert "The code is not right." in again.content.decode()
    assert signed_in_user(client) is None


def test_wrong_codes_are_rate_limited_even_before_the_right_one(client):
    user = enrol(UserFactory())
    sign_in(client, user)
    for _ in range(5):  # ACCOUNT_RATE_LIMITS["login_failed"]: 5 in 5 minutes per account
        client.post(AUTHENTICATE, {"code": wrong_code(TOTP_SECRET)})

    response = client.post(AUTHENTICATE, {"code": fresh_code(TOTP_SECRET)})

    assert "Too many failed login attempts" in response.content.decode()
    assert signed_in_user(client) is None


def test_a_privileged_person_without_a_second_factor_is_sent_to_set_it_up(client):
    admin = verified_member(admin=True, enrolled=False)

    response = sign_in(client, admin)

    assert response.status_code == 302
    assert response["Location"] == INDEX
    assert signed_in_user(client) == str(admin.pk)
    page = client.get(INDEX)
    assert "Set up two-factor authentication before you use those powers" in page.content.decode()


def test_an_ordinary_member_is_not_asked_to_enrol(client):
    member = verified_member()

    response = sign_in(client, member)

    assert response["Location"] == reverse("dashboard")


# --- Powers that need a second factor -------------------------------------------------------


def test_who_must_enrol():
    assert not user_needs_second_factor(user=verified_member())
    assert user_needs_second_factor(user=verified_member(admin=True, enrolled=False))
    assert user_needs_second_factor(user=approver(enrolled=False))
    assert user_needs_second_factor(user=OrganiserFactory(enrolled=False))
    assert not user_needs_second_factor(user=approver())
    pending = MembershipFactory(role="admin", status=MembershipStatus.PENDING, enrolled=False)
    assert not user_needs_second_factor(user=pending.user)  # not an admin until verified


@pytest.fixture
def waiting():
    """A pledge over the partner council's limit, waiting for an approver."""
    partner = CouncilFactory(money_limit=100_000)
    project = published_project()
    pledge = project_services.pledge_offer(
        actor=verified_member(partner),
        project=project,
        council=partner,
        kind="money",
        amount=500_000,
    )
    assert pledge.state == PledgeState.PENDING
    return pledge


def test_an_approver_cannot_approve_until_enrolled_then_can(waiting):
    person = approver(waiting.council, enrolled=False)

    with pytest.raises(SecondFactorRequired) as refused:
        project_services.pledge_approve(actor=person, pledge=waiting)
    assert "before you can approve pledges" in refused.value.message
    waiting.refresh_from_db()
    assert waiting.state == PledgeState.PENDING

    enrol(person)
    project_services.pledge_approve(actor=person, pledge=waiting)
    waiting.refresh_from_db()
    assert waiting.state == PledgeState.OFFERED


def test_approving_on_the_page_without_a_second_factor_says_why_and_links_to_set_up(
    client, waiting
):
    person = approver(waiting.council, enrolled=False)
    client.force_login(person)
    url = reverse("projects:pledge_action", kwargs={"pk": waiting.pk, "action": "approve"})

    response = client.post(url, follow=True)

    html = response.content.decode()
    assert "You need to set up two-factor authentication before you can approve pledges." in html
    assert f'href="{INDEX}"' in html
    waiting.refresh_from_db()
    assert waiting.state == PledgeState.PENDING


def test_the_api_refuses_an_unenrolled_approver_with_the_reason(waiting):
    person = approver(waiting.council, enrolled=False)

    response = token_client(person).post(
        reverse("api:pledge-approve", kwargs={"pk": waiting.pk}), {}, format="json"
    )

    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "second_factor_required"
    assert "before you can approve pledges" in body["message"]


def test_a_council_admin_is_sent_to_enrol_from_the_members_page(client):
    council = CouncilFactory()
    admin = verified_member(council, admin=True, enrolled=False)
    client.force_login(admin)

    response = client.get(reverse("councils:members", kwargs={"slug": council.slug}))

    assert response.status_code == 302
    assert response["Location"] == INDEX
    page = client.get(INDEX)
    assert "before you can manage your council’s members" in page.content.decode()


def test_a_council_admin_cannot_approve_members_until_enrolled():
    council = CouncilFactory()
    admin = verified_member(council, admin=True, enrolled=False)
    pending = MembershipFactory(council=council, status=MembershipStatus.PENDING)

    with pytest.raises(SecondFactorRequired):
        council_services.membership_approve(actor=admin, membership=pending)

    enrol(admin)
    council_services.membership_approve(actor=admin, membership=pending)
    pending.refresh_from_db()
    assert pending.status == MembershipStatus.VERIFIED


def test_an_organiser_is_sent_from_the_cms_admin_to_enrol(client):
    organiser = OrganiserFactory(enrolled=False)
    client.force_login(organiser)

    response = client.get("/cms-admin/")

    assert response.status_code == 302
    assert response["Location"] == INDEX


def test_an_enrolled_organiser_reaches_the_cms_admin(client):
    client.force_login(OrganiserFactory())

    assert client.get("/cms-admin/").status_code == 200


def test_an_organiser_cannot_moderate_until_enrolled():
    organiser = OrganiserFactory(enrolled=False)
    project = published_project()

    with pytest.raises(SecondFactorRequired):
        project_services.project_feature(actor=organiser, project=project)


# --- Pages ----------------------------------------------------------------------------------


def test_the_profile_links_to_two_factor_authentication(client):
    client.force_login(UserFactory())

    html = client.get("/accounts/profile/").content.decode()

    assert f'href="{INDEX}"' in html


def test_the_overview_shows_what_is_set_up(client):
    user = enrol(UserFactory())
    client.force_login(user)

    html = client.get(INDEX).content.decode()

    assert "Authenticator app" in html
    assert 'govuk-tag--green">On<' in html
    assert "Passkeys and security keys" in html


def test_the_pages_are_in_welsh(client):
    user = UserFactory()
    sign_in(client, user)
    confirm_password(client)

    overview = client.get("/cy" + INDEX).content.decode()
    activate = client.get("/cy" + ACTIVATE).content.decode()

    assert "Dilysu dau ffactor" in overview
    assert "Sefydlu ap dilysu" in activate


def test_recovery_codes_are_shown_and_downloaded(client):
    user = enrol(UserFactory())
    codes = RecoveryCodes.activate(user).get_unused_codes()
    sign_in(client, user)
    client.post(AUTHENTICATE, {"code": fresh_code(TOTP_SECRET)})
    confirm_password(client)

    page = client.get("/accounts/2fa/recovery-codes/")
    download = client.get("/accounts/2fa/recovery-codes/download/")

    assert codes[0] in page.content.decode()
    assert codes[0] in download.content.decode()


def test_the_passkey_pages_render_with_registration_options(client):
    user = enrol(UserFactory())
    sign_in(client, user)
    client.post(AUTHENTICATE, {"code": fresh_code(TOTP_SECRET)})
    confirm_password(client)

    add = client.get("/accounts/2fa/webauthn/add/")
    listing = client.get("/accounts/2fa/webauthn/")

    assert add.status_code == 200
    options = json.loads(
        re.search(
            r'<script id="js_data" type="application/json">(.*?)</script>',
            add.content.decode(),
            re.S,
        ).group(1)
    )
    public_key = options["creation_options"]["publicKey"]
    assert public_key["rp"]["name"]
    assert public_key["user"]["name"] == user.email
    assert listing.status_code == 200
    assert "You have not added a passkey or security key." in listing.content.decode()


@pytest.mark.parametrize("credential", ["{}", "[]", "123", '{"id": "x", "response": {}}', "x"])
def test_a_made_up_passkey_is_refused_not_a_server_error(client, credential):
    user = enrol(UserFactory())
    sign_in(client, user)
    client.post(AUTHENTICATE, {"code": fresh_code(TOTP_SECRET)})
    confirm_password(client)
    client.get("/accounts/2fa/webauthn/add/")

    response = client.post("/accounts/2fa/webauthn/add/", {"name": "Key", "credential": credential})

    assert response.status_code == 200
    assert not Authenticator.objects.filter(user=user, type="webauthn").exists()


# --- Demo ------------------------------------------------------------------------------------


def test_demo_code_prints_the_current_code(capsys, settings):
    settings.DEBUG = True
    user = enrol(UserFactory(email="approver@demo.example"))

    call_command("demo_code", user.email)

    assert capsys.readouterr().out.strip() == totp_code(TOTP_SECRET)


def test_demo_code_refuses_outside_the_demo(settings):
    settings.DEBUG = False
    user = enrol(UserFactory())

    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("demo_code", user.email)


def test_an_operator_can_reset_a_lost_second_factor(capsys):
    admin = verified_member(admin=True)
    RecoveryCodes.activate(admin)

    call_command("reset_two_factor", admin.email.upper())

    assert not Authenticator.objects.filter(user=admin).exists()
    assert "Removed 2 authenticator(s)" in capsys.readouterr().out
    admin.__dict__.pop("_has_second_factor", None)
    assert user_needs_second_factor(user=admin)


def test_someone_elses_passkey_is_not_found_even_after_the_password(client):
    owner = UserFactory()
    key = Authenticator.objects.create(
        user=owner, type=Authenticator.Type.WEBAUTHN, data={"name": "Blue key", "credential": {}}
    )
    other = UserFactory()
    sign_in(client, other)
    confirm_password(client)

    assert client.get(f"/accounts/2fa/webauthn/keys/{key.pk}/edit/").status_code == 404
    assert client.post(f"/accounts/2fa/webauthn/keys/{key.pk}/remove/").status_code == 404
    assert Authenticator.objects.filter(pk=key.pk).exists()


def test_a_password_alone_gets_no_api_token_for_someone_with_a_second_factor():
    admin = verified_member(admin=True)

    response = Client().post(
        "/api/v1/auth/token/",
        {"email": admin.email, "password": PASSWORD, "name": "script"},
        content_type="application/json",
    )

    assert response.status_code == 403
    assert response.json()["code"] == "second_factor_required"
    assert "/accounts/tokens/" in response.json()["message"]
