"""The reports' hand-written SQL: a card's state at a past moment, rebuilt from its history, and
the aggregates over it (one statement per report shape).

Why SQL: a balance reads every card of the register and every history row written since the
report's moment; the ORM would need a subquery per reconstructed field per card. Each statement
has an oracle test against an ORM-and-Python reconstruction of the same rows
(tests/assets/reports/test_sql.py). Names come from the models (`config.sql`); every value is a
parameter.

**Reconstruction.** A card's value of a field at moment `C` is the `before` side of the first
history event at or after `C` that changed the field, else the card's current value: every
service writes `{field: [before, after]}` for each field it changes (`assets.history`), so
undoing the changes made since `C` gives the card as it was. A card exists at `C` when it was
created before `C`. Changes made after `C` only add events after `C`, whose `before` values are
what the card held at `C`, so the figures for `C` never move (DESIGN.md invariant 12).

What the history does not record well enough (said here so nobody relies on it):
- Events store references by natural key (department and category `code`). A department or
  category whose code is edited afterwards no longer matches the codes in older events: its
  cards' earlier owner or category then reads as unknown (the row "—") for moments before the
  change. Codes are meant to be stable; nothing in the schema forbids editing them.
- The stocktake close writes `counted` events at the count's time, not the close's
  (`inventory.services.campaigns`): a late event dated before `C`. It changes only
  `suspected_shortage`, which no report reads; a future change written with a back-dated `at`
  would move a past report.
- A card's existence is its `created_at` column (set once, on insert); the `created` event
  follows it in the same transaction, and its status `[null, first status]` is no change to
  undo (skipped).
- Depreciation is not an event: it is computed for the report's date from the reconstructed
  original value, in-service date, useful life and depreciation flag, as `Asset.
  accumulated_depreciation` computes it (monthly straight line, no residual value).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import connection

from assets import permissions
from assets.models import (
    CURRENT_CODE_SYSTEM,
    Asset,
    AssetEvent,
    Category,
    Department,
    RegisterTally,
)
from assets.sql import tree_cte
from config.sql import quote_column, quote_table

# Card fields a report reads, with the SQL type of the `before` side an event stores.
TRACKED = {
    "status": "text",
    "category": "code",  # a category code of the current code system
    "owner_department": "code",  # a department code
    # What puts a card in a department-bound reader's scope besides the owner
    # (`permissions.SCOPE_DEPARTMENTS`).
    "using_department": "code",
    "managing_department": "code",
    "original_value": "numeric",
    "value_type": "text",
    "acquisition_method": "text",
    "in_service_on": "date",
    "useful_life_months": "integer",
    "depreciate": "boolean",
}
# Statuses outside the book totals: surplus finds not yet booked, and retired cards.
OFF_BOOK = ("draft", "retired")
# What a report groups by, and the card column (in a state CTE) each grouping reads.
GROUP_COLUMNS = {
    "category": "category_id",
    "department": "owner_id",
    "status": "status",
    "value_type": "value_type",
}
TREES = {"category": Category, "department": Department}
# The state CTE column of each card department a reader's scope reads.
DEPARTMENT_COLUMNS = {
    "owner_department": "owner_id",
    "using_department": "using_id",
    "managing_department": "managing_id",
}


def _column_name(field: str) -> str:
    return "category_id" if field == "category" else DEPARTMENT_COLUMNS.get(field, field)


def _join_alias(field: str) -> str:
    return "cat" if field == "category" else f"dep_{DEPARTMENT_COLUMNS[field]}"


def scope_sql(state: str) -> str:
    """Whether the card in CTE/table alias `state` (its `owner_id`, `using_id` and `managing_id`
    columns) is in the reader's scope (`%(everything)s`, `%(scope)s` from `_common_params`):
    the register's rule (`permissions.SCOPE_DEPARTMENTS`, as `asset_scope_q` and `reads_card`
    say), so a report or the dashboard counts the cards the register list shows a clerk."""
    # COALESCE: a card with no using (managing) department compares NULL, and a NULL here would
    # make "left the scope" unknown, dropping the card from both the closing and the transfers.
    columns = " OR ".join(
        f"COALESCE({state}.{DEPARTMENT_COLUMNS[field]} = ANY(%(scope)s), false)"
        for field in permissions.SCOPE_DEPARTMENTS
    )
    return f"(%(everything)s OR {columns})"


def _field_sql(name: str, kind: str) -> str:
    """The reconstructed value of card field `name` in a state CTE's `raw` step."""
    asset = quote_column(Asset, name if kind != "code" else f"{name}_id")
    current = f"a.{asset}"
    before = f"p.b ->> '{name}'"
    if kind == "code":
        joined = f"{_join_alias(name)}.id"
        return f"CASE WHEN p.b ? '{name}' THEN {joined} ELSE {current} END"
    value = before if kind == "text" else f"CAST({before} AS {kind})"
    return f"CASE WHEN p.b ? '{name}' THEN {value} ELSE {current} END"


