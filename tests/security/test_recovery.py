"""Health and recovery: /healthz/ready tells a load balancer when the database is down or the
static files are missing (and reports the cache), /healthz/live only that the process answers, and
a backup (dumpdata) restores into an emptied database (flush, loaddata) with the same rows and
the pledge ledger intact.

The ledger's append-only trigger (projects migration 0002, PostgreSQL) refuses UPDATE and
DELETE on pledge events, so emptying the database has to TRUNCATE (``flush`` does on
PostgreSQL; row triggers do not fire on TRUNCATE) and restoring only INSERTs, which the trigger
allows. The test runs in a transaction, so the emptied database is put back afterwards.
"""

import io
from contextlib import contextmanager
from unittest import mock

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import DatabaseError, OperationalError, connection, transaction

from projects.ledger import check_ledger
from projects.models import Pledge, PledgeEvent

pytestmark = pytest.mark.django_db


READY = {"status": "ok", "database": "ok", "static": "ok", "cache": "ok"}


@pytest.mark.parametrize("path", ["/healthz/ready", "/healthz"])
def test_ready_is_200_when_the_database_static_files_and_cache_answer(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.json() == READY
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_ready_is_503_when_the_database_is_down(client):
    with mock.patch(
        "core.views.connection.cursor", side_effect=OperationalError("connection refused")
    ):
        response = client.get("/healthz/ready")
    assert response.status_code == 503
    assert response.json() == {**READY, "status": "error", "database": "error"}


def test_ready_is_503_when_static_files_were_not_collected(client, tmp_path, settings):
    """Production's manifest storage with nothing collected: every page would be a 500, so the
    load balancer must not send this server traffic."""
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
        client.get("/councils/")

    response = client.get("/healthz/ready")

    assert response.status_code == 503
    assert response.json() == {**READY, "status": "error", "static": "error"}


def test_a_cache_that_is_down_is_reported_but_the_server_stays_ready(client):
    """Pages render without the cache (core.cache), so a Redis outage must not take every
    app server out of the load balancer's pool."""
    with mock.patch("core.views.cache.set", side_effect=ConnectionError("redis down")):
        response = client.get("/healthz/ready")
    assert response.status_code == 200
    assert response.json() == {**READY, "status": "degraded", "cache": "error"}


def test_live_answers_whatever_the_database_says(client):
    with mock.patch(
        "core.views.connection.cursor", side_effect=OperationalError("connection refused")
    ):
        response = client.get("/healthz/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@contextmanager
def _constraints_checked_now():
    """PostgreSQL will not TRUNCATE a table with foreign-key checks still pending in this
    transaction (Django's are deferred, and the test wrote rows a moment ago): run them now, and
    defer them again for loaddata, which inserts in any order."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _counts() -> dict[str, int]:
    labels = ("accounts", "councils", "projects", "cms", "wagtailcore", "account", "auth")
    return {
        model._meta.label: model._base_manager.count()
        for label in labels
        for model in apps.get_app_config(label).get_models()
    }


def test_the_demo_data_round_trips_through_dumpdata_and_loaddata(tmp_path):
    call_command("load_demo", force=True, stdout=io.StringIO())
    assert PledgeEvent.objects.exists(), "the demo should have a ledger to restore"
    assert check_ledger() == []
    before = _counts()
    ledger = list(PledgeEvent.objects.order_by("pk").values())
    pledges = list(Pledge.objects.order_by("pk").values())
    backup = tmp_path / "backup.json"

    call_command(
        "dumpdata",
        "--exclude=sessions",
        "--exclude=wagtailsearch",
        "--indent=0",
        f"--output={backup}",
        stdout=io.StringIO(),
    )
    with _constraints_checked_now():
        call_command("flush", interactive=False, inhibit_post_migrate=True, stdout=io.StringIO())
    assert PledgeEvent.objects.count() == 0 and Pledge.objects.count() == 0
    call_command("loaddata", str(backup), stdout=io.StringIO())

    assert _counts() == before
    assert list(PledgeEvent.objects.order_by("pk").values()) == ledger
    assert list(Pledge.objects.order_by("pk").values()) == pledges
    assert check_ledger() == []


@pytest.mark.postgres
def test_the_restored_ledger_is_still_append_only(tmp_path):
    """After a restore the trigger still refuses changes to the ledger (and flush's TRUNCATE is
    the only way to empty it)."""
    call_command("load_demo", force=True, stdout=io.StringIO())
    backup = tmp_path / "backup.json"
    call_command("dumpdata", "projects", f"--output={backup}", stdout=io.StringIO())
    with pytest.raises(DatabaseError), transaction.atomic():
        PledgeEvent.objects.all().delete()
    with _constraints_checked_now(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE projects_pledgeevent CASCADE")
    call_command("loaddata", str(backup), stdout=io.StringIO())
    assert PledgeEvent.objects.exists()
    with pytest.raises(DatabaseError), transaction.atomic():
        PledgeEvent.objects.update(note="rewritten")
    assert check_ledger() == []
