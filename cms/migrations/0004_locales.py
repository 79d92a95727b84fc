"""The two content languages as Wagtail locales: English (en-gb, the default) and Welsh (cy).

Wagtail makes the first locale from LANGUAGE_CODE as it stood when its own migrations ran; a
database made with another setting may call it "en". Pages keep their locale either way, so
this renames that locale rather than making a second English one.
"""

from django.db import migrations

DEFAULT = "en-gb"
WELSH = "cy"


def create_locales(apps, schema_editor):
    Locale = apps.get_model("wagtailcore.Locale")

    if not Locale.objects.filter(language_code=DEFAULT).exists():
        first = Locale.objects.exclude(language_code=WELSH).order_by("pk").first()
        if first is None:
            Locale.objects.create(language_code=DEFAULT)
        else:
            first.language_code = DEFAULT
            first.save(update_fields=["language_code"])
    Locale.objects.get_or_create(language_code=WELSH)


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0003_collections_news"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(create_locales, migrations.RunPython.noop)]