def state_ctes(name: str) -> str:
    """CTEs `{name}_later`, `{name}_before`, `{name}_raw` and `{name}`: every card created before
    the moment `%({name}_cutoff)s`, with its reconstructed fields and its accumulated
    depreciation at the date `%({name}_on)s` (`%({name}_year)s`, `%({name}_month)s`).

    The final CTE's columns: `id`, `status`, `category_id`, `owner_id`, `value_type`,
    `acquisition_method`, `original_value`, `acc` (accumulated depreciation), `in_book`,
    `useful_life_months` and `age_months` (months in service by `on`, uncapped; NULL without an
    in-service date).
    """
    event, asset = quote_table(AssetEvent), quote_table(Asset)
    ev_asset, ev_at = quote_column(AssetEvent, "asset"), quote_column(AssetEvent, "at")
    ev_changes, ev_id = quote_column(AssetEvent, "changes"), quote_column(AssetEvent, "id")
    keys = ", ".join(f"'{key}'" for key in TRACKED)
    fields = ",\n        ".join(
        f"{_field_sql(field, kind)} AS {_column_name(field)}" for field, kind in TRACKED.items()
    )
    category, department = quote_table(Category), quote_table(Department)
    code = quote_column(Department, "code")
    department_joins = "\n    ".join(
        f"LEFT JOIN {department} {_join_alias(field)} ON p.b ? '{field}'"
        f" AND {_join_alias(field)}.{code} = p.b ->> '{field}'"
        for field in DEPARTMENT_COLUMNS
    )
    off_book = ", ".join(f"'{status}'" for status in OFF_BOOK)
    months = (
        f"(%({name}_year)s - CAST(EXTRACT(YEAR FROM r.in_service_on) AS integer)) * 12"
        f" + %({name}_month)s - CAST(EXTRACT(MONTH FROM r.in_service_on) AS integer) + 1"
    )
    history = f"""
{name}_later AS (
    SELECT DISTINCT ON (e.{ev_asset}, k.key) e.{ev_asset} AS asset_id, k.key, k.value -> 0 AS before
    FROM {event} e CROSS JOIN LATERAL jsonb_each(e.{ev_changes}) AS k(key, value)
    WHERE e.{ev_at} >= %({name}_cutoff)s AND k.key IN ({keys})
      AND jsonb_typeof(k.value) = 'array'
      AND NOT (k.key = 'status' AND jsonb_typeof(k.value -> 0) = 'null')
    ORDER BY e.{ev_asset}, k.key, e.{ev_at}, e.{ev_id}
),
{name}_before AS (
    SELECT asset_id, jsonb_object_agg(key, before) AS b FROM {name}_later GROUP BY asset_id
),"""  # noqa: S608
    where = f"WHERE a.{quote_column(Asset, 'created_at')} < %({name}_cutoff)s"
    return f"""{history}
{name}_raw AS (
    SELECT a.{quote_column(Asset, "id")} AS id,
        {fields}
    FROM {asset} a
    LEFT JOIN {name}_before p ON p.asset_id = a.{quote_column(Asset, "id")}
    LEFT JOIN {category} cat ON p.b ? 'category'
        AND cat.{quote_column(Category, "code_system")} = %(code_system)s
        AND cat.{quote_column(Category, "code")} = p.b ->> 'category'
    {department_joins}
    {where}
),
{name}_months AS (
    SELECT r.*,
        CASE WHEN NOT r.depreciate OR r.in_service_on IS NULL
                  OR r.in_service_on > %({name}_on)s THEN 0
             ELSE LEAST({months}, r.useful_life_months) END AS months,
        CASE WHEN r.in_service_on IS NULL OR r.in_service_on > %({name}_on)s THEN NULL
             ELSE {months} END AS age_months
    FROM {name}_raw r
),
{name} AS (
    SELECT m.id, m.status, m.category_id, m.owner_id, m.using_id, m.managing_id,
        m.value_type, m.acquisition_method,
        m.original_value,
        CASE WHEN m.months >= m.useful_life_months THEN m.original_value
             ELSE LEAST(ROUND(m.original_value * m.months / m.useful_life_months, 2),
                        m.original_value) END AS acc,
        m.status NOT IN ({off_book}) AS in_book, m.useful_life_months, m.age_months
    FROM {name}_months m
)"""  # noqa: S608 (names from the models, values are parameters)


