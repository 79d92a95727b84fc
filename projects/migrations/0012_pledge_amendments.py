"""Amendments: a changed amount is a new pledge that ``amends`` the original (never an edit),
proposed to the owner, and the original is superseded when the owner accepts it. At most one
live amendment per original; ledger events name the other pledge where the two meet.

Changing the ledger table on SQLite rebuilds it, which drops its append-only trigger; it is put
back at the end, as in 0006. PostgreSQL changes the table in place and keeps its trigger.
"""

import importlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

append_only = importlib.import_module("projects.migrations.0002_ledger_append_only")


def restore_sqlite_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(append_only.SQLITE_DOWN)
        schema_editor.execute(append_only.SQLITE_UP)


class Migration(migrations.Migration):
    dependencies = [
        ("councils", "0002_delegated_limits_and_approvers"),
        ("projects", "0011_pledge_conditions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="pledge",
            name="pledge_state_valid",
        ),
        migrations.RemoveConstraint(
            model_name="pledgeevent",
            name="pledge_event_to_state_valid",
        ),
        migrations.RemoveConstraint(
            model_name="pledgeevent",
            name="pledge_event_shape",
        ),
        migrations.AddField(
            model_name="pledge",
            name="amends",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="amendments",
                to="projects.pledge",
                verbose_name="amends",
            ),
        ),
        migrations.AddField(
            model_name="pledgeevent",
            name="linked_pledge",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="projects.pledge",
            ),
        ),
        migrations.AlterField(
            model_name="pledge",
            name="state",
            field=models.CharField(
                choices=[
                    ("pending", "Awaiting approval"),
                    ("refused", "Refused by the council"),
                    ("conditional", "Conditional: waiting for other councils"),
                    ("offered", "Offered"),
                    ("accepted", "Accepted"),
                    ("declined", "Declined"),
                    ("withdrawn", "Withdrawn"),
                    ("fulfilled", "Fulfilled"),
                    ("lapsed", "Lapsed: condition not met"),
                    ("proposed", "Change proposed"),
                    ("superseded", "Replaced by an amendment"),
                ],
                default="offered",
                max_length=12,
                verbose_name="state",
            ),
        ),
        migrations.AlterField(
            model_name="pledgeevent",
            name="from_state",
            field=models.CharField(
                blank=True,
                choices=[
                    ("pending", "Awaiting approval"),
                    ("refused", "Refused by the council"),
                    ("conditional", "Conditional: waiting for other councils"),
                    ("offered", "Offered"),
                    ("accepted", "Accepted"),
                    ("declined", "Declined"),
                    ("withdrawn", "Withdrawn"),
                    ("fulfilled", "Fulfilled"),
                    ("lapsed", "Lapsed: condition not met"),
                    ("proposed", "Change proposed"),
                    ("superseded", "Replaced by an amendment"),
                ],
                max_length=12,
            ),
        ),
        migrations.AlterField(
            model_name="pledgeevent",
            name="to_state",
            field=models.CharField(
                choices=[
                    ("pending", "Awaiting approval"),
                    ("refused", "Refused by the council"),
                    ("conditional", "Conditional: waiting for other councils"),
                    ("offered", "Offered"),
                    ("accepted", "Accepted"),
                    ("declined", "Declined"),
                    ("withdrawn", "Withdrawn"),
                    ("fulfilled", "Fulfilled"),
                    ("lapsed", "Lapsed: condition not met"),
                    ("proposed", "Change proposed"),
                    ("superseded", "Replaced by an amendment"),
                ],
                max_length=12,
            ),
        ),
        migrations.AddConstraint(
            model_name="pledge",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "state__in",
                        [
                            "pending",
                            "refused",
                            "conditional",
                            "offered",
                            "accepted",
                            "declined",
                            "withdrawn",
                            "fulfilled",
                            "lapsed",
                            "proposed",
                            "superseded",
                        ],
                    )
                ),
                name="pledge_state_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="pledge",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    ("state__in", ("pending", "proposed", "offered", "accepted", "fulfilled"))
                ),
                fields=("amends",),
                name="pledge_one_live_amendment",
            ),
        ),
        migrations.AddConstraint(
            model_name="pledgeevent",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "to_state__in",
                        [
                            "pending",
                            "refused",
                            "conditional",
                            "offered",
                            "accepted",
                            "declined",
                            "withdrawn",
                            "fulfilled",
                            "lapsed",
                            "proposed",
                            "superseded",
                        ],
                    )
                ),
                name="pledge_event_to_state_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="pledgeevent",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("sequence", 1),
                        ("from_state", ""),
                        ("to_state__in", ("offered", "pending", "conditional", "proposed")),
                    ),
                    models.Q(
                        ("sequence__gt", 1),
                        models.Q(("from_state", ""), _negated=True),
                        models.Q(("to_state", models.F("from_state")), _negated=True),
                    ),
                    _connector="OR",
                ),
                name="pledge_event_shape",
            ),
        ),
        migrations.RunPython(restore_sqlite_trigger, migrations.RunPython.noop),
    ]
