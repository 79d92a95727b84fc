"""The activity log is append-only: the database refuses to change or remove an entry.

PostgreSQL refuses DELETE, and any UPDATE except the one deletion causes elsewhere: a foreign key
(actor, council, project) set to NULL when what it points at is deleted. SQLite (the demo
database) refuses UPDATE of the recorded columns.
"""

from django.db import migrations

PG_UP = """
CREATE OR REPLACE FUNCTION activity_activityentry_refuse_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
        AND (NEW.id, NEW.created_at, NEW.actor_name, NEW.action, NEW.target, NEW.reason,
             NEW.details::text)
            IS NOT DISTINCT FROM
            (OLD.id, OLD.created_at, OLD.actor_name, OLD.action, OLD.target, OLD.reason,
             OLD.details::text)
        AND (NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id OR NEW.actor_id IS NULL)
        AND (NEW.council_id IS NOT DISTINCT FROM OLD.council_id OR NEW.council_id IS NULL)
        AND (NEW.project_id IS NOT DISTINCT FROM OLD.project_id OR NEW.project_id IS NULL)
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the activity log is append-only: % on activity_activityentry refused', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER activity_activityentry_append_only
    BEFORE UPDATE OR DELETE ON activity_activityentry
    FOR EACH ROW EXECUTE FUNCTION activity_activityentry_refuse_change();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS activity_activityentry_append_only ON activity_activityentry;
DROP FUNCTION IF EXISTS activity_activityentry_refuse_change();
"""
SQLITE_UP = """
CREATE TRIGGER activity_activityentry_append_only
BEFORE UPDATE OF created_at, actor_name, action, target, reason, details
ON activity_activityentry
BEGIN
    SELECT RAISE(ABORT, 'the activity log is append-only: UPDATE on activity_activityentry refused');
END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS activity_activityentry_append_only;"


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
    dependencies = [("activity", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
