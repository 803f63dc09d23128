"""The card's indexes, reviewed: keep what a filter, scope, ordering or lookup uses, drop the rest.

Every index costs each write: closing a stocktake updates most of the register and an import
inserts tens of thousands of cards. Of the 26 indexes on `assets_asset` this drops:

- the six per-column trigram indexes of `?q=`, for one over the searched fields together
  (`selectors.AssetSearchText`): one bitmap scan instead of an OR of six, 14 MB instead of 42 MB
  at 200,000 cards, one GIN insert per written card instead of six;
- `asset_using_dept`: the same column as the foreign key's own index;
- `asset_name`: nothing filters, orders or looks up cards by exact name (`?q=` uses trigrams);
- the owner foreign key's own index: `asset_owner_status` starts with the same column;
- the custodian account's foreign key index: nothing selects cards by account, and accounts are
  deactivated, never deleted;
- serial number's btree and its `_like` twin: nothing looks a card up by exact serial (the
  stocktake compares a line's serial in Python, the search goes through trigrams);
- the `varchar_pattern_ops` twins Django adds for `tag`, `legacy_number` and `status`: they serve
  only `LIKE 'prefix%'`, which no query runs; equality and `IN` use the plain btrees, which stay
  (tag: unique, lookups and ordering; legacy number: the import's matching; status: filters).
"""

from django.conf import settings
from django.db import migrations, models

TABLE = "assets_asset"
OLD_TRIGRAM = ("tag", "name", "model", "serial_number", "legacy_number", "custodian")
# Exactly the SQL Django writes for `UPPER(AssetSearchText())` in an `icontains` lookup, so the
# planner matches the index (tests/assets/test_search.py checks the plan).
SEARCH_EXPRESSION = (
    "UPPER((" + " || CHR(31) || ".join(f"{c}::text" for c in OLD_TRIGRAM) + ")::text)"
)
PATTERN_TWINS = {
    "assets_asset_tag_ba191a49_like": "tag",
    "assets_asset_legacy_number_c34c08df_like": "legacy_number",
    "assets_asset_status_617037a1_like": "status",
}


ONE_SEARCH_INDEX = [
    f"CREATE INDEX IF NOT EXISTS asset_search_trgm ON {TABLE} "
    f"USING gin ({SEARCH_EXPRESSION} gin_trgm_ops)",
    *(f"DROP INDEX IF EXISTS asset_{column}_trgm" for column in OLD_TRIGRAM),
    *(f"DROP INDEX IF EXISTS {name}" for name in PATTERN_TWINS),
]
SIX_SEARCH_INDEXES = [
    *(
        f"CREATE INDEX IF NOT EXISTS {name} ON {TABLE} ({column} varchar_pattern_ops)"
        for name, column in PATTERN_TWINS.items()
    ),
    *(
        f"CREATE INDEX IF NOT EXISTS asset_{column}_trgm ON {TABLE} "
        f"USING gin (UPPER({column}::text) gin_trgm_ops)"
        for column in OLD_TRIGRAM
    ),
    "DROP INDEX IF EXISTS asset_search_trgm",
]


class Migration(migrations.Migration):
    dependencies = [
        ("assets", "0006_asset_half_full_pages"),
    ]

    operations = [
        migrations.RunSQL(ONE_SEARCH_INDEX, SIX_SEARCH_INDEXES, elidable=False),
        migrations.RemoveIndex(model_name="asset", name="asset_using_dept"),
        migrations.RemoveIndex(model_name="asset", name="asset_name"),
        migrations.AlterField(
            model_name="asset",
            name="custodian_user",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=models.deletion.PROTECT,
                related_name="custodied_assets",
                to=settings.AUTH_USER_MODEL,
                verbose_name="custodian account",
            ),
        ),
        migrations.AlterField(
            model_name="asset",
            name="owner_department",
            field=models.ForeignKey(
                db_index=False,
                on_delete=models.deletion.PROTECT,
                related_name="owned_assets",
                to="assets.department",
                verbose_name="owning department",
            ),
        ),
        migrations.AlterField(
            model_name="asset",
            name="serial_number",
            field=models.CharField(blank=True, max_length=120, verbose_name="serial number"),
        ),
    ]
