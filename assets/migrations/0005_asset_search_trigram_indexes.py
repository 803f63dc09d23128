"""Trigram GIN indexes for the register's `?q=` search.

`selectors.filter_assets` searches with `icontains`, which PostgreSQL runs as
`UPPER(col::text) LIKE UPPER('%q%')`; these expression indexes serve exactly that, so a search
over 200,000 cards stays an index scan (bench/register.py). pg_trgm splits CJK text into
trigrams too under a UTF-8 ctype. Creating the extension needs a role allowed to do so (it is a
trusted extension from PostgreSQL 13 on, so the database owner may).
"""

from django.db import migrations

SEARCHED = ("tag", "name", "model", "serial_number", "legacy_number", "custodian")


class Migration(migrations.Migration):
    dependencies = [("assets", "0004_import_job")]

    operations = [
        migrations.RunSQL(
            [
                "CREATE EXTENSION IF NOT EXISTS pg_trgm",
                *(
                    f"CREATE INDEX IF NOT EXISTS asset_{column}_trgm ON assets_asset "
                    f"USING gin (UPPER({column}::text) gin_trgm_ops)"
                    for column in SEARCHED
                ),
            ],
            [f"DROP INDEX IF EXISTS asset_{column}_trgm" for column in SEARCHED],
            elidable=False,
        )
    ]
