"""Abuse controls: write rate limits in the shared cache, with a clear 429 on the site and in the
API, and allauth's sign-up limit. Limits come from settings (env overrides), so tests lower them
with ``override_settings``."""

import logging
import os
import threading
import uuid

import pytest
from django.core.cache import cache, caches
from django.test import Client, override_settings
from django.urls import reverse
from rest_framework.test import APIClient
from wagtail.models import APIToken

from core.security import consume, parse_rate
from projects.models import Pledge, TeamMembership, Update
from tests.factories import CouncilFactory

from .helpers import token_for
from .world import make_world

pytestmark = pytest.mark.django_db

LOW = {"pledge": "2/h", "join": "2/h", "update": "2/h", "token": "2/h"}


@pytest.mark.parametrize(
    ("rate", "parsed"), [("30/h", (30, 3600)), ("5/10m", (5, 600)), ("1/d", (1, 86400))]
)
def test_rates_read_as_count_per_window(rate, parsed):
    assert parse_rate(rate) == parsed


@pytest.mark.parametrize("bad", ["", "30", "x/h", "30/y"])
def test_a_bad_rate_is_an_error_not_a_silent_no_limit(bad):
    with pytest.raises(ValueError, match="Not a rate"):
        parse_rate(bad)


def test_limits_come_from_settings_with_environment_overrides(tmp_path):
    import subprocess
    import sys

    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SECRET_KEY": "x",
        "RATE_LIMIT_PLEDGE": "7/m",
        "RATE_LIMIT_SIGNUP": "3/m/ip",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
    }
    out = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-c",
            "import pipeline.settings.base as s;"
            "print(s.PIPELINE_RATE_LIMITS['pledge'], s.ACCOUNT_RATE_LIMITS['signup'])",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.split() == ["7/m", "3/m/ip"]


def test_counters_are_per_person_and_per_scope():
    with override_settings(PIPELINE_RATE_LIMITS=LOW):
        assert consume("pledge", "user:1") == (True, consume("pledge", "user:1")[1])
        assert consume("pledge", "user:1")[0] is False
        assert consume("pledge", "user:2")[0] is True
        assert consume("join", "user:1")[0] is True
        assert consume("unlimited-scope", "user:1") == (True, 0)


def _web_case(w, scope):
    """(client, url, body, how many were made, what was typed) for one limited web form."""
    who = {"pledge": "pledger", "join": "pending", "update": "owner", "token": "other"}[scope]
    client = Client()
    client.force_login(w.users[who])
    if scope == "pledge":
        answers = {"council": w.partner.pk, "towards": "money", "amount": "10", "note": "Ours"}
        # The pledge is made from Check your answers; its answers wait in the session.
        client.post(reverse("projects:pledge", args=[w.project.slug]), answers)
        return (
            client,
            reverse("projects:pledge_check", args=[w.project.slug]),
            {},
            lambda: Pledge.objects.count(),
            "Ours",
        )
    if scope == "join":
        return (
            client,
            reverse("projects:join", args=[w.project.slug]),
            {"role": "designer", "message": "Me, with research"},
            lambda: TeamMembership.objects.count(),
            "Me, with research",
        )
    if scope == "update":
        return (
            client,
            reverse("projects:update_new", args=[w.project.slug]),
            {"title": "News of the week", "body": "Things happened."},
            lambda: Update.objects.count(),
            "News of the week",
        )
    return (
        client,
        reverse("accounts:security"),
        {"name": "Script", "access": "write", "expires": "never"},
        lambda: APIToken.objects.count(),
        "",
    )


