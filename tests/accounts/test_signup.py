"""Creating an account, confirming the email address, signing in, and login throttling."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse
from wagtail.models import APIToken

from accounts.models import User
from tests.factories import TOTP_SECRET, OrganiserFactory, UserFactory
from tests.factories.accounts import PASSWORD

from .totp import fresh_code

pytestmark = pytest.mark.django_db

SIGNUP = "/accounts/signup/"
LOGIN = "/accounts/login/"
NEW_PASSWORD = "a-long-and-unusual-passphrase-42"


def signup_data(**overrides) -> dict[str, str]:
    return {
        "email": "ann.officer@guildford.gov.uk",
        "first_name": "Ann",
        "last_name": "Officer",
        "job_title": "Service designer",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        **overrides,
    }


def link_in(message) -> str:
    match = re.search(r"https?://testserver(/\S+)", message.body)
    assert match, f"no link in the email:\n{message.body}"
    return match.group(1)


def signed_in_user(client: Client) -> User | None:
    user = client.get(reverse("accounts:profile")).wsgi_request.user
    return user if user.is_authenticated else None


def error_summary(response) -> str:
    html = response.content.decode()
    start = html.find('class="govuk-error-summary"')
    if start == -1:
        return ""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html[start : html.find("</ul>", start)]))


def test_signup_page_asks_for_name_email_and_password_twice(client):
    response = client.get(SIGNUP)

    assert response.status_code == 200
    for name in ("email", "first_name", "last_name", "password1", "password2"):
        assert f'name="{name}"'.encode() in response.content
    assert b'class="govuk-input' in response.content


@pytest.mark.parametrize(
    ("prefix", "words"),
    [("", "If it is at your council’s email domain"), ("/cy", "Os yw ar barth e-bost")],
)
def test_signup_page_says_a_council_address_verifies_you_at_once(client, prefix, words):
    html = client.get(f"{prefix}{SIGNUP}").content.decode()

    hint = html.split('id="id_email-hint"')[1].split("</div>")[0]
    assert words in hint
    assert 'aria-describedby="id_email-hint' in html


def test_signup_sends_a_confirmation_email_whose_link_confirms_and_signs_in(client):
    response = client.post(SIGNUP, signup_data())

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="ann.officer@guildford.gov.uk")
    assert (user.first_name, user.last_name, user.job_title) == (
        "Ann",
        "Officer",
        "Service designer",
    )
    assert not EmailAddress.objects.get(user=user).verified
    assert signed_in_user(client) is None

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ann.officer@guildford.gov.uk"]
    assert message.subject.startswith("[Pipeline] ")
    link = link_in(message)

    # Opening the link shows a page to confirm on; it does not confirm by itself.
    page = client.get(link)
    assert page.status_code == 200
    assert b"ann.officer@guildford.gov.uk" in page.content
    assert b'class="govuk-button' in page.content
    assert not EmailAddress.objects.get(user=user).verified

    confirmed = client.post(link, follow=True)

    assert confirmed.status_code == 200
    assert EmailAddress.objects.get(user=user).verified
    assert signed_in_user(client) == user
    assert confirmed.redirect_chain[-1][0] == reverse("dashboard")
    # One banner says it: not "You have confirmed …" and "Successfully signed in as …" both.
    html = confirmed.content.decode()
    assert html.count("govuk-notification-banner--success") == 1
    assert "You have confirmed ann.officer@guildford.gov.uk" in html


def test_after_confirming_in_another_browser_the_person_can_sign_in(client):
    client.post(SIGNUP, signup_data())
    other_browser = Client()
    link = link_in(mail.outbox[0])
    other_browser.post(link)

    response = other_browser.post(
        LOGIN, {"login": "ann.officer@guildford.gov.uk", "password": NEW_PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
    assert signed_in_user(other_browser).email == "ann.officer@guildford.gov.uk"


def test_signing_in_before_confirming_asks_to_confirm_first(client):
    client.post(SIGNUP, signup_data())
    browser = Client()

    response = browser.post(
        LOGIN, {"login": "ann.officer@guildford.gov.uk", "password": NEW_PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert signed_in_user(browser) is None


def test_signup_needs_first_and_last_name(client):
    response = client.post(SIGNUP, signup_data(first_name="", last_name=""))

    assert response.status_code == 200
    summary = error_summary(response)
    assert "Enter your first name" in summary and "Enter your last name" in summary
    assert not User.objects.exists()
    assert not mail.outbox


def test_signup_needs_the_same_password_twice(client):
    response = client.post(SIGNUP, signup_data(password2="something-else-entirely"))

    assert "You must type the same password each time" in error_summary(response)
    assert not User.objects.exists()


def test_signup_refuses_a_weak_password(client):
    response = client.post(SIGNUP, signup_data(password1="password", password2="password"))

    assert "This password is too common" in error_summary(response)
    assert not User.objects.exists()


def answer(client: Client, url: str, data: dict, address: str) -> tuple:
    """What the browser sees, with the address typed and the CSRF token taken out."""
    response = client.post(url, data, follow=True)
    html = re.sub(re.escape(address), "ADDRESS", response.content.decode(), flags=re.IGNORECASE)
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return response.status_code, response.redirect_chain, html


@pytest.mark.parametrize("email", ["ann@example.org", "Ann@Example.ORG"])
def test_signup_with_a_taken_address_answers_as_for_a_new_one_and_emails_its_owner(email):
    owner = UserFactory(email="ann@example.org")

    taken = answer(Client(), SIGNUP, signup_data(email=email), email)
    new = answer(Client(), SIGNUP, signup_data(email="zed@example.org"), "zed@example.org")

    assert taken == new
    assert taken[1][-1][0] == reverse("account_email_verification_sent")
    assert User.objects.filter(email__iexact="ann@example.org").get() == owner
    to_owner, to_new = sorted(mail.outbox, key=lambda message: message.to[0])
    assert to_owner.to == ["ann@example.org"]
    assert to_owner.subject == "[Pipeline] You already have a Pipeline account"
    assert "no new account was made" in to_owner.body
    assert "/accounts/password/reset/" in link_in(to_owner)
    assert to_new.subject == "[Pipeline] Confirm your email address"


def test_password_reset_answers_the_same_for_a_known_and_an_unknown_address():
    UserFactory(email="ann@example.org")
    url = reverse("account_reset_password")

    known = answer(Client(), url, {"email": "ann@example.org"}, "ann@example.org")
    unknown = answer(Client(), url, {"email": "zed@example.org"}, "zed@example.org")

    assert known == unknown
    assert known[1][-1][0] == reverse("account_reset_password_done")
    reset, no_account = mail.outbox
    assert reset.to == ["ann@example.org"] and reset.subject == "[Pipeline] Reset your password"
    assert "/accounts/password/reset/key/" in link_in(reset)
    assert no_account.to == ["zed@example.org"]
    assert "there is no Pipeline account with this email address" in no_account.body


@pytest.mark.parametrize("prefix", ["", "/cy"])
def test_account_emails_are_pipelines_own_in_the_readers_language(client, prefix):
    UserFactory(email="ann@example.org")
    client.post(f"{prefix}{SIGNUP}", signup_data(email="zed@example.org"))
    client.post(f"{prefix}{SIGNUP}", signup_data(email="ann@example.org"))
    client.post(f"{prefix}/accounts/password/reset/", {"email": "ann@example.org"})
    client.post(f"{prefix}/accounts/password/reset/", {"email": "nobody@example.org"})

    assert len(mail.outbox) == 4
    for message in mail.outbox:
        assert "Hello from" not in message.body and "Thank you for using" not in message.body
        assert "testserver!" not in message.body and not message.subject.istitle()
        assert f"http://testserver{prefix}/accounts/" in message.body
        if prefix:
            assert message.body.startswith("Helo,") and "LocalGov Digital" in message.body
        else:
            assert message.body.startswith("Hello,")


def test_signup_with_an_invalid_email_is_a_form_error(client):
    response = client.post(SIGNUP, signup_data(email="not-an-email"))

    assert response.status_code == 200
    assert "Enter a valid email address" in error_summary(response)
    assert not User.objects.exists()


# --- Signing in -----------------------------------------------------------------------------


def test_sign_in_with_email_and_password(client):
    user = UserFactory(email="ben@example.org")

    response = client.post(LOGIN, {"login": "ben@example.org", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")  # My Pipeline, not the profile
    assert signed_in_user(client) == user


@pytest.mark.parametrize("prefix", ["", "/cy"])
def test_signing_in_goes_back_to_the_page_that_asked(client, prefix):
    UserFactory(email="ben@example.org")
    page = f"{prefix}/projects/?phase=beta"

    response = client.post(
        f"{prefix}{LOGIN}?next={page.replace('?', '%3F')}",
        {"login": "ben@example.org", "password": PASSWORD},
    )
    elsewhere = Client().post(
        f"{LOGIN}?next=https://evil.example/", {"login": "ben@example.org", "password": PASSWORD}
    )

    assert response["Location"] == page
    assert elsewhere["Location"] == reverse("dashboard")


def test_a_wrong_password_is_a_form_error(client):
    UserFactory(email="ben@example.org")

    response = client.post(LOGIN, {"login": "ben@example.org", "password": "wrong"})

    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct" in error_summary(
        response
    )
    assert signed_in_user(client) is None


def test_repeated_failed_sign_ins_are_throttled_even_with_the_right_password(client):
    user = UserFactory(email="ben@example.org")
    for _ in range(5):
        failed = client.post(LOGIN, {"login": "ben@example.org", "password": "wrong"})
        assert "not correct" in error_summary(failed)

    response = client.post(LOGIN, {"login": "ben@example.org", "password": PASSWORD})

    assert response.status_code == 200
    assert "Too many failed login attempts. Try again later." in error_summary(response)
    assert signed_in_user(client) is None
    # Another person's sign-in from elsewhere is not blocked by it.
    other = UserFactory()
    assert (
        Client(REMOTE_ADDR="192.0.2.7")
        .post(LOGIN, {"login": other.email, "password": PASSWORD})
        .status_code
        == 302
    )
    assert user.is_active


def test_many_failed_sign_ins_from_one_address_are_throttled(client):
    for n in range(10):
        client.post(LOGIN, {"login": f"guess{n}@example.org", "password": "wrong"})
    user = UserFactory()

    response = client.post(LOGIN, {"login": user.email, "password": PASSWORD})

    assert "Too many failed login attempts" in error_summary(response)
    assert signed_in_user(client) is None


def test_too_many_sign_in_requests_get_a_429_page_in_the_site_layout(client):
    for _ in range(30):
        client.get(LOGIN)
        client.post(LOGIN, {"login": "", "password": ""})

    response = client.post(LOGIN, {"login": "", "password": ""})

    assert response.status_code == 429
    assert b"Too many requests" in response.content
    assert b'class="govuk-footer"' in response.content


# --- The Wagtail admin's own sign-in form -------------------------------------------------


def test_the_admin_sign_in_goes_through_allauth(client):
    response = client.get("/cms-admin/", follow=True)

    assert response.redirect_chain[-1][0] == f"{LOGIN}?next=%2Fcms-admin%2F"
    assert b'name="login"' in response.content


def test_throttling_cannot_be_bypassed_through_the_admin_sign_in_form(client):
    organiser = OrganiserFactory(email="olu@example.org")
    for _ in range(5):
        client.post(LOGIN, {"login": "olu@example.org", "password": "wrong"})

    for path in ("/cms-admin/login/", "/cms-admin/password_reset/"):
        response = Client().post(path, {"username": organiser.email, "password": PASSWORD})
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/")
    assert signed_in_user(client) is None
    assert not mail.outbox


def test_an_organiser_signs_in_and_reaches_the_admin(client):
    OrganiserFactory(email="olu@example.org")

    asked = client.post(
        f"{LOGIN}?next=/cms-admin/",
        {"login": "olu@example.org", "password": PASSWORD},
        follow=True,
    )
    assert asked.redirect_chain[-1][0] == "/accounts/2fa/authenticate/"  # the second factor
    response = client.post(
        "/accounts/2fa/authenticate/", {"code": fresh_code(TOTP_SECRET)}, follow=True
    )

    assert response.redirect_chain[-1][0] == "/cms-admin/"
    assert response.status_code == 200


# --- The API's token exchange -------------------------------------------------------------

TOKEN = "/api/v1/auth/token/"


def ask_for_token(email: str, password: str):
    return Client().post(
        TOKEN,
        {"email": email, "password": password, "name": "script"},
        content_type="application/json",
    )


def test_an_account_locked_on_the_site_is_locked_for_api_tokens_too(client):
    user = UserFactory(email="ben@example.org")
    assert ask_for_token("ben@example.org", PASSWORD).status_code == 201
    for _ in range(5):
        client.post(LOGIN, {"login": "ben@example.org", "password": "wrong"})

    response = ask_for_token("ben@example.org", PASSWORD)

    assert response.status_code == 429
    assert response.json()["message"] == "Too many failed login attempts. Try again later."
    assert APIToken.objects.filter(user=user).count() == 1  # only the one before the lockout


def test_failed_token_requests_count_toward_the_lockout(client):
    UserFactory(email="ben@example.org")
    for _ in range(5):
        assert ask_for_token("ben@example.org", "wrong").status_code == 403

    response = client.post(LOGIN, {"login": "ben@example.org", "password": PASSWORD})

    assert "Too many failed login attempts" in error_summary(response)
    assert signed_in_user(client) is None


def test_an_unconfirmed_address_gets_no_api_token(client):
    client.post(SIGNUP, signup_data())

    response = ask_for_token("ann.officer@guildford.gov.uk", NEW_PASSWORD)

    assert response.status_code == 403
    assert response.json()["code"] == "email_not_confirmed"
