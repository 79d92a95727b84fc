"""``core.db.key_rows``: a listing's rows read as plain values filter, order and page as the
model's rows do."""

import pytest

from core.db import KeyRow, key_rows
from projects.filters import with_sort_keys
from projects.models import Project
from tests.factories import published_project

pytestmark = pytest.mark.django_db


def test_key_rows_carry_their_fields_their_pk_and_sort_keys_added_later():
    made = [published_project(title=f"Project {n}") for n in range(3)]
    rows = list(
        with_sort_keys(key_rows(Project.objects.all(), "id", "published_at"))
        .filter(pk__in=[p.pk for p in made[1:]])
        .order_by("-pk")[:5]
    )
    assert [type(r) for r in rows] == [KeyRow, KeyRow]
    assert [r.pk for r in rows] == [made[2].pk, made[1].pk]
    assert rows[0].published_at == Project.objects.get(pk=made[2].pk).published_at
    assert rows[0].money_committed_sort == 0
    rows[0].part_version = "7"  # a listing marks each row with its kept version
    assert rows[0].part_version == "7"
