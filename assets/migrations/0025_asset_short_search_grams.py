"""One- and two-character `?q=` searches served by an index, matching any part as before.

Most Chinese words are two characters (王伟, 电脑, 台式) and a trigram index has no trigram for
them: PostgreSQL read every card (1.5 s for an administrator's `?q=王伟` at 1,000,000 cards).
`yika_short_grams(text)` is the set of distinct one- and two-character substrings of
`UPPER(text)` (the case rule of `icontains`, which PostgreSQL runs as `UPPER(x) LIKE UPPER(q)`),
leaving out any that contains the field separator CHR(31) (`selectors.SEARCH_SEPARATOR`, which a
search never contains), so no gram spans two fields. A GIN index over it on exactly the
expression `selectors.AssetSearchText` compiles to serves `selectors.ShortSearch`:
`yika_short_grams(text) @> ARRAY[UPPER(q)]` is true exactly when `UPPER(q)`, one or two
characters long, is a substring of one field's `UPPER(...)` - what `icontains` answers
(tests/assets/test_search.py compares the two on random cards and checks the plan).
Searches of three characters and more keep the trigram index of migration 0007.

At 1,000,000 cards (bench/scale.py): the administrator's `?q=王伟` page query 1.1 s (parallel
seq scan) -> 4-5 ms (bitmap scan of this index); the index is 87 MB beside the trigram index's
119 MB, built in about 4.5 minutes; updating the name of 10,000 cards costs about 2.4 s more
with it (3.4 s -> 5.8 s on a loaded machine), most of it computing the grams.
"""

from django.db import migrations

# The searched fields as `selectors.AssetSearchText` compiles them (as migration 0007's
# SEARCH_EXPRESSION, without its UPPER), so the planner matches the index to the query.
SEARCHED = ("tag", "name", "model", "serial_number", "legacy_number", "custodian")
SEARCH_TEXT = "(" + " || CHR(31) || ".join(f"{c}::text" for c in SEARCHED) + ")"

FUNCTION = r"""
CREATE OR REPLACE FUNCTION yika_short_grams(text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT gram), '{}')
    FROM (SELECT upper($1) AS u) AS s,
        generate_series(1, char_length(s.u)) AS i,
        LATERAL (VALUES (substr(s.u, i, 1)), (substr(s.u, i, 2))) AS g(gram)
    WHERE strpos(g.gram, chr(31)) = 0
$$
"""

CREATE = [
    FUNCTION,
    "CREATE INDEX IF NOT EXISTS asset_search_short_grams ON assets_asset "
    f"USING gin (yika_short_grams({SEARCH_TEXT}) array_ops)",
]
DROP = [
    "DROP INDEX IF EXISTS asset_search_short_grams",
    "DROP FUNCTION IF EXISTS yika_short_grams(text)",
]


class Migration(migrations.Migration):
    dependencies = [
        ("assets", "0024_disposal_reason_code"),
    ]

    operations = [
        migrations.RunSQL(CREATE, DROP, elidable=False),
    ]
