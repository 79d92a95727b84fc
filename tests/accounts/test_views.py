"""Profile pages, password reset, and allauth's pages in the site layout."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import NotificationFrequency
from councils.models import MembershipRole, MembershipStatus
from tests.factories import CouncilFactory, MembershipFactory, UserFactory
from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.django_db

PROFILE = "/accounts/profile/"
PROFILE_EDIT = "/accounts/profile/edit/"


def link_in(message) -> str:
    match = re.search(r"https?://testserver(/\S+)", message.body)
    assert match, f"no link in the email:\n{message.body}"
    return match.group(1)


@pytest.fixture
def user():
    return UserFactory(first_name="Rhian", last_name="Evans", email="rhian@example.org")


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


# --- Profile --------------------------------------------------------------------------------


def test_profile_needs_signing_in(client):
    response = client.get(PROFILE)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={PROFILE}"


def test_profile_lists_memberships_with_status_role_and_refusal_reason(signed_in, user):
    MembershipFactory(
        user=user, council=CouncilFactory(short_name="Cardiff"), role=MembershipRole.ADMIN
    )
    MembershipFactory(
        user=user, council=CouncilFactory(short_name="Newport"), status=MembershipStatus.PENDING
    )
    MembershipFactory(
        user=user,
        council=CouncilFactory(short_name="Torfaen"),
        status=MembershipStatus.REFUSED,
        reason="Use your torfaen.gov.uk address",
    )
    MembershipFactory(council=CouncilFactory(short_name="Somebody Else's Council"))

    response = signed_in.get(PROFILE)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Rhian Evans" in html
    for text in (
        "Cardiff",
        "Verified",
        "Council admin",
        "Newport",
        "Waiting for approval",
        "Cancel request",
        "Torfaen",
        "Refused",
        "Reason: Use your torfaen.gov.uk address",
    ):
        assert text in html, text
    assert "Somebody Else" not in html


def test_profile_with_no_memberships_invites_joining(signed_in):
    response = signed_in.get(PROFILE)

    assert b"You have not joined a council yet" in response.content
    assert reverse("councils:join").encode() in response.content


def test_profile_edit_saves_notification_frequency_and_language(signed_in, user):
    form = signed_in.get(PROFILE_EDIT)
    assert form.status_code == 200
    assert b'name="notification_frequency" type="radio" value="weekly"' in form.content

    response = signed_in.post(
        PROFILE_EDIT,
        {
            "first_name": "Rhian",
            "last_name": "Evans-Jones",
            "job_title": "Head of Digital",
            "notification_frequency": NotificationFrequency.WEEKLY,
            "language": "cy",
        },
        follow=True,
    )

    user.refresh_from_db()
    assert user.notification_frequency == NotificationFrequency.WEEKLY
    assert user.language == "cy"
    assert user.last_name == "Evans-Jones"
    assert user.job_title == "Head of Digital"
    assert response.redirect_chain[-1][0] == PROFILE
    assert b"Your profile has been updated" in response.content
    assert b"Weekly digest" in response.content
    assert b"Welsh" in response.content


def test_profile_edit_rejects_an_unknown_choice(signed_in, user):
    response = signed_in.post(
        PROFILE_EDIT,
        {
            "first_name": "Rhian",
            "last_name": "Evans",
            "notification_frequency": "hourly",
            "language": "fr",
        },
    )

    assert response.status_code == 200
    assert b"govuk-error-summary" in response.content
    assert b'href="#id_notification_frequency_0"' in response.content
    user.refresh_from_db()
    assert user.notification_frequency == NotificationFrequency.DAILY
    assert user.language == "en-gb"


def test_profile_edit_cannot_change_email_or_staff_flags(signed_in, user):
    signed_in.post(
        PROFILE_EDIT,
        {
            "first_name": "Rhian",
            "last_name": "Evans",
            "notification_frequency": "daily",
            "language": "en-gb",
            "email": "boss@example.org",
            "is_staff": "on",
            "is_superuser": "on",
        },
    )

    user.refresh_from_db()
    assert user.email == "rhian@example.org"
    assert not user.is_staff
    assert not user.is_superuser


# --- Password reset -------------------------------------------------------------------------


def test_password_reset_sends_an_email_whose_link_sets_a_new_password(client, user):
    response = client.post(reverse("account_reset_password"), {"email": "rhian@example.org"})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["rhian@example.org"]
    assert mail.outbox[0].subject.startswith("[Pipeline] ")
    link = link_in(mail.outbox[0])

    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    assert b'name="password1"' in form_page.content
    new_password = "a-brand-new-passphrase-77"
    done = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else link,
        {"password1": new_password, "password2": new_password},
    )
    assert done.status_code == 302

    browser = Client()
    assert browser.login(email="rhian@example.org", password=new_password)
    assert not Client().login(email="rhian@example.org", password=PASSWORD)


# --- allauth's pages in the site layout -----------------------------------------------------


@pytest.mark.parametrize("name", ["account_login", "account_signup", "account_reset_password"])
def test_entrance_pages_are_in_the_layout_in_a_two_thirds_column(client, name):
    response = client.get(reverse(name))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="govuk-skip-link"' in html
    column = html.find('class="govuk-grid-column-two-thirds"')
    assert column != -1
    assert column < html.find("<form", column)
    assert 'class="govuk-heading-l"' in html


@pytest.mark.parametrize("name", ["account_email", "account_change_password"])
def test_account_management_pages_lead_back_to_the_profile(signed_in, name):
    response = signed_in.get(reverse(name))

    assert response.status_code == 200
    assert b'class="govuk-breadcrumbs"' in response.content
    assert f'href="{PROFILE}"'.encode() in response.content


def test_a_sign_in_error_is_in_the_error_summary_and_the_title(client, user):
    response = client.post(reverse("account_login"), {"login": user.email, "password": "no"})

    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert re.search(r"<title>\s*Error: ", html)


def test_signing_out_needs_a_post(signed_in):
    signed_in.get(reverse("account_logout"))
    assert signed_in.get(PROFILE).status_code == 200

    signed_in.post(reverse("account_logout"))
    assert signed_in.get(PROFILE).status_code == 302


def buttons(response) -> list[str]:
    return re.findall(r'<button class="([^"]*)"', response.content.decode())


@pytest.mark.parametrize(
    "name", ["account_login", "account_signup", "account_reset_password", "account_logout"]
)
def test_the_main_action_of_an_allauth_page_is_a_primary_button(signed_in, name):
    if name != "account_logout":
        signed_in.logout()

    response = signed_in.get(reverse(name))

    # The header's sign-out button is not a GOV.UK button; the page's own action is.
    assert buttons(response) == ["govuk-button"]


def test_the_email_confirmation_page_has_a_primary_confirm_button(client):
    user = UserFactory(confirmed=False)
    from allauth.account.models import EmailAddress, EmailConfirmationHMAC

    address = EmailAddress.objects.create(user=user, email=user.email, primary=True)
    key = EmailConfirmationHMAC(address).key

    response = client.get(reverse("account_confirm_email", args=[key]))

    assert buttons(response) == ["govuk-button"]


def test_changing_the_email_address_needs_the_new_one_confirmed(signed_in, user):
    response = signed_in.post(
        reverse("account_email"), {"action_add": "", "email": "rhian@cardiff.gov.uk"}
    )

    assert response.status_code == 302
    assert mail.outbox[-1].to == ["rhian@cardiff.gov.uk"]
    user.refresh_from_db()
    assert user.email == "rhian@example.org"  # until the new address is confirmed
    signed_in.post(link_in(mail.outbox[-1]))
    user.refresh_from_db()
    assert user.email == "rhian@cardiff.gov.uk"