@pytest.mark.parametrize("scope", ["pledge", "join", "update"])
def test_over_the_limit_a_form_comes_back_with_what_was_typed_and_a_clear_error(scope, caplog):
    w = make_world()
    client, url, body, count, typed = _web_case(w, scope)
    user = w.users[{"pledge": "pledger", "join": "pending", "update": "owner"}[scope]]
    with override_settings(PIPELINE_RATE_LIMITS=LOW):
        for _ in range(2):
            if scope == "join":  # one request at a time: leave before asking again
                TeamMembership.objects.filter(user=user).update(status="left")
            if scope == "pledge":
                client.post(
                    reverse("projects:pledge", args=[w.project.slug]),
                    {"council": w.partner.pk, "towards": "money", "amount": "10", "note": "Ours"},
                )
            assert client.post(url, body).status_code == 302
        TeamMembership.objects.filter(user=user).update(status="left")
        if scope == "pledge":
            client.post(
                reverse("projects:pledge", args=[w.project.slug]),
                {"council": w.partner.pk, "towards": "money", "amount": "10", "note": "Ours"},
            )
        made = count()
        caplog.set_level(logging.INFO, logger="pipeline.security")
        response = client.post(url, body)
        assert response.status_code == 429
        assert int(response["Retry-After"]) > 0
        text = response.content.decode()
        assert "There is a problem" in text
        assert "too many times in a short time" in text and "minutes" in text
        assert typed in text, "what was typed is shown again"
        assert count() == made, "the refused write was not made"
        assert client.get(url).status_code == 200  # reading is never limited
    assert any('"rate_limited"' in r.getMessage() for r in caplog.records)


def test_over_the_limit_the_token_form_comes_back_with_the_name_typed():
    w = make_world()
    client, url, _body, count, _typed = _web_case(w, "token")
    with override_settings(PIPELINE_RATE_LIMITS=LOW):
        terms = {"access": "read", "expires": "90"}
        for n in range(2):
            assert client.post(url, {"name": f"Script {n}", **terms}).status_code == 200
        made = count()
        response = client.post(url, {"name": "Nightly export", **terms})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    text = response.content.decode()
    assert "There is a problem" in text and "too many times in a short time" in text
    assert 'value="Nightly export"' in text, "what was typed is shown again"
    assert count() == made


def test_over_the_limit_the_join_council_form_comes_back_with_the_message_typed():
    w = make_world()
    client = Client()
    client.force_login(w.users["pending"])
    url = reverse("councils:join")
    first, second, third = CouncilFactory.create_batch(3)  # "pending" is waiting at the lead
    with override_settings(PIPELINE_RATE_LIMITS=LOW):
        for council in (first, second):
            response = client.post(url, {"council": council.pk, "message": "Hello"})
            assert response.status_code == 302
        response = client.post(url, {"council": third.pk, "message": "Third council"})
    assert response.status_code == 429
    text = response.content.decode()
    assert "too many times in a short time" in text
    assert "Third council" in text, "what was typed is shown again"
    assert not w.users["pending"].memberships.filter(council=third).exists()


def test_rejected_attempts_do_not_count_toward_the_limit():
    """28 pledges refused for their input locked an officer out for 20 minutes; now only
    accepted writes count, and a form sent twice counts once."""
    w = make_world()
    client = Client()
    client.force_login(w.users["pledger"])
    form_url = reverse("projects:pledge", args=[w.project.slug])
    check_url = reverse("projects:pledge_check", args=[w.project.slug])
    with override_settings(PIPELINE_RATE_LIMITS={"pledge": "2/h"}):
        for amount in ["0", "-5", "ten", "10.001"] * 7:
            response = client.post(
                form_url, {"council": w.partner.pk, "towards": "money", "amount": amount}
            )
            assert response.status_code == 200 and b"govuk-error-summary" in response.content
        for amount in ("11", "22"):
            client.post(form_url, {"council": w.partner.pk, "towards": "money", "amount": amount})
            body = {"submission_key": str(uuid.uuid4())}
            assert client.post(check_url, body).status_code == 302
            assert client.post(check_url, body).status_code == 302  # sent twice: made once
    assert (
        Pledge.objects.filter(pledged_by=w.users["pledger"], amount__in=(1_100, 2_200)).count() == 2
    )


