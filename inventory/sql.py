"""Inventory's hand-written SQL, beside its models: each statement where a benchmark showed the ORM
cost more than the database (bench/stocktake.py), and each with an oracle test comparing its rows
with the ORM definition of the same rows (tests/inventory/test_sql.py, test_counter_scope.py).

Table and column names come from the models and every value is a parameter. Who may do what is
not decided here: `inventory.permissions` hands the rules in (a counter's trees, for instance).
"""

from __future__ import annotations

from django.db import connection
from django.db.models.expressions import RawSQL

from assets.models import Asset, Location
from assets.sql import department_tree_sql, tree_cte
from config.sql import quote_column, quote_columns, quote_table
from inventory.models import (
    CounterAssignment,
    StocktakeCampaign,
    StocktakeCount,
    StocktakeLine,
    StocktakeScan,
)
from labels.models import Label

# ---------------------------------------------------------------------------------- values


def db_value(value):
    """A parameter for hand-written SQL: a model instance as its key, anything else as it is."""
    return getattr(value, "pk", value)


# ---------------------------------------------------------------------------------- activation


def insert_from_select(model, column_names: list[str], queryset) -> int:
    """`INSERT INTO model (columns) SELECT …`: a set-based copy, no rows through Python."""
    select, params = queryset.query.sql_with_params()
    names = ", ".join(quote_columns(model, column_names))
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote_table(model)} ({names}) {select}", params)  # noqa: S608
        return cursor.rowcount


def analyze(model) -> None:
    """Fresh planner statistics for `model`'s table (after a bulk insert)."""
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {quote_table(model)}")


def subtree_ids(model, ids: list[int]) -> list[int]:
    """The ids of `model` (a department, location or category tree) at or below any of `ids`:
    one walk from all of them (the campaign's scope)."""
    walk = tree_cte(model, name="tree", start=", ".join(["%s"] * len(ids)), distinct=True)
    with connection.cursor() as cursor:
        cursor.execute(f"WITH RECURSIVE {walk} SELECT id FROM tree", list(ids))  # noqa: S608
        return [pk for (pk,) in cursor.fetchall()]


# ------------------------------------------------------------------ a counter's share (permissions)

# A counter's share of a campaign as SQL, so the query that uses it checks it: the department
# (location) subtrees under the user's assignments in the campaign, plus, for departments only, the
# user's own department subtree when the campaign assigns nobody. The walk is `tree_cte`'s, with
# UNION (finite even on a cycle, ids distinct). No id is NULL, so a negated `__in` on it excludes
# exactly the lines it matches (Django adds the IS NOT NULL for the line's nullable columns).
_ASSIGNED_ROOTS_SQL = """
SELECT a.{target} FROM {assignment} a
WHERE a.{campaign} = %s AND a.{counter} = %s AND a.{target} IS NOT NULL
"""
# The user's own department seeds the tree only while the campaign assigns nobody.
_OWN_ROOT_SQL = """
UNION
SELECT %s WHERE NOT EXISTS (SELECT 1 FROM {assignment} a WHERE a.{campaign} = %s)
"""


def assigned_subtree(model, target: str, *, user, campaign, own_root: int | None = None) -> RawSQL:
    """The ids of `model` (Department or Location) under `user`'s assignments in `campaign`,
    and under `own_root` when the campaign has no assignments at all: a subquery for `__in`."""
    names = {
        "assignment": quote_table(CounterAssignment),
        "campaign": quote_column(CounterAssignment, "campaign"),
        "counter": quote_column(CounterAssignment, "counter"),
        "target": quote_column(CounterAssignment, target),
    }
    roots = _ASSIGNED_ROOTS_SQL.format(**names)
    params = [campaign.pk, user.pk]
    if own_root is not None:
        roots += _OWN_ROOT_SQL.format(**names)
        params += [own_root, campaign.pk]
    walk = tree_cte(model, name="subtree", start=roots, distinct=True)
    # Table and column names come from the models; every value is a parameter.
    return RawSQL(f"WITH RECURSIVE {walk} SELECT id FROM subtree", params)  # noqa: S611, S608


