import os
from pathlib import Path

import pytest
from django.db import connection

SHARED_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


def pytest_configure(config) -> None:
    """Under ``make test``'s two processes, each its own SMTP ports (``bench.smtp.free_port``)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if worker.startswith("gw") and "SMTP_TEST_PORTS" not in os.environ:
        start = 8500 + 100 * int(worker[2:])
        os.environ["SMTP_TEST_PORTS"] = f"{start}-{start + 100}"


def pytest_report_header(config) -> str:
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    return f"database: {engine}"


@pytest.hookimpl(trylast=True)  # after pytest-django has put the transactional tests last
def pytest_collection_modifyitems(config, items) -> None:
    if config.pluginmanager.hasplugin("xdist") and config.getoption("dist") == "loadgroup":
        _transactional_tests_in_two_groups(items)
    _postgres_only(items)


def pytest_collection_finish(session) -> None:
    """Nothing may reach the database while tests are collected (a module-level schema load, say):
    the connection pool would be made for the real database before the test database exists, and
    every test after it would run there."""
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        if conn.alias in getattr(type(conn), "_connection_pools", {}):
            raise pytest.UsageError(
                f"the {conn.alias!r} database was used while collecting tests; read it in a "
                "fixture instead"
            )


def _transactional_tests_in_two_groups(items) -> None:
    """With ``-n 2 --dist loadgroup`` (``make test``), the transactional tests run as two groups,
    one per worker, after all the others. Each empties its database when it ends (the data the
    migrations made goes too), so on each worker nothing that expects that data may follow one;
    a group is handed out only after every test before it, so none does."""
    transactional = [
        item
        for item in items
        if {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ()))
        or any(m.kwargs.get("transaction") for m in item.iter_markers("django_db"))
    ]
    files: dict[str, list] = {}
    for item in transactional:
        files.setdefault(item.nodeid.split("::")[0], []).append(item)
    sizes = [0, 0]
    for tests in sorted(files.values(), key=len, reverse=True):  # whole files, balanced by count
        group = sizes.index(min(sizes))
        sizes[group] += len(tests)
        for item in tests:
            item.add_marker(pytest.mark.xdist_group(f"transactional-{group}"))


def _postgres_only(items) -> None:
    """PostgreSQL-only tests skip loudly on SQLite locally and fail in CI if not on PostgreSQL."""
    from django.conf import settings

    if "postgresql" in settings.DATABASES["default"]["ENGINE"]:
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