def test_the_api_answers_429_in_its_error_shape_and_shares_the_web_counter():
    w = make_world()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(w.users['pledger'])}")
    web = Client()
    web.force_login(w.users["pledger"])
    body = {"project": w.project.slug, "council": w.partner.code, "kind": "money"}
    with override_settings(PIPELINE_RATE_LIMITS=LOW):
        assert (
            api.post("/api/v1/pledges/", {**body, "amount_pence": 1}, format="json").status_code
            == 201
        )
        web.post(
            reverse("projects:pledge", args=[w.project.slug]),
            {"council": w.partner.pk, "towards": "money", "amount": "1"},
        )
        web.post(reverse("projects:pledge_check", args=[w.project.slug]))
        response = api.post("/api/v1/pledges/", {**body, "amount_pence": 2}, format="json")
    assert response.status_code == 429
    data = response.json()
    assert data["status"] == 429 and data["code"] == "throttled"
    assert data["retry_after"] == int(response["Retry-After"]) > 0
    assert Pledge.objects.filter(amount__in=(1, 2), pledged_by=w.users["pledger"]).count() == 1


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/api/v1/projects/{slug}/team/", {"role": "designer"}),
        ("/api/v1/projects/{slug}/updates/", {"title": "News", "body": "Text"}),
    ],
)
def test_api_join_requests_and_updates_are_limited(url, body):
    w = make_world()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(w.users['owner'])}")
    url = url.format(slug=w.project.slug)
    with override_settings(PIPELINE_RATE_LIMITS={"join": "0/h", "update": "0/h"}):
        response = api.post(url, body, format="json")
        assert response.status_code == 429, response.content
        assert api.get(url).status_code == 200  # reads are not limited


def test_sign_up_is_limited_with_a_429_page():
    with override_settings(
        ACCOUNT_RATE_LIMITS={"signup": "2/m/ip", "login_failed": "10/m/ip,5/5m/key"}
    ):
        client = Client()
        for n in range(2):
            client.post("/accounts/signup/", {"email": f"new{n}@example.org"})
        response = client.post("/accounts/signup/", {"email": "new9@example.org"})
    assert response.status_code == 429
    assert b"Too many requests" in response.content


def test_limits_live_in_the_shared_cache():
    """The counter is a key in the default cache: Redis when CACHE_URL/REDIS_URL is set."""
    with override_settings(PIPELINE_RATE_LIMITS=LOW):
        consume("pledge", "user:42")
    assert any("ratelimit:pledge:user:42" in str(k) for k in cache._cache)  # LocMem in tests


REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_up() -> bool:
    try:
        import redis

        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
    except Exception:  # noqa: BLE001
        return False


@pytest.mark.skipif(not _redis_up(), reason="no Redis at TEST_REDIS_URL")
def test_with_redis_two_workers_share_one_counter():
    """Two independent cache connections (as two app servers have) see one count."""
    redis_cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"pipeline-test-{os.getpid()}",
        }
    }
    with override_settings(CACHES=redis_cache, PIPELINE_RATE_LIMITS={"pledge": "3/h"}):
        caches["default"].clear()
        results: list[bool] = []
        for _ in range(4):
            # Each thread has its own cache connection, as each worker process would.
            worker = threading.Thread(target=lambda: results.append(consume("pledge", "u:7")[0]))
            worker.start()
            worker.join()
        caches["default"].clear()
    assert results == [True, True, True, False]


def test_when_the_cache_is_down_writes_go_through_and_it_is_logged_once(caplog):
    from core import cache as resilient
    from pipeline.settings.base import cache_settings

    caplog.set_level(logging.INFO, logger="core.cache")
    down = {"default": cache_settings("redis://127.0.0.1:1/0", "x")}  # nothing listens there
    try:
        with override_settings(CACHES=down, PIPELINE_RATE_LIMITS={"pledge": "1/h"}):
            assert [consume("pledge", "user:1")[0] for _ in range(5)] == [True] * 5
    finally:
        resilient._down_until.clear()
    assert len([r for r in caplog.records if r.name == "core.cache"]) == 1


# --- the client's address, and X-Forwarded-For ----------------------------------------------