# The campaigns a department-bound user reads, as one id subquery: those over the whole register
# (no departments), those naming them as a counter, and those over a department of theirs.
# Hand-written because every clerk's scan checks it and the ORM's joins plus DISTINCT took twice
# as long to build as this does; `__in` on a self-contained subquery needs no DISTINCT.
_VISIBLE_CAMPAIGNS_SQL = """
SELECT c.{campaign_pk} FROM {campaign} c
WHERE NOT EXISTS (SELECT 1 FROM {through} t WHERE t.{through_campaign} = c.{campaign_pk})
UNION
SELECT a.{assignment_campaign} FROM {assignment} a WHERE a.{counter} = %s
"""
# The user's department tree is walked inside the subquery, so a scan's campaign check is one
# statement; `id` is the tree's second column.
_CAMPAIGNS_OVER_DEPARTMENTS_SQL = """
UNION
SELECT t.{through_campaign} FROM {through} t
WHERE t.{through_department} IN (SELECT tree.id FROM ({tree}) tree)
"""


def visible_campaign_ids(user) -> RawSQL:
    """The ids of the campaigns `user` reads (`permissions.visible_campaigns`): a subquery for
    `pk__in`. A campaign over the user's department, a sub-department or a parent covers them."""
    m2m = StocktakeCampaign._meta.get_field("departments")
    through = m2m.remote_field.through
    names = {
        "campaign": quote_table(StocktakeCampaign),
        "campaign_pk": quote_column(StocktakeCampaign, "id"),
        "through": quote_table(through),
        "through_campaign": quote_column(through, m2m.m2m_field_name()),
        "through_department": quote_column(through, m2m.m2m_reverse_field_name()),
        "assignment": quote_table(CounterAssignment),
        "assignment_campaign": quote_column(CounterAssignment, "campaign"),
        "counter": quote_column(CounterAssignment, "counter"),
    }
    statement = _VISIBLE_CAMPAIGNS_SQL
    params = [user.pk]
    if user.department_id:
        statement += _CAMPAIGNS_OVER_DEPARTMENTS_SQL
        # The department scope's own tree walk (down to the sub-departments, up to the root).
        names["tree"] = department_tree_sql()
        params += [user.department_id, user.department_id]
    # Table and column names come from the models; every value is a parameter.
    return RawSQL(statement.format(**names), params)  # noqa: S611


# ------------------------------------------------------------------------------------ scanning

# A scanned line's fields: the answer's card fields and what counting reads. The line's two
# locations come with their codes (the answer shows them).
SCAN_LINE_FIELDS = (
    "id",
    "campaign",
    "kind",
    "asset",
    "tag",
    "name",
    "model",
    "custodian",
    "result",
    "embedded",
    "hosts_embedded",
    "location",
    "counted_location",
)

_SCAN_LINE_SQL = """
SELECT {columns}, loc.{code} AS location_code, counted.{code} AS counted_location_code,
    CASE WHEN {in_scope} THEN 1 ELSE 0 END AS in_scope,
    (SELECT lb.{serial} FROM {label} lb WHERE lb.{label_asset} = l.{asset}
        AND lb.{superseded} IS NULL AND lb.{voided} IS NULL) AS active_label_serial,
    (SELECT max(lb.{serial}) FROM {label} lb WHERE lb.{label_asset} = l.{asset})
        AS last_label_serial,
    (SELECT a.{suspected} FROM {asset_table} a WHERE a.{asset_pk} = l.{asset})
        AS asset_suspected_shortage
FROM {line} l
LEFT JOIN {location_table} loc ON loc.{location_pk} = l.{location}
LEFT JOIN {location_table} counted ON counted.{location_pk} = l.{counted_location}
WHERE l.{campaign} = %s AND l.{kind} = %s AND l.{tag} = %s
"""


