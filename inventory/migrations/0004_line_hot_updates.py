"""Counting and closing rewrite a line's result in place (PostgreSQL HOT updates).

A line's `result` is in no index, and its pages are half filled, so the one update each line gets
(a scan, or 盘亏 at close) stays on the same page and touches none of the line's indexes.
"""

from django.db import migrations

TABLE = "inventory_stocktakeline"


def half_full_pages(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} SET (fillfactor = 50)")


def full_pages(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0003_line_indexes"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="stocktakeline",
            name="line_campaign_result",
        ),
        migrations.RunPython(half_full_pages, full_pages),
    ]
