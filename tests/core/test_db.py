"""The PostgreSQL backend reads timestamps with psycopg's compiled loader, to the same values."""

import datetime
import zoneinfo

import pytest
from django.db import connection

from projects.models import Project
from tests.factories import published_project

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the loader is PostgreSQL's"),
]

LONDON = zoneinfo.ZoneInfo("Europe/London")


def test_timestamps_read_back_as_the_same_instants_in_utc():
    summer = datetime.datetime(2026, 7, 1, 9, 30, 15, 123456, tzinfo=LONDON)
    winter = datetime.datetime(2026, 12, 1, 23, 59, 59, tzinfo=LONDON)
    ids = []
    for moment in (summer, winter):
        project = published_project()
        Project.objects.filter(pk=project.pk).update(published_at=moment)
        ids.append(project.pk)

    read = [Project.objects.get(pk=pk).published_at for pk in ids]

    assert read == [summer, winter]
    assert all(value.tzinfo is datetime.UTC for value in read)
    assert read[0].hour == 8  # 9:30 in London's summer is 8:30 UTC


def test_the_compiled_loader_reads_what_djangos_own_would():
    from django.db.backends.postgresql.psycopg_any import register_tzloader

    sql = "SELECT now(), timestamptz '2026-03-29 00:59:59.5+00', timestamptz '1999-12-31 23:00-05'"
    with connection.cursor() as cursor:
        loader = cursor.cursor.adapters.get_loader(1184, 0)  # timestamptz, text
        cursor.execute(sql)
        fast = cursor.fetchone()
    with connection.cursor() as cursor:
        register_tzloader(datetime.UTC, cursor.cursor)
        cursor.execute(sql)
        django_own = cursor.fetchone()

    assert "psycopg_binary" in loader.__module__ or "psycopg_c" in loader.__module__
    assert fast[1:] == django_own[1:]
    assert [v.tzinfo for v in fast] == [v.tzinfo for v in django_own] == [datetime.UTC] * 3
