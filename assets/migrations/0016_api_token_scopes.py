# Issue 20: API tokens get a name, scope and expiry (last_used_at empty until first use), and
# single sign-on gets its role rules.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assets", "0015_security_log"),
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
        migrations.CreateModel(
            name="SsoRoleRule",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "claim",
                    models.CharField(
                        default="groups",
                        help_text="The name of the claim the identity provider sends, e.g. groups.",
                        max_length=64,
                        verbose_name="claim",
                    ),
                ),
                (
                    "value",
                    models.CharField(help_text="e.g. zcgl", max_length=128, verbose_name="value"),
                ),
                ("role", models.CharField(max_length=16, verbose_name="role")),
            ],
            options={
                "verbose_name": "single sign-on role rule",
                "verbose_name_plural": "single sign-on role rules",
                "ordering": ["claim", "value", "role"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("claim", "value", "role"), name="sso_role_rule_unique"
                    )
                ],
            },
        ),
    ]
