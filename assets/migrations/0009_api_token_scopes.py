# API tokens a bureau can manage (issue 20): name, scope, expiry; last_used_at empty until used.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assets", "0008_api_token"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="apitoken",
            options={
                "ordering": ["-created_at", "-id"],
                "verbose_name": "API token",
                "verbose_name_plural": "API tokens",
            },
        ),
        migrations.AlterField(
            model_name="apitoken",
            name="last_used_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="last used"
            ),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="name",
            field=models.CharField(blank=True, max_length=80, verbose_name="token name"),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="scope",
            field=models.CharField(
                choices=[
                    ("read", "Read only"),
                    ("scan", "Read and stocktake scans"),
                    ("full", "Everything the user may do"),
                ],
                default="full",
                editable=False,
                max_length=8,
                verbose_name="scope",
            ),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(editable=False, null=True, verbose_name="expires at"),
        ),
        # Tokens issued before expiry existed last the default 90 days from their issue.
        migrations.RunSQL(
            "UPDATE assets_apitoken SET expires_at = created_at + interval '90 days'",
            reverse_sql=migrations.RunSQL.noop,
        ),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(editable=False, verbose_name="expires at"),
        ),
        migrations.AddConstraint(
            model_name="apitoken",
            constraint=models.CheckConstraint(
                condition=models.Q(("scope__in", ["read", "scan", "full"])),
                name="api_token_scope",
            ),
        ),
        migrations.AddConstraint(
            model_name="apitoken",
            constraint=models.CheckConstraint(
                condition=models.Q(("expires_at__gt", models.F("created_at"))),
                name="api_token_expires_after_issue",
            ),
        ),
    ]
