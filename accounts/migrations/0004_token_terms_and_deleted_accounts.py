"""Token terms (read-only or read-write, an optional expiry) beside Wagtail's APIToken, and a
mark on accounts their owners deleted. Tokens made before this keep what they could do: read
and write, with no expiry."""

import django.db.models.deletion
from django.db import migrations, models


def existing_tokens_read_write(apps, schema_editor):
    APIToken = apps.get_model("wagtailcore", "APIToken")
    TokenTerms = apps.get_model("accounts", "TokenTerms")
    TokenTerms.objects.bulk_create(
        [
            TokenTerms(token_id=pk, access="write", expires_at=None)
            for pk in APIToken.objects.filter(terms__isnull=True).values_list("pk", flat=True)
        ],
        batch_size=1000,
    )


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_organisers_translate'),
        ('wagtailcore', '0098_apitoken'),
    ]

    operations = [
        migrations.AddField(
            model_name='user',
            name='deleted_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='account deleted'),
        ),
        migrations.CreateModel(
            name='TokenTerms',
            fields=[
                ('token', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='terms', serialize=False, to='wagtailcore.apitoken')),
                ('access', models.CharField(choices=[('read', 'Read only'), ('write', 'Read and write')], default='write', max_length=8, verbose_name='access')),
                ('expires_at', models.DateTimeField(blank=True, null=True, verbose_name='expires')),
            ],
            options={
                'verbose_name': 'API token terms',
                'constraints': [models.CheckConstraint(condition=models.Q(('access__in', ['read', 'write'])), name='token_terms_access_valid')],
            },
        ),
        migrations.RunPython(existing_tokens_read_write, migrations.RunPython.noop),
    ]