def state_params(name: str, *, cutoff: datetime, on: date) -> dict:
    return {
        f"{name}_cutoff": cutoff,
        f"{name}_on": on,
        f"{name}_year": on.year,
        f"{name}_month": on.month,
    }


def group_cte(by: str, level: int | None) -> str | None:
    """`grp_{by}(id, grp)`: each node of the tree `by` and its group, the ancestor at depth
    `level` (1 = the roots), or the node itself when it is no deeper; None for no tree."""
    model = TREES.get(by)
    if model is None or level is None:
        return None
    pk, parent = quote_column(model, "id"), quote_column(model, "parent")
    roots = f"SELECT {pk} FROM {quote_table(model)} WHERE {parent} IS NULL"  # noqa: S608
    walk = tree_cte(model, name=f"walk_{by}", start=roots, depth=True, path="id")
    return (
        f"{walk},\ngrp_{by}(id, grp) AS (SELECT id, CASE WHEN depth + 1 > %(level)s "  # noqa: S608
        f"THEN CAST(split_part(path, '/', %(level)s) AS bigint) ELSE id END FROM walk_{by})"
    )


def _group_expr(by: str, level: int | None, state: str) -> tuple[str, str]:
    """The group key of a card in state CTE `state`, and the join it needs."""
    column = f"{state}.{GROUP_COLUMNS[by]}"
    if group_cte(by, level) is None:
        return column, ""
    alias = f"g_{state}"
    return f"{alias}.grp", f"LEFT JOIN grp_{by} {alias} ON {alias}.id = {column}"


def _scope_expr(state: str) -> str:
    return scope_sql(state)


def _with(by: str, level: int | None, states: list[str]) -> str:
    ctes = [state_ctes(name) for name in states]
    tree = group_cte(by, level)
    if tree:
        ctes.insert(0, tree)
    return "WITH RECURSIVE " + ",\n".join(ctes)


def _common_params(scope: set[int] | None, level: int | None) -> dict:
    return {
        "code_system": CURRENT_CODE_SYSTEM,
        "everything": scope is None,
        "scope": sorted(scope or ()),
        "level": level or 1,
    }


def balance_rows(
    *, cutoff: datetime, on: date, by: str, level: int | None, scope: set[int] | None
) -> list[tuple]:
    """(group key, count, original value, accumulated depreciation) of the cards on the books at
    `cutoff` (depreciation at `on`) whose owning department then was in `scope` (None: all)."""
    key, join = _group_expr(by, level, "s")
    sql = (
        _with(by, level, ["s"])
        + f"""
SELECT {key} AS grp, COUNT(*), COALESCE(SUM(s.original_value), 0), COALESCE(SUM(s.acc), 0)
FROM s {join}
WHERE s.in_book AND {_scope_expr("s")}
GROUP BY 1"""  # noqa: S608
    )
    params = {**_common_params(scope, level), **state_params("s", cutoff=cutoff, on=on)}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# The lines of a movements report, each a (group, line, method) contribution.
OPENING, CLOSING = "opening", "closing"
ADDITION, DISPOSAL = "addition", "disposal"
TRANSFER_IN, TRANSFER_OUT = "transfer_in", "transfer_out"
REVALUATION, DEPRECIATION = "revaluation", "depreciation"


def disposal_method_sql(before: str, after: str) -> str:
    """How a card that left the books in the period left them, as SQL over the two state CTEs.

    Hook for disposal cases (issue 13, another branch): today a card leaves only by being
    retired, so every disposal is `retired`; once disposal cases exist, this answers the
    executed case's method (`transfer`, `donation`, `sale`, `exchange`, `scrap`, `write_off`)
    for the card, falling back to `retired` for a retirement without a case.
    """
    return "'retired'"


