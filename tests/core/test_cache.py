"""A Redis outage (``core.cache``): against a real redis-server that the test starts on its
own port and stops half-way, pages, the API and its throttles carry on without it, logged once;
signing in and exchanging a password for an API token answer 503 until it is back, then work.

The suite's own settings use an in-process cache; these tests point both caches (counters and
pages) at the Redis they start, as production does with REDIS_URL and PAGE_CACHE_URL.
"""

import logging
import os
import shutil
import socket
import time

import pytest
from django.core.cache import caches
from django.test import Client
from rest_framework.throttling import SimpleRateThrottle

from core import cache as resilient
from pipeline.settings.base import cache_settings
from projects.models import PledgeState
from tests.factories import CouncilFactory, UserFactory, make_pledge
from tests.factories.accounts import PASSWORD
from tests.factories.projects import published_project
from tests.servers import RedisServer, free_port

pytestmark = pytest.mark.django_db

PAGES = ("/", "/projects/", "/councils/", "/about/", "/cy/", "/search/?q=waste", "/accounts/login/")


@pytest.fixture
def redis_server(settings):
    if shutil.which("redis-server") is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is needed for the Redis outage tests (apt-get install redis)")
        pytest.skip("no redis-server: the Redis outage tests need one")
    port = int(os.environ.get("PIPELINE_TEST_REDIS_PORT") or free_port())
    server = RedisServer(port)
    server.start()
    settings.CACHES = {
        "default": cache_settings(f"redis://127.0.0.1:{port}/0", "default"),
        "pages": cache_settings(f"redis://127.0.0.1:{port}/1", "pages"),
    }
    settings.PAGE_CACHE_SECONDS = 60
    resilient._down_until.clear()
    yield server
    server.stop()
    resilient._down_until.clear()


def sign_in(client: Client, user, prefix: str = ""):
    return client.post(f"{prefix}/accounts/login/", {"login": user.email, "password": PASSWORD})


def ask_for_token(client: Client, user):
    body = {"email": user.email, "password": PASSWORD, "name": "Dashboard"}
    return client.post("/api/v1/auth/token/", body, content_type="application/json")


def outage_logs(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "core.cache"]


def test_the_site_carries_on_while_redis_is_stopped(redis_server, on_commit, caplog, monkeypatch):
    caplog.set_level(logging.INFO, logger="core.cache")
    rates = {**SimpleRateThrottle.THROTTLE_RATES, "anon": "3/min"}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)
    project = on_commit(published_project)
    user = UserFactory()
    pages = (*PAGES, project.get_absolute_url())
    reader = Client()
    assert all(reader.get(path).status_code == 200 for path in pages)
    assert reader.get("/projects/")["X-Page-Cache"] == "hit"  # Redis is really in use
    phases = ("idea", "discovery", "alpha", "beta")  # four addresses, so none from the page cache
    throttled = [Client().get(f"/api/v1/projects/?phase={p}").status_code for p in phases]
    assert throttled == [200, 200, 200, 429]

    redis_server.stop()

    for _ in range(3):
        answers = {path: reader.get(path) for path in pages}
        assert {path: a.status_code for path, a in answers.items()} == dict.fromkeys(pages, 200)
        assert all("X-Page-Cache" not in a for a in answers.values())  # rendered, not cached
    # Rate limits let requests through: nothing can count them.
    assert [Client().get("/api/v1/councils/").status_code for _ in range(5)] == [200] * 5
    # Failed sign-ins must be counted, so nobody is signed in: a page that says why.
    refused = sign_in(Client(), user)
    assert refused.status_code == 503 and refused["Retry-After"] == "30"
    assert "Sorry, you cannot sign in just now" in refused.content.decode()
    assert "cannot count sign-in attempts" in refused.content.decode()
    welsh = sign_in(Client(), user, prefix="/cy")
    assert welsh.status_code == 503 and '<html lang="cy"' in welsh.content.decode()
    token = ask_for_token(Client(), user)
    assert token.status_code == 503 and token["Retry-After"] == "30"
    assert token.json() == {
        "status": 503,
        "code": "unavailable",
        "message": token.json()["message"],
        "errors": {},
    }
    assert "cannot count sign-in attempts" in token.json()["message"]
    # Once per cache server, not once per request.
    down = [m for m in outage_logs(caplog) if "is not answering" in m]
    port = redis_server.port
    assert sorted(m.split()[1] for m in down) == [f"127.0.0.1:{port}/0", f"127.0.0.1:{port}/1"]

    redis_server.start()

    assert sign_in(Client(), user).status_code == 302
    assert ask_for_token(Client(), user).status_code == 201
    resilient._down_until.clear()  # past RETRY_SECONDS
    reader.get("/projects/")
    assert reader.get("/projects/")["X-Page-Cache"] == "hit"
    assert any("answers again" in m for m in outage_logs(caplog))


