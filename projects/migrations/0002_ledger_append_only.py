"""The pledge ledger is append-only: the database itself refuses to change or remove an event.

PostgreSQL refuses UPDATE and DELETE with a trigger. SQLite (the demo database) refuses UPDATE;
it allows DELETE only because its test-database flush deletes row by row.
"""

from django.db import migrations

PG_UP = """
CREATE OR REPLACE FUNCTION projects_pledgeevent_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the pledge ledger is append-only: % on projects_pledgeevent refused', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER projects_pledgeevent_append_only
    BEFORE UPDATE OR DELETE ON projects_pledgeevent
    FOR EACH ROW EXECUTE FUNCTION projects_pledgeevent_refuse_change();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS projects_pledgeevent_append_only ON projects_pledgeevent;
DROP FUNCTION IF EXISTS projects_pledgeevent_refuse_change();
"""
SQLITE_UP = """
CREATE TRIGGER projects_pledgeevent_append_only
BEFORE UPDATE ON projects_pledgeevent
BEGIN
    SELECT RAISE(ABORT, 'the pledge ledger is append-only: UPDATE on projects_pledgeevent refused');
END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS projects_pledgeevent_append_only;"


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        # params=None: the function body has a literal %, which must not be read as a parameter.
        schema_editor.execute(PG_UP, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_UP)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_DOWN, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_DOWN)


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
