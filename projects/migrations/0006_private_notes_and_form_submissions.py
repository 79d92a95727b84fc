"""Notes only the pledging and the lead council see, and web forms' one-time submission keys.

Adding a column to the ledger table on SQLite rebuilds the table, which drops its append-only
trigger; it is put back here. PostgreSQL adds the column in place (no UPDATE, so its trigger
neither fires nor goes).
"""

import importlib

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

append_only = importlib.import_module("projects.migrations.0002_ledger_append_only")


def restore_sqlite_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(append_only.SQLITE_DOWN)
        schema_editor.execute(append_only.SQLITE_UP)


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0005_language"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="pledge",
            name="private_note",
            field=models.TextField(
                blank=True, max_length=2000, verbose_name="note for the two councils only"
            ),
        ),
        migrations.AddField(
            model_name="pledgeevent",
            name="private_note",
            field=models.TextField(blank=True, max_length=2000),
        ),
        migrations.RunPython(restore_sqlite_trigger, migrations.RunPython.noop),
        migrations.CreateModel(
            name="FormSubmission",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.UUIDField()),
                ("result_url", models.CharField(max_length=500)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("user", "key"), name="one_submission_per_key")
                ]
            },
        ),
    ]