@pytest.mark.parametrize(
    ("proxies", "remote", "xff", "expected"),
    [
        # No trusted proxy: the connection's address; the header is the client's to invent.
        (0, "203.0.113.7", None, "203.0.113.7"),
        (0, "203.0.113.7", "198.51.100.1", "203.0.113.7"),
        (0, "203.0.113.7", "198.51.100.1, 192.0.2.9", "203.0.113.7"),
        # One proxy (ours) appends the address it saw: the last entry; the rest is the client's.
        (1, "10.0.0.2", "192.0.2.9", "192.0.2.9"),
        (1, "10.0.0.2", "198.51.100.1, 192.0.2.9", "192.0.2.9"),
        (1, "10.0.0.2", "spoofed, 192.0.2.9", "192.0.2.9"),
        (1, "10.0.0.2", None, "10.0.0.2"),  # reached without the proxy
        # Two proxies: the entry the outer one appended.
        (2, "10.0.0.3", "198.51.100.1, 192.0.2.9, 10.0.0.2", "192.0.2.9"),
    ],
)
def test_client_address_with_and_without_a_proxy(settings, proxies, remote, xff, expected):
    from django.test import RequestFactory

    from core.security import AnonRateThrottle, ScopedRateThrottle, client_ip

    settings.ALLAUTH_TRUSTED_PROXY_COUNT = proxies
    extra = {"REMOTE_ADDR": remote}
    if xff is not None:
        extra["HTTP_X_FORWARDED_FOR"] = xff
    request = RequestFactory().get("/", **extra)
    assert client_ip(request) == expected
    # DRF's throttles and the write limits key on the same address.
    assert AnonRateThrottle().get_ident(request) == expected
    assert ScopedRateThrottle().get_ident(request) == expected


def test_every_drf_throttle_in_use_keys_on_the_client_address():
    from django.conf import settings as django_settings
    from django.utils.module_loading import import_string

    from accounts.api import TokenView
    from core.security import ClientAddressThrottle, WriteRateThrottle

    classes = [import_string(c) for c in django_settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]]
    for throttle in [*classes, *TokenView.throttle_classes]:
        assert issubclass(throttle, ClientAddressThrottle | WriteRateThrottle), throttle
    assert (
        django_settings.REST_FRAMEWORK["NUM_PROXIES"] == django_settings.ALLAUTH_TRUSTED_PROXY_COUNT
    )


@pytest.fixture
def drf_rates(monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    rates = {**SimpleRateThrottle.THROTTLE_RATES, "anon": "3/min", "token": "10/hour"}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)


def _over_the_limit(send, limit: int, extra: int, xff) -> int:
    """How many of ``extra`` requests past ``limit`` got through, with X-Forwarded-For rotated."""
    for n in range(limit):
        assert send(xff(n)).status_code != 429
    return sum(send(xff(limit + n)).status_code != 429 for n in range(extra))


def test_rotating_x_forwarded_for_does_not_bypass_the_token_limit(drf_rates):
    """12 of 12 token requests over the 10/h limit got through with rotating values."""
    from tests.factories.accounts import PASSWORD

    w = make_world()
    # The right password: wrong ones also meet allauth's own per-account sign-in lockout.
    body = {"email": w.users["owner"].email, "password": PASSWORD, "name": "Script"}
    client = APIClient()

    def send(header):
        return client.post("/api/v1/auth/token/", body, format="json", HTTP_X_FORWARDED_FOR=header)

    through = _over_the_limit(send, 10, 12, lambda n: f"198.51.100.{n}")
    assert through == 0


def test_rotating_x_forwarded_for_does_not_bypass_the_anonymous_limit(drf_rates):
    client = APIClient()

    def send(header):
        return client.get("/api/v1/tags/", HTTP_X_FORWARDED_FOR=header)

    assert _over_the_limit(send, 3, 12, lambda n: f"198.51.100.{n}, 192.0.2.{n}") == 0


def test_behind_one_proxy_each_client_has_its_own_allowance(drf_rates, settings):
    """What the client wrote is ignored; the address our proxy appended counts."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    client = APIClient(REMOTE_ADDR="10.0.0.2")

    def send(header):
        return client.get("/api/v1/tags/", HTTP_X_FORWARDED_FOR=header)

    assert _over_the_limit(send, 3, 12, lambda n: f"198.51.100.{n}, 192.0.2.1") == 0
    # Another client behind the same proxy is not held back by the first.
    assert send("192.0.2.2").status_code == 200