def movement_rows(
    *,
    opening_cutoff: datetime,
    opening_on: date,
    closing_cutoff: datetime,
    closing_on: date,
    by: str,
    level: int | None,
    scope: set[int] | None,
) -> list[tuple]:
    """(group, line, method, count, original value, accumulated depreciation) of a period.

    Each card contributes, by its state at the opening (`s0`) and at the closing (`s1`):
    opening and closing balances; an addition (on the books at the close only, by acquisition
    method, at its closing values); a disposal (on the books at the opening only, at its
    opening values); a transfer out of its opening group and into its closing group at its
    opening values when the group or the department scope changed; then the revaluation
    (closing minus opening original value) and the depreciation of the period (closing minus
    opening accumulated depreciation) in its closing group. So, per group and per column,
    opening + additions − disposals + transfers in − transfers out + revaluation +
    depreciation = closing.
    """
    key0, join0 = _group_expr(by, level, "s0")
    key1, join1 = _group_expr(by, level, "s1")
    scope0, scope1 = _scope_expr("s0"), _scope_expr("s1")
    both = "s0.in_book AND s1.in_book"
    moved = f"({key0} IS DISTINCT FROM {key1} OR {scope0} <> {scope1})"
    disposal = disposal_method_sql("s0", "s1")
    body = f""",
pair AS (
    SELECT s1.in_book AS in1, COALESCE(s0.in_book, false) AS in0,
        {key0} AS g0, {key1} AS g1, {scope0} AS v0, {scope1} AS v1,
        s0.original_value AS ov0, s1.original_value AS ov1, s0.acc AS ad0, s1.acc AS ad1,
        s1.acquisition_method AS acquired_by, {disposal} AS disposed_by,
        s0.id IS NOT NULL AND {both} AND {moved} AS moved
    FROM s1 LEFT JOIN s0 ON s0.id = s1.id {join0} {join1}
),
lines AS (
    SELECT g0 AS grp, '{OPENING}' AS line, '' AS method, 1 AS n, ov0 AS ov, ad0 AS ad
        FROM pair WHERE in0 AND v0
    UNION ALL SELECT g1, '{CLOSING}', '', 1, ov1, ad1 FROM pair WHERE in1 AND v1
    UNION ALL SELECT g1, '{ADDITION}', acquired_by, 1, ov1, ad1
        FROM pair WHERE in1 AND NOT in0 AND v1
    UNION ALL SELECT g0, '{DISPOSAL}', disposed_by, 1, ov0, ad0
        FROM pair WHERE in0 AND NOT in1 AND v0
    UNION ALL SELECT g0, '{TRANSFER_OUT}', '', 1, ov0, ad0 FROM pair WHERE moved AND v0
    UNION ALL SELECT g1, '{TRANSFER_IN}', '', 1, ov0, ad0 FROM pair WHERE moved AND v1
    UNION ALL SELECT g1, '{REVALUATION}', '', 0, ov1 - ov0, 0
        FROM pair WHERE in0 AND in1 AND v1 AND ov1 <> ov0
    UNION ALL SELECT g1, '{DEPRECIATION}', '', 0, 0, ad1 - ad0
        FROM pair WHERE in0 AND in1 AND v1 AND ad1 <> ad0
)
SELECT grp, line, method, SUM(n), SUM(ov), SUM(ad) FROM lines GROUP BY 1, 2, 3"""  # noqa: S608
    sql = _with(by, level, ["s0", "s1"]) + body
    params = {
        **_common_params(scope, level),
        **state_params("s0", cutoff=opening_cutoff, on=opening_on),
        **state_params("s1", cutoff=closing_cutoff, on=closing_on),
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# The dashboard: the register as it is now, every figure panel from the register tally.
AGE_CAP_YEARS = 10


def _months_sql(day: str) -> str:
    """Months in service by `%(on)s` of a card in service since `day` (counted as
    `Asset.accumulated_depreciation` counts them: the month it went into service is the first)."""
    return (
        f"(%(on_year)s - CAST(EXTRACT(YEAR FROM {day}) AS integer)) * 12"
        f" + %(on_month)s - CAST(EXTRACT(MONTH FROM {day}) AS integer) + 1"
    )


def dashboard_rows(*, on: date, category_level: int | None, scope: set[int] | None) -> list[tuple]:
    """(panel, key, sub-key, cards, cards on the books, their original value) for the
    dashboard's figure panels, one GROUPING SETS statement over the live cards in `scope`
    (None: all; else owned, used or managed there, `scope_sql`, as the register list counts
    them), as they are now (`on` is today):

    - `category`: key the category group at `category_level`;
    - `department`: key the owning department;
    - `status`: key the status;
    - `age`: key the whole years in service (capped at AGE_CAP_YEARS, -1 without an in-service
      date or not yet in service), sub-key whether the card is past its useful life.

    It reads the register tally (`RegisterTally`, a few thousand rows kept by triggers) instead
    of the cards. The tally knows the month a card went into service, not the day, which
    decides only for this month's cards whether they are in service yet: those few are read
    from the card table (index `asset_in_service_live`). The tally is keyed by the owning
    department only, so it answers for a reader of the whole register; a department-bound
    reader's cards (a few thousand at most: one unit's) are read from the card table, since a
    card used or managed in their scope may be owned elsewhere (an office's cards are the
    bureau's).
    """
    tally, asset = quote_table(RegisterTally), quote_table(Asset)
    t = {
        f: f"t.{quote_column(RegisterTally, f)}"
        for f in ("status", "in_service_month", "useful_life_months", "cards", "original_value")
    }
    t_category = f"t.{quote_column(RegisterTally, 'category_id')}"
    t_owner = f"t.{quote_column(RegisterTally, 'owner_department_id')}"
    a = {
        f: f"a.{quote_column(Asset, f)}"
        for f in ("status", "in_service_on", "useful_life_months", "original_value")
    }
    a_category = f"a.{quote_column(Asset, 'category_id')}"
    # The card table with its scope departments named as `scope_sql` reads them.
    a_departments = ", ".join(
        f"c.{quote_column(Asset, f'{field}_id')} AS {column}"
        for field, column in DEPARTMENT_COLUMNS.items()
    )
    cards = f"(SELECT c.*, {a_departments} FROM {asset} c)"  # noqa: S608
    off_book = ", ".join(f"'{status}'" for status in OFF_BOOK)
    key, join = _group_expr("category", category_level, "pre")
    body = f""",
src AS (
    -- Every month but this one from the tally (a reader of every card only): a month after
    -- this one is not in service yet.
    SELECT {t_category} AS category_id, {t_owner} AS owner_id, {t["status"]} AS status,
        CASE WHEN {t["in_service_month"]} IS NULL OR {t["in_service_month"]} > %(on)s THEN NULL
             ELSE {_months_sql(t["in_service_month"])} END AS age_months,
        {t["useful_life_months"]} AS useful_life_months, {t["cards"]} AS n,
        {t["original_value"]} AS ov
    FROM {tally} t
    WHERE {t["cards"]} <> 0 AND {t["status"]} <> 'retired'
      AND {t["in_service_month"]} IS DISTINCT FROM %(month_start)s
      AND %(everything)s
    UNION ALL
    -- This month's cards (every card for a department-bound reader), one by one: the day says
    -- whether they are in service yet.
    SELECT {a_category}, a.owner_id, {a["status"]},
        CASE WHEN {a["in_service_on"]} > %(on)s THEN NULL
             ELSE {_months_sql(a["in_service_on"])} END,
        {a["useful_life_months"]}, 1, {a["original_value"]}
    FROM {cards} a
    WHERE (NOT %(everything)s OR {a["in_service_on"]} >= %(month_start)s
           AND {a["in_service_on"]} < %(next_month)s)
      AND {a["status"]} <> 'retired'
      AND {scope_sql("a")}
),
pre AS (
    SELECT s.category_id, s.owner_id, s.status,
        CASE WHEN s.age_months IS NULL THEN -1
             ELSE LEAST(s.age_months / 12, {AGE_CAP_YEARS}) END AS age,
        COALESCE(s.age_months >= s.useful_life_months, false) AS past,
        SUM(s.n) AS n, SUM(s.n) FILTER (WHERE s.status NOT IN ({off_book})) AS booked,
        COALESCE(SUM(s.ov) FILTER (WHERE s.status NOT IN ({off_book})), 0) AS ov
    FROM src s GROUP BY 1, 2, 3, 4, 5 HAVING SUM(s.n) <> 0
)
SELECT CASE WHEN GROUPING({key}) = 0 THEN 'category'
            WHEN GROUPING(pre.owner_id) = 0 THEN 'department'
            WHEN GROUPING(pre.status) = 0 THEN 'status'
            ELSE 'age' END,
       COALESCE(CAST({key} AS text), CAST(pre.owner_id AS text), pre.status,
                CAST(pre.age AS text)),
       CASE WHEN GROUPING(pre.past) = 0 THEN CAST(pre.past AS text) END,
       CAST(SUM(pre.n) AS bigint), CAST(COALESCE(SUM(pre.booked), 0) AS bigint), SUM(pre.ov)
FROM pre {join}
GROUP BY GROUPING SETS (({key}), (pre.owner_id), (pre.status), (pre.age, pre.past))"""  # noqa: S608
    tree = group_cte("category", category_level)
    sql = "WITH RECURSIVE " + (tree or "") + body if tree else "WITH" + body.lstrip(",")
    month_start = on.replace(day=1)
    next_month = (month_start + timedelta(days=32)).replace(day=1)
    params = {
        **_common_params(scope, category_level),
        "on": on,
        "on_year": on.year,
        "on_month": on.month,
        "month_start": month_start,
        "next_month": next_month,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
