"""Every install has the Local Digital Declaration, the commitment most funding calls ask of
councils (issue 20). Organisers add others in the Wagtail admin."""

from django.db import migrations

DECLARATION = {
    "slug": "local-digital-declaration",
    "name": "Local Digital Declaration",
    "name_cy": "Datganiad Digidol Lleol",
    "url": "https://www.localdigital.gov.uk/declaration/",
}


def add_declaration(apps, schema_editor):
    Commitment = apps.get_model("councils", "Commitment")
    # Kept as it is where an organiser already added it (by its slug or its name).
    if Commitment.objects.filter(slug=DECLARATION["slug"]).exists():
        return
    if Commitment.objects.filter(name=DECLARATION["name"]).exists():
        return
    Commitment.objects.create(**DECLARATION)


def remove_declaration(apps, schema_editor):
    """Going back removes it only if no council has recorded signing it."""
    Commitment = apps.get_model("councils", "Commitment")
    Commitment.objects.filter(slug=DECLARATION["slug"], signatories__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("councils", "0003_commitment_councilcommitment"),
    ]

    operations = [
        migrations.RunPython(add_declaration, remove_declaration),
    ]
