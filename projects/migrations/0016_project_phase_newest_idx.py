from django.db import migrations, models

from core.migration_operations import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False  # the index is built beside the live table

    dependencies = [
        ("projects", "0015_project_combined_into"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="project",
            index=models.Index(
                condition=models.Q(
                    ("is_hidden", False),
                    ("state__in", ("seeking_support", "in_delivery", "completed", "closed")),
                ),
                fields=["phase", "-published_at", "-id"],
                name="project_phase_newest_idx",
            ),
        ),
    ]
