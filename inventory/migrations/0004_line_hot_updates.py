"""Counting and closing rewrite a line's result in place (PostgreSQL HOT updates).

A line's `result` is in no index, and its pages are half filled, so the one update each line gets
(a scan, or 盘亏 at close) stays on the same page and touches none of the line's indexes.
"""

from django.db import migrations

TABLE = "inventory_stocktakeline"


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0003_line_indexes"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="stocktakeline",
            name="line_campaign_result",
        ),
        migrations.RunSQL(
            f"ALTER TABLE {TABLE} SET (fillfactor = 50)", f"ALTER TABLE {TABLE} RESET (fillfactor)"
        ),
    ]