def _line_columns(names) -> str:
    return ", ".join(f"l.{name}" for name in quote_columns(StocktakeLine, names))


def scan_line(*, campaign: StocktakeCampaign, tag: str, trees) -> StocktakeLine | None:
    """The book line of a scanned tag, with `in_scope` for the counter whose share `trees` is
    (`permissions.counter_scope`: None admits every line, an empty list none), in one query.
    It carries the card's labels too: `active_label_serial` (None: no active label) and
    `last_label_serial` (None: never labelled), so a scan tells what label it saw without
    another query, and `asset_suspected_shortage` (an earlier count recorded it missing).

    Written in SQL: every clerk's scan runs it, and the ORM took longer to build it (about 2 ms)
    than the database to answer.
    """
    if trees is None:
        in_scope, params = "1 = 1", []
    elif not trees:
        in_scope, params = "1 = 0", []
    else:
        # One subquery per tree, whichever of the line's columns it admits: the department tree
        # serves both the department and the owning department, and is planned once.
        in_scope = " OR ".join(
            f"EXISTS (SELECT 1 FROM ({ids.sql}) tree WHERE tree.id IN ({_line_columns(names)}))"  # noqa: S608
            for names, ids in trees
        )
        params = [value for _names, ids in trees for value in ids.params]
    statement = _SCAN_LINE_SQL.format(
        columns=_line_columns(SCAN_LINE_FIELDS),
        code=quote_column(Location, "code"),
        in_scope=in_scope,
        line=quote_table(StocktakeLine),
        location_table=quote_table(Location),
        location_pk=quote_column(Location, "id"),
        location=quote_column(StocktakeLine, "location"),
        counted_location=quote_column(StocktakeLine, "counted_location"),
        campaign=quote_column(StocktakeLine, "campaign"),
        kind=quote_column(StocktakeLine, "kind"),
        tag=quote_column(StocktakeLine, "tag"),
        asset=quote_column(StocktakeLine, "asset"),
        label=quote_table(Label),
        label_asset=quote_column(Label, "asset"),
        serial=quote_column(Label, "serial"),
        superseded=quote_column(Label, "superseded_at"),
        voided=quote_column(Label, "voided_at"),
        asset_table=quote_table(Asset),
        asset_pk=quote_column(Asset, "id"),
        suspected=quote_column(Asset, "suspected_shortage"),
    )
    rows = StocktakeLine.objects.raw(  # noqa: S611
        statement, [*params, campaign.pk, StocktakeLine.Kind.BOOK, tag]
    )
    line = next(iter(rows), None)
    if line is None:
        return None
    line.in_scope = bool(line.in_scope)
    for name in ("location", "counted_location"):
        # As select_related would: the location with its code, the rest loaded if ever read.
        foreign_key = StocktakeLine._meta.get_field(name)
        pk = getattr(line, foreign_key.attname)
        code = getattr(line, f"{name}_code")
        location = (
            None if pk is None else Location.from_db(line._state.db, ["id", "code"], [pk, code])
        )
        foreign_key.set_cached_value(line, location)
    return line


# A count and the change of its line in one statement: the count's unique keys decide whether the
# line changes (a card counted first by someone else inserts nothing, with no savepoint round
# trips). `line_counted` holds the line when this statement counted it.
_COUNT_SQL = """
WITH counted AS (
    INSERT INTO {count} ({count_columns}) VALUES ({count_values})
    ON CONFLICT DO NOTHING RETURNING {count_line}
), line_counted AS (
    UPDATE {line} SET {line_changes}
    WHERE {line_pk} IN (SELECT {count_line} FROM counted) RETURNING {line_pk}
)
"""


def _count_statement(count: dict, changes: dict) -> tuple[str, list]:
    statement = _COUNT_SQL.format(
        count=quote_table(StocktakeCount),
        count_columns=", ".join(quote_columns(StocktakeCount, count)),
        count_values=", ".join(["%s"] * len(count)),
        count_line=quote_column(StocktakeCount, "line"),
        line=quote_table(StocktakeLine),
        line_changes=", ".join(f"{name} = %s" for name in quote_columns(StocktakeLine, changes)),
        line_pk=quote_column(StocktakeLine, "id"),
    )
    params = [db_value(value) for value in (*count.values(), *changes.values())]
    return statement, params


