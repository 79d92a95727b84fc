"""A project's pledges newest first, now holding what the public listing's keys read (the
model's Meta says why): the new index is built beside the live table, then the old one goes."""

from django.db import migrations, models

from core.migration_operations import AddIndexConcurrently, RemoveIndexConcurrently


class Migration(migrations.Migration):
    atomic = False  # the indexes are built and dropped beside the live table

    dependencies = [
        ("projects", "0017_pledges_out_of_reference_index"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="pledge",
            index=models.Index(
                fields=["project", "-created_at", "-id"],
                include=("council", "offered_at"),
                name="pledge_project_listing_idx",
            ),
        ),
        RemoveIndexConcurrently(model_name="pledge", name="pledge_project_newest_idx"),
    ]
