"""The home page's national figures read from an index of the visible projects' phases and
totals (the model's Meta says why), built beside the live table."""

from django.db import migrations, models

from core.migration_operations import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False  # the index is built beside the live table

    dependencies = [
        ("projects", "0018_pledge_listing_covering_index"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="project",
            index=models.Index(
                condition=models.Q(
                    ("is_hidden", False),
                    ("state__in", ("seeking_support", "in_delivery", "completed", "closed")),
                ),
                fields=["phase"],
                include=(
                    "money_offered",
                    "money_accepted",
                    "money_fulfilled",
                    "half_days_offered",
                    "half_days_accepted",
                    "half_days_fulfilled",
                    "money_conditional",
                    "money_matched",
                    "half_days_conditional",
                    "half_days_matched",
                ),
                name="project_headline_totals_idx",
            ),
        ),
    ]
