"""Migration operations that keep the site serving while they run.

On PostgreSQL, ``CREATE INDEX`` locks the table against writes until the index is built; on a
table with millions of ledger rows that is minutes of failed pledges. ``AddIndexConcurrently``
builds it beside the live table instead (the migration must say ``atomic = False``). SQLite, the
demo's database, has no such thing and no such load, so there it is a plain ``AddIndex``.
"""

from django.contrib.postgres.operations import AddIndexConcurrently as PostgresAddIndexConcurrently
from django.contrib.postgres.operations import (
    RemoveIndexConcurrently as PostgresRemoveIndexConcurrently,
)
from django.db.migrations.operations import AddIndex, RemoveIndex


class AddIndexConcurrently(PostgresAddIndexConcurrently):
    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)
        else:
            AddIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
        else:
            AddIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)


class RemoveIndexConcurrently(PostgresRemoveIndexConcurrently):
    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)
        else:
            RemoveIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
        else:
            RemoveIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)
