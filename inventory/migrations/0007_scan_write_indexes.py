"""Counts and the scan log: every scan inserts one of each, and waits for each index.

Dropped, with what covers them: the count's campaign index (its unique (campaign, asset) key),
its asset and counter indexes (nothing reads counts by them; cards and users are never
deleted); the scan log's campaign index (its (campaign, received_at) index), its line,
location and scanner indexes (nothing reads the log by them). Kept: every unique key, which is
how a scan counts once and a resent key is refused.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assets", "0007_asset_index_review"),
        ("inventory", "0006_line_hosts_embedded"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="stocktakecount",
            name="asset",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="assets.asset",
                verbose_name="asset",
            ),
        ),
        migrations.AlterField(
            model_name="stocktakecount",
            name="campaign",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="inventory.stocktakecampaign",
                verbose_name="campaign",
            ),
        ),
        migrations.AlterField(
            model_name="stocktakecount",
            name="counted_by",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="counted by",
            ),
        ),
        migrations.AlterField(
            model_name="stocktakescan",
            name="campaign",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="scans",
                to="inventory.stocktakecampaign",
                verbose_name="campaign",
            ),
        ),
        migrations.AlterField(
            model_name="stocktakescan",
            name="line",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="scans",
                to="inventory.stocktakeline",
                verbose_name="line",
            ),
        ),
        migrations.AlterField(
            model_name="stocktakescan",
            name="location",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="assets.location",
                verbose_name="location",
            ),
        ),
        migrations.AlterField(
            model_name="stocktakescan",
            name="scanned_by",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="scanned by",
            ),
        ),
    ]
