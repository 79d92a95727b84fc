"""Indexes on tables that hold live data are built without locking out writes."""

import pytest
from django.apps import apps
from django.db import connection, models
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import AddIndex, RemoveIndex
from django.db.migrations.state import ProjectState

from core.migration_operations import AddIndexConcurrently, RemoveIndexConcurrently

# Tables that grow with use. A migration written after these (the state of the schema when the
# rule was made) that adds or drops an index on one of them must do it concurrently.
GROWING_MODELS = {
    ("projects", "pledge"),
    ("projects", "pledgeevent"),
    ("projects", "project"),
    ("projects", "need"),
    ("projects", "follow"),
    ("projects", "update"),
    ("projects", "notification"),
    ("projects", "teammembership"),
    ("councils", "membership"),
    ("accounts", "user"),
}
RULE_MADE_AFTER = {"projects": 5, "councils": 1, "accounts": 3}


def test_new_migrations_index_growing_tables_concurrently():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    offenders = []
    for (app_label, name), migration in loader.disk_migrations.items():
        number = int(name.split("_", 1)[0]) if name[:4].isdigit() else 0
        if number <= RULE_MADE_AFTER.get(app_label, 0):
            continue
        for operation in migration.operations:
            plain = type(operation) in {AddIndex, RemoveIndex}
            if plain and (app_label, operation.model_name.lower()) in GROWING_MODELS:
                offenders.append(f"{app_label}.{name}: {operation.describe()}")
            if isinstance(operation, AddIndexConcurrently | RemoveIndexConcurrently):
                assert migration.atomic is False, f"{app_label}.{name} must set atomic = False"
    assert offenders == [], "use core.migration_operations.AddIndexConcurrently: " + "; ".join(
        offenders
    )


def index_names(table: str) -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, table))


@pytest.mark.django_db(transaction=True)
def test_the_concurrent_index_is_built_and_dropped_on_a_live_table():
    state = ProjectState.from_apps(apps)
    index = models.Index(fields=["created_at"], name="follow_created_concurrent")
    add = AddIndexConcurrently("follow", index)
    new_state = state.clone()
    add.state_forwards("projects", new_state)
    table = apps.get_model("projects", "Follow")._meta.db_table

    with connection.schema_editor(atomic=False) as editor:
        add.database_forwards("projects", editor, state, new_state)
    assert "follow_created_concurrent" in index_names(table)

    remove = RemoveIndexConcurrently("follow", "follow_created_concurrent")
    final_state = new_state.clone()
    remove.state_forwards("projects", final_state)
    with connection.schema_editor(atomic=False) as editor:
        remove.database_forwards("projects", editor, new_state, final_state)
    assert "follow_created_concurrent" not in index_names(table)