def test_a_session_outlives_a_redis_outage_and_a_restart_that_lost_everything(
    redis_server, settings
):
    """Sessions are cached_db under a shared cache: Redis serves them, the database keeps them."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    user = UserFactory()
    browser = Client()
    assert sign_in(browser, user).status_code == 302
    assert browser.get("/my-pipeline/").status_code == 200
    redis = socket.create_connection(("127.0.0.1", redis_server.port), timeout=1)
    redis.sendall(b"DBSIZE\r\n")
    assert int(redis.recv(32)[1:]) > 0, "the session should be in Redis"
    redis.close()

    redis_server.stop()
    resilient._down_until.clear()
    assert browser.get("/my-pipeline/").status_code == 200  # read from the database

    redis_server.start()  # empty: it keeps nothing on disk
    resilient._down_until.clear()
    assert browser.get("/my-pipeline/").status_code == 200
    assert Client().get("/my-pipeline/").status_code == 302  # not signed in: still refused


def test_a_redis_that_hangs_costs_one_request_its_timeout_not_every_request(caplog, monkeypatch):
    """A server that accepts connections and never answers (a network partition): the first
    call waits for the socket timeout; until RETRY_SECONDS have passed the next ones do not."""
    caplog.set_level(logging.INFO, logger="core.cache")
    monkeypatch.setattr(resilient, "RETRY_SECONDS", 30.0)
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # connections complete in the backlog; nothing ever reads or replies
    port = silent.getsockname()[1]
    params = cache_settings(f"redis://127.0.0.1:{port}/0", "x")
    params["OPTIONS"] = {**params["OPTIONS"], "socket_timeout": 0.3}
    cache = resilient.ResilientRedisCache(params["LOCATION"], params)
    try:
        started = time.monotonic()
        first = cache.get("key", "missed")
        first_took = time.monotonic() - started
        started = time.monotonic()
        rest = [cache.get("key", "missed") for _ in range(50)]
        rest_took = time.monotonic() - started
    finally:
        silent.close()
        resilient._down_until.clear()

    assert first == "missed" and set(rest) == {"missed"}
    assert first_took >= 0.3
    assert rest_took < 0.3  # 50 calls in less than one timeout
    assert len([m for m in outage_logs(caplog) if "is not answering" in m]) == 1


def test_inside_cache_required_a_cache_that_is_down_raises():
    params = cache_settings("redis://127.0.0.1:1/0", "x")  # nothing listens on port 1
    cache = resilient.ResilientRedisCache(params["LOCATION"], params)
    try:
        assert cache.get("key", "missed") == "missed"
        assert cache.add("lock", 1) is True
        with pytest.raises(ValueError):
            cache.incr("count")
        with pytest.raises(resilient.CacheUnavailable), resilient.cache_required():
            cache.get("key")
    finally:
        resilient._down_until.clear()


def test_counters_are_incremented_together_and_started_above_anything_stored(redis_server):
    pages = caches["pages"]
    pages.set("seen", 41, timeout=None)
    assert resilient.increment_all(pages, ["seen", "new"], 1_000) == [42, 1_001]
    assert resilient.increment_all(pages, ["new"], 5_000) == [1_002]  # there: not restarted
    assert pages.get_many(["seen", "new"]) == {"seen": 42, "new": 1_002}

    redis_server.stop()
    assert resilient.increment_all(pages, ["seen"], 1_000) is None  # nothing raised


def test_a_pledge_retires_its_project_page_on_redis(redis_server, on_commit):
    project = on_commit(published_project)
    reader = Client()
    reader.get(project.get_absolute_url())
    assert reader.get(project.get_absolute_url())["X-Page-Cache"] == "hit"
    council = CouncilFactory(name="Powys County Council", short_name="Powys")
    on_commit(make_pledge, project, council=council, state=PledgeState.ACCEPTED)
    page = reader.get(project.get_absolute_url())
    assert page["X-Page-Cache"] == "miss" and "Powys" in page.content.decode()
    assert reader.get(project.get_absolute_url())["X-Page-Cache"] == "hit"
