"""Sessions and tokens: the browsers signed in as you, each signed out on its own or all but
this one at once, and the ending is real under both session engines (the database, and
cached_db when a shared cache is set)."""

import datetime as dt

import pytest
import time_machine
from allauth.usersessions.models import UserSession
from django.test import Client
from django.urls import reverse

from accounts.selectors import device_description
from tests.factories import UserFactory
from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.django_db

FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)
EDGE_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"
)

ENGINES = [
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db",
]


def sign_in(user, *, agent: str, ip: str = "127.0.0.1") -> Client:
    """A browser signed in through the sign-in form, as a person does."""
    client = Client(HTTP_USER_AGENT=agent, REMOTE_ADDR=ip)
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content
    return client


def signed_in(client: Client) -> bool:
    return client.get(reverse("accounts:profile")).status_code == 200


@pytest.mark.parametrize(
    ("agent", "words"),
    [
        (FIREFOX_WINDOWS, "Firefox on Windows"),
        (SAFARI_IPHONE, "Safari on iPhone"),
        (EDGE_WINDOWS, "Microsoft Edge on Windows"),
        ("curl/8.5.0", "An unknown browser or program"),
        ("", "An unknown browser or program"),
    ],
)
def test_a_browser_is_described_in_plain_words(agent, words):
    assert device_description(agent) == words


def test_the_page_lists_each_browser_and_marks_this_one():
    user = UserFactory()
    laptop = sign_in(user, agent=FIREFOX_WINDOWS, ip="203.0.113.7")
    sign_in(user, agent=SAFARI_IPHONE, ip="198.51.100.20")
    sign_in(UserFactory(), agent=EDGE_WINDOWS)  # someone else's: not listed
    page = laptop.get(reverse("accounts:security")).content.decode()
    assert "Firefox on Windows" in page and "203.0.113.7" in page
    assert "Safari on iPhone" in page and "198.51.100.20" in page
    assert "Microsoft Edge" not in page
    assert page.count("This device") == 1
    assert page.index("Firefox on Windows") < page.index("This device") < page.index("Safari")
    # This browser has no "Sign out" button of its own; the phone has one.
    assert page.count('action="/accounts/security/sessions/') == 2  # one row, and "all others"


@pytest.mark.parametrize("engine", ENGINES)
def test_signing_one_browser_out_ends_its_session(engine, settings):
    settings.SESSION_ENGINE = engine
    user = UserFactory()
    laptop = sign_in(user, agent=FIREFOX_WINDOWS)
    phone = sign_in(user, agent=SAFARI_IPHONE)
    assert signed_in(phone)
    row = UserSession.objects.get(user=user, user_agent=SAFARI_IPHONE)
    response = laptop.post(reverse("accounts:session_end", args=[row.pk]), follow=True)
    assert "That browser has been signed out." in response.content.decode()
    assert not signed_in(phone), "the phone's cookie no longer opens the account"
    assert signed_in(laptop)
    assert not UserSession.objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize("engine", ENGINES)
def test_sign_out_everywhere_else_keeps_only_this_browser(engine, settings):
    settings.SESSION_ENGINE = engine
    user = UserFactory()
    laptop = sign_in(user, agent=FIREFOX_WINDOWS)
    others = [sign_in(user, agent=SAFARI_IPHONE), sign_in(user, agent=EDGE_WINDOWS)]
    bystander = sign_in(UserFactory(), agent=EDGE_WINDOWS)
    response = laptop.post(reverse("accounts:sessions_end_others"), follow=True)
    assert "2 other browsers have been signed out." in response.content.decode()
    assert signed_in(laptop)
    assert not any(signed_in(c) for c in others)
    assert signed_in(bystander), "nobody else is signed out"
    assert list(UserSession.objects.filter(user=user).values_list("user_agent", flat=True)) == [
        FIREFOX_WINDOWS
    ]
    again = laptop.post(reverse("accounts:sessions_end_others"), follow=True)
    assert "You were not signed in anywhere else." in again.content.decode()


def test_nobody_can_sign_out_someone_elses_browser():
    victim = UserFactory()
    victims_phone = sign_in(victim, agent=SAFARI_IPHONE)
    row = UserSession.objects.get(user=victim)
    attacker = sign_in(UserFactory(), agent=FIREFOX_WINDOWS)
    response = attacker.post(reverse("accounts:session_end", args=[row.pk]), follow=True)
    assert "That browser has already been signed out." in response.content.decode()
    assert signed_in(victims_phone)


def test_this_browser_is_signed_out_with_sign_out_not_here():
    user = UserFactory()
    laptop = sign_in(user, agent=FIREFOX_WINDOWS)
    row = UserSession.objects.get(user=user)
    response = laptop.post(reverse("accounts:session_end", args=[row.pk]), follow=True)
    assert "to sign this browser out" in response.content.decode()
    assert signed_in(laptop)


def test_last_seen_is_refreshed_at_most_every_few_minutes(settings):
    settings.SESSION_ACTIVITY_SECONDS = 300
    start = dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC)
    user = UserFactory()
    with time_machine.travel(start, tick=False) as traveller:
        laptop = sign_in(user, agent=FIREFOX_WINDOWS)
        row = UserSession.objects.get(user=user)
        assert row.last_seen_at == start
        traveller.shift(dt.timedelta(seconds=299))
        assert signed_in(laptop)
        row.refresh_from_db()
        assert row.last_seen_at == start, "no write within the interval"
        traveller.shift(dt.timedelta(seconds=1))
        assert signed_in(laptop)
        row.refresh_from_db()
        assert row.last_seen_at == start + dt.timedelta(seconds=300)


def test_a_session_signed_in_before_sessions_were_listed_gets_a_row():
    user = UserFactory()
    client = Client(HTTP_USER_AGENT=SAFARI_IPHONE)
    client.force_login(user)  # no address: not recorded at sign-in
    session = client.session
    session.pop("_pipeline_seen")
    session.save()
    assert signed_in(client)
    assert UserSession.objects.filter(user=user, user_agent=SAFARI_IPHONE).count() == 1


def test_changing_the_password_signs_other_browsers_out():
    user = UserFactory()
    laptop = sign_in(user, agent=FIREFOX_WINDOWS)
    phone = sign_in(user, agent=SAFARI_IPHONE)
    laptop.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "a-new-long-passphrase",
            "password2": "a-new-long-passphrase",
        },
    )
    assert signed_in(laptop)
    assert not signed_in(phone)


def test_the_former_addresses_lead_to_the_new_page(client):
    client.force_login(UserFactory())
    tokens = client.get("/accounts/tokens/")
    assert tokens.status_code == 301 and tokens["Location"] == "/accounts/security/#tokens"
    sessions = client.get("/accounts/sessions/")
    assert sessions.status_code == 302 and sessions["Location"] == "/accounts/security/"
    welsh = client.get("/cy/accounts/sessions/")
    assert welsh["Location"] == "/cy/accounts/security/"


def test_the_profile_links_to_sessions_and_tokens(client):
    client.force_login(UserFactory())
    page = client.get(reverse("accounts:profile")).content.decode()
    assert 'href="/accounts/security/"' in page
