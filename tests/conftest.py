import os
from pathlib import Path

import pytest
from django.db import connection

SHARED_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


def pytest_report_header(config) -> str:
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    return f"database: {engine}"


def pytest_collection_modifyitems(config, items) -> None:
    """PostgreSQL-only tests skip loudly on SQLite locally and fail in CI if not on PostgreSQL."""
    from django.conf import settings

    on_postgres = "postgresql" in settings.DATABASES["default"]["ENGINE"]
    if on_postgres:
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(
            "CI must run the suite on PostgreSQL; DATABASE_URL is not PostgreSQL"
        )
    skip = pytest.mark.skip(reason="PostgreSQL-only: run with DATABASE_URL=postgres://...")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.exists():
        pytest.fail(f"{SHARED_DATA} is missing; tests need ../shared/data beside the project")
    return SHARED_DATA


@pytest.fixture
def on_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate limits (allauth's login throttling among them) live in the cache; start each test
    with none, so one test's failed sign-ins cannot lock out the next."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()
    yield
    for cache in caches.all():
        cache.clear()


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run a write and then its on_commit callbacks (emails, the page cache's version bump), as
    the request cycle would when its transaction commits."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


@pytest.fixture(autouse=True)
def _default_language():
    """A request to a /cy/ page leaves Welsh active in the thread after it; without this the
    next test would get Welsh messages and /cy/ addresses from code that runs outside a request."""
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture
def client(client, request):
    """Django's test client, with the caches every page reads (locales, site sections) already
    filled, as they are on a running site: query counts compare warm pages, not a cold start."""
    if request.node.get_closest_marker("django_db"):
        client.get("/__warm-the-caches__/")
    return client
