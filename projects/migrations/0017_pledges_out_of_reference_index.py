"""Pledges and their ledger events leave Wagtail's reference index (``Pledge`` says why): the
rows already recorded for them go too, so no admin page lists some pledges and not others."""

from django.db import migrations


def forget_pledge_references(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ReferenceIndex = apps.get_model("wagtailcore", "ReferenceIndex")
    ledger = ContentType.objects.filter(app_label="projects", model__in=("pledge", "pledgeevent"))
    ReferenceIndex.objects.filter(content_type__in=ledger).delete()
    ReferenceIndex.objects.filter(to_content_type__in=ledger).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("projects", "0016_project_phase_newest_idx"),
        ("wagtailcore", "0078_referenceindex"),
    ]

    operations = [migrations.RunPython(forget_pledge_references, migrations.RunPython.noop)]
