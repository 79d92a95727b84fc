"""Abuse controls: write rate limits in the shared cache, with a clear 429 on the site and in the
API, and allauth's sign-up limit. Limits come from settings (env overrides), so tests lower them
with ``override_settings``."""

import logging
import os
import threading

import pytest
from django.core.cache import cache, caches
from django.test import Client, override_settings
from django.urls import reverse
from rest_framework.test import APIClient
from wagtail.models import APIToken

from pipeline.security import consume, parse_rate
from projects.models import Pledge, TeamMembership, Update

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
    """(client, url, body, how many were made) for one limited web form."""
    who = {"pledge": "pledger", "join": "pending", "update": "owner", "token": "other"}[scope]
    client = Client()
    client.force_login(w.users[who])
    if scope == "pledge":
        return (
            client,
            reverse("projects:pledge", args=[w.project.slug]),
            {"council": w.partner.pk, "towards": "money", "amount": "10"},
            lambda: Pledge.objects.count(),
        )
    if scope == "join":
        return (
            client,
            reverse("projects:join", args=[w.project.slug]),
            {"role": "designer", "message": "Me"},
            lambda: TeamMembership.objects.count(),
        )
    if scope == "update":
        return (
            client,
            reverse("projects:update_new", args=[w.project.slug]),
            {"title": "News", "body": "Things happened."},
            lambda: Update.objects.count(),
        )
    return (
        client,
        reverse("accounts:api_tokens"),
        {"name": "Script"},
        lambda: APIToken.objects.count(),
    )


@pytest.mark.parametrize("scope", ["pledge", "join", "update", "token"])
def test_web_forms_get_a_429_page_with_a_clear_message_when_over_the_limit(scope, caplog):
    w = make_world()
    client, url, body, count = _web_case(w, scope)
    with override_settings(PIPELINE_RATE_LIMITS=LOW):
        for _ in range(2):
            assert client.post(url, body).status_code in (200, 302)
        made = count()
        caplog.set_level(logging.INFO, logger="pipeline.security")
        response = client.post(url, body)
        assert response.status_code == 429
        assert int(response["Retry-After"]) > 0
        text = response.content.decode()
        assert "Too many requests" in text
        assert "too many times in a short time" in text and "minutes" in text
        assert 'class="govuk-footer"' in text  # in the site's layout
        assert count() == made, "the refused write was not made"
        # Reading the page is never limited.
        assert client.get(url).status_code == 200
    assert any('"rate_limited"' in r.getMessage() for r in caplog.records)


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
    from pipeline import cache as resilient
    from pipeline.settings.base import cache_settings

    caplog.set_level(logging.INFO, logger="pipeline.cache")
    down = {"default": cache_settings("redis://127.0.0.1:1/0", "x")}  # nothing listens there
    try:
        with override_settings(CACHES=down, PIPELINE_RATE_LIMITS={"pledge": "1/h"}):
            assert [consume("pledge", "user:1")[0] for _ in range(5)] == [True] * 5
    finally:
        resilient._down_until.clear()
    assert len([r for r in caplog.records if r.name == "pipeline.cache"]) == 1
