"""Cards keep half-full pages, so a stocktake's close flags them in place (HOT).

Closing a campaign sets `suspected_shortage` on every missing card in one UPDATE. That column is
in no index, so with room on the page each new row version stays there and none of the card's
~26 indexes (six of them trigram GIN) is touched: on 100,000 cards the UPDATE fell from ~8 s to
under 1 s (bench/stocktake.py). The setting applies to pages written from now on; an existing
register converges as its pages are rewritten and vacuumed (or at once with VACUUM FULL).
"""

from django.db import migrations

TABLE = "assets_asset"


class Migration(migrations.Migration):
    dependencies = [
        ("assets", "0005_asset_search_trigram_indexes"),
    ]

    operations = [
        migrations.RunSQL(
            f"ALTER TABLE {TABLE} SET (fillfactor = 50)", f"ALTER TABLE {TABLE} RESET (fillfactor)"
        ),
    ]