def _scan_columns(scan: dict) -> tuple[str, str, list]:
    """The scan log's columns (with its answer last), placeholders and values."""
    names = ", ".join(quote_columns(StocktakeScan, [*scan, "answer"]))
    return names, ", ".join(["%s"] * len(scan)), [db_value(value) for value in scan.values()]


def count_line(*, count: dict, changes: dict) -> bool:
    """Insert the one count of a line (`count`: StocktakeCount's fields) and, when it is the
    first, write `changes` on the line: True when this call counted it."""
    statement, params = _count_statement(count, changes)
    with connection.cursor() as cursor:
        cursor.execute(f"{statement}SELECT EXISTS (SELECT 1 FROM line_counted)", params)  # noqa: S608
        return cursor.fetchone()[0]


def log_scan(
    *,
    scan: dict,
    answer: str,
    count: dict | None = None,
    changes: dict | None = None,
    duplicate: str = "",
) -> str:
    """Append a scan to the log (`scan`: StocktakeScan's fields but the answer) and return the
    answer logged. With `count`, the same statement counts the line (`count_line`): the log says
    `answer` when it did and `duplicate` when someone counted the card first.

    One statement, atomic by itself: the scan endpoint is what every clerk's phone waits on, and
    a count with its log is one round trip instead of five. A client key sent before is refused
    by the log's unique key (IntegrityError), which rolls the count back with it.
    """
    names, values, params = _scan_columns(scan)
    if count is None:
        table = quote_table(StocktakeScan)
        statement = f"INSERT INTO {table} ({names}) VALUES ({values}, %s) "  # noqa: S608
        params.append(str(answer))
    else:
        statement, count_params = _count_statement(count, changes or {})
        statement += (
            f"INSERT INTO {quote_table(StocktakeScan)} ({names}) "  # noqa: S608
            f"SELECT {values}, CASE WHEN EXISTS (SELECT 1 FROM line_counted) THEN %s ELSE %s END "
        )
        params = [*count_params, *params, str(answer), str(duplicate)]
    statement += f"RETURNING {quote_column(StocktakeScan, 'answer')}"
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchone()[0]


# -------------------------------------------------------------------------------------- digest

# The fields of a line that its digest covers, in order.
DIGEST_FIELDS = (
    "id",
    "tag",
    "scanned_code",
    "result",
    "counted_quantity",
    "original_value",
    "net_value",
    "verify_method",
    "counted_location_id",
    "label_ok",
)


def lines_digest(*, campaign: StocktakeCampaign) -> str:
    """SHA-256 over every line's identity, book values and result, in id order, hashed where the
    lines are (one statement, no 100,000 rows through Python).

    Each line is its fields joined by "|" ("" for none, money with two decimals: numeric(…, 2)
    prints so; True/False) and a newline.
    """
    parts = []
    for name in DIGEST_FIELDS:
        quoted = quote_column(StocktakeLine, name)
        if name == "label_ok":
            parts.append(f"CASE {quoted} WHEN TRUE THEN 'True' WHEN FALSE THEN 'False' ELSE '' END")
        else:
            parts.append(f"COALESCE({quoted}::text, '')")
    row = " || '|' || ".join(parts)
    order = quote_column(StocktakeLine, "id")
    text = f"COALESCE(string_agg({row} || E'\\n', '' ORDER BY {order}), '')"
    # Model column names only; the campaign is a parameter.
    statement = (
        f"SELECT encode(sha256(convert_to({text}, 'UTF8')), 'hex') "  # noqa: S608
        f"FROM {quote_table(StocktakeLine)} WHERE {quote_column(StocktakeLine, 'campaign')} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [campaign.pk])
        return cursor.fetchone()[0]
