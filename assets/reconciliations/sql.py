"""The set-based reconciliation: stage the finance rows, match them, raise the differences.

50,000 finance rows must reconcile in seconds (`bench/reconcile.py`), so nothing here walks rows
in Python: the rows are COPYed into `FinanceRow`, the cards in the actor's scope into a
temporary table, and each step is one statement. `tests/assets/reconciliations/test_sql.py`
is the oracle: it compares every statement's rows with the same rows computed from the ORM and
`Asset.accumulated_depreciation` across the shapes that matter. Values are parameters; only
table and column names (from the models, through `config.sql`) are formatted into the text.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection

from assets.models import Asset, Category, Department
from assets.reconciliations.models import FinanceRow, ReconciliationDifference
from config.sql import quote_table

STAGED_FIELDS = (
    "reconciliation_id", "row_number", "tag", "legacy_number", "serial_number", "name",
    "category_code", "category_id", "department_text", "department_id", "original_value",
    "accumulated_depreciation", "booked_on", "voucher_no", "matched_by",
)  # fmt: skip
SCOPE_TABLE = "yika_recon_scope"

ASSET = quote_table(Asset)
ROW = quote_table(FinanceRow)
DIFF = quote_table(ReconciliationDifference)
CATEGORY = quote_table(Category)
DEPARTMENT = quote_table(Department)

# `Asset.accumulated_depreciation(on)` in SQL, for the card aliased `a` and the date `%(on)s`:
# straight-line, monthly, the month of entry into service counts, no residual value, never more
# than the original value; round() on numeric rounds half away from zero, as ROUND_HALF_UP does
# for amounts that are never negative.
DEPRECIATION_SQL = """
CASE
  WHEN NOT a.depreciate OR a.in_service_on IS NULL OR %(on)s::date < a.in_service_on THEN 0.00
  WHEN ((EXTRACT(YEAR FROM %(on)s::date) - EXTRACT(YEAR FROM a.in_service_on)) * 12
        + EXTRACT(MONTH FROM %(on)s::date) - EXTRACT(MONTH FROM a.in_service_on) + 1)
       >= a.useful_life_months THEN a.original_value
  ELSE LEAST(round(a.original_value
        * ((EXTRACT(YEAR FROM %(on)s::date) - EXTRACT(YEAR FROM a.in_service_on)) * 12
           + EXTRACT(MONTH FROM %(on)s::date) - EXTRACT(MONTH FROM a.in_service_on) + 1)
        / a.useful_life_months, 2), a.original_value)
END
"""


def _execute(sql: str, params: Any = None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _fetch(sql: str, params: Any = None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def stage_rows(rows: list[tuple]) -> None:
    """COPY the finance rows (tuples in `STAGED_FIELDS` order) into `FinanceRow`."""
    columns = ", ".join(connection.ops.quote_name(name) for name in STAGED_FIELDS)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {ROW} ({columns}) FROM STDIN") as copy:  # noqa: S608
            for row in rows:
                copy.write_row(row)
        # The planner must know the rows just written: without fresh statistics it joins them
        # by nested loops, and the match of 50,000 rows took 400 s instead of 5 (bench).
        cursor.execute(f"ANALYZE {ROW}")


def load_scope(scope_queryset) -> None:
    """The live cards the actor reconciles (a queryset of the register), as a temporary table
    that every later statement of the transaction joins."""
    live = scope_queryset.exclude(status=Asset.Status.RETIRED).values("pk")
    sql, params = live.query.sql_with_params()
    _execute(f"DROP TABLE IF EXISTS {SCOPE_TABLE}")
    _execute(f"CREATE TEMPORARY TABLE {SCOPE_TABLE} (id bigint PRIMARY KEY) ON COMMIT DROP")
    _execute(f"INSERT INTO {SCOPE_TABLE} (id) {sql}", params)  # noqa: S608
    _execute(f"ANALYZE {SCOPE_TABLE}")


def match_rows(reconciliation_id: int) -> dict[str, int]:
    """Match each finance row to one card in scope: by tag, then by legacy number, then by serial
    number. A legacy or serial number held by two cards matches neither (ambiguous); a card is
    matched by one row at most. Returns the rows matched by each key."""
    counts = {
        "tag": _execute(
            f"""UPDATE {ROW} AS fr SET asset_id = a.id, matched_by = 'tag'
                FROM {ASSET} AS a JOIN {SCOPE_TABLE} AS s ON s.id = a.id
                WHERE fr.reconciliation_id = %s AND fr.asset_id IS NULL AND fr.tag <> ''
                  AND a.tag = fr.tag""",  # noqa: S608
            [reconciliation_id],
        )
    }
    for key in ("legacy_number", "serial_number"):
        counts[key] = _execute(
            f"""UPDATE {ROW} AS fr SET asset_id = c.id, matched_by = %s
                FROM (
                  SELECT min(a.id) AS id, a.{key} AS value
                  FROM {ASSET} AS a JOIN {SCOPE_TABLE} AS s ON s.id = a.id
                  WHERE a.{key} <> ''
                    AND NOT EXISTS (SELECT 1 FROM {ROW} AS taken
                                    WHERE taken.reconciliation_id = %s AND taken.asset_id = a.id)
                  GROUP BY a.{key} HAVING count(*) = 1
                ) AS c
                WHERE fr.reconciliation_id = %s AND fr.asset_id IS NULL AND fr.{key} <> ''
                  AND fr.{key} = c.value""",  # noqa: S608
            [key, reconciliation_id, reconciliation_id],
        )
    return counts


REGISTER_JSON = f"""jsonb_build_object(
  'tag', a.tag, 'name', a.name, 'legacy_number', a.legacy_number,
  'serial_number', a.serial_number, 'original_value', a.original_value::text,
  'accumulated_depreciation', ({DEPRECIATION_SQL})::numeric(14, 2)::text,
  'category', ac.code, 'category_name', ac.name, 'department', ad.code,
  'department_name', ad.name, 'booked_on', a.booked_on, 'voucher_no', a.voucher_no)"""
FINANCE_JSON = """jsonb_build_object(
  'row', fr.row_number, 'tag', fr.tag, 'legacy_number', fr.legacy_number,
  'serial_number', fr.serial_number, 'name', fr.name,
  'original_value', fr.original_value::text,
  'accumulated_depreciation', fr.accumulated_depreciation::text,
  'category', fr.category_code, 'department', fr.department_text,
  'booked_on', fr.booked_on, 'voucher_no', fr.voucher_no)"""


def raise_differences(reconciliation_id: int, *, on: date) -> None:
    """Insert one difference per disagreement: a matched card whose value (original value or
    accumulated depreciation at `on`), category or owning department differs; a finance row
    that matched no card; a card in scope that no row matched."""
    params = {"r": reconciliation_id, "on": on}
    _execute(
        f"""INSERT INTO {DIFF} (reconciliation_id, kind, asset_id, finance_row_id, register,
                                finance, state, reason, treatment)
            SELECT %(r)s, k.kind, a.id, fr.id, {REGISTER_JSON}, {FINANCE_JSON}, 'raised', '', ''
            FROM {ROW} AS fr
            JOIN {ASSET} AS a ON a.id = fr.asset_id
            JOIN {CATEGORY} AS ac ON ac.id = a.category_id
            JOIN {DEPARTMENT} AS ad ON ad.id = a.owner_department_id
            CROSS JOIN LATERAL (VALUES
              ('value_differs',
               (fr.original_value IS NOT NULL AND fr.original_value <> a.original_value)
               OR (fr.accumulated_depreciation IS NOT NULL
                   AND fr.accumulated_depreciation <> ({DEPRECIATION_SQL}))),
              ('category_differs',
               fr.category_code <> '' AND fr.category_id IS DISTINCT FROM a.category_id),
              ('department_differs',
               fr.department_text <> ''
               AND fr.department_id IS DISTINCT FROM a.owner_department_id)
            ) AS k(kind, differs)
            WHERE fr.reconciliation_id = %(r)s AND k.differs
            ORDER BY fr.row_number, k.kind""",  # noqa: S608
        params,
    )
    _execute(
        f"""INSERT INTO {DIFF} (reconciliation_id, kind, asset_id, finance_row_id, register,
                                finance, state, reason, treatment)
            SELECT %(r)s, 'only_in_finance', NULL, fr.id, '{{}}'::jsonb, {FINANCE_JSON},
                   'raised', '', ''
            FROM {ROW} AS fr
            WHERE fr.reconciliation_id = %(r)s AND fr.asset_id IS NULL
            ORDER BY fr.row_number""",  # noqa: S608
        params,
    )
    _execute(
        f"""INSERT INTO {DIFF} (reconciliation_id, kind, asset_id, finance_row_id, register,
                                finance, state, reason, treatment)
            SELECT %(r)s, 'only_in_register', a.id, NULL, {REGISTER_JSON}, '{{}}'::jsonb,
                   'raised', '', ''
            FROM {SCOPE_TABLE} AS s
            JOIN {ASSET} AS a ON a.id = s.id
            JOIN {CATEGORY} AS ac ON ac.id = a.category_id
            JOIN {DEPARTMENT} AS ad ON ad.id = a.owner_department_id
            WHERE NOT EXISTS (SELECT 1 FROM {ROW} AS fr
                              WHERE fr.reconciliation_id = %(r)s AND fr.asset_id = a.id)
            ORDER BY a.tag""",  # noqa: S608
        params,
    )
    _execute(f"ANALYZE {DIFF}")  # the pages' lists join the rows just written


def counts(reconciliation_id: int) -> dict[str, int]:
    """Rows per result: `matched` (a matched row with no difference) and each difference kind."""
    result = dict(
        _fetch(
            f"SELECT kind, count(*) FROM {DIFF} WHERE reconciliation_id = %s GROUP BY kind",  # noqa: S608
            [reconciliation_id],
        )
    )
    # Two plain aggregates rather than an anti-join: matched rows less those with a difference.
    (matched_rows,) = _fetch(
        f"""SELECT count(*) FROM {ROW}
            WHERE reconciliation_id = %s AND asset_id IS NOT NULL""",  # noqa: S608
        [reconciliation_id],
    )[0]
    (differing,) = _fetch(
        f"""SELECT count(DISTINCT finance_row_id) FROM {DIFF}
            WHERE reconciliation_id = %s AND asset_id IS NOT NULL
              AND finance_row_id IS NOT NULL""",  # noqa: S608
        [reconciliation_id],
    )[0]
    matched = matched_rows - differing
    return {
        "matched": matched,
        **{kind: result.get(kind, 0) for kind in ReconciliationDifference.Kind.values},
    }


def _total_rows(finance_sql: str, register_sql: str, params: list) -> list[dict]:
    rows = _fetch(
        f"""WITH f AS ({finance_sql}), r AS ({register_sql})
            SELECT coalesce(f.key, r.key), coalesce(f.name, r.name, ''),
                   coalesce(f.n, 0), coalesce(f.v, 0), coalesce(r.n, 0), coalesce(r.v, 0)
            FROM f FULL OUTER JOIN r ON r.key = f.key
            ORDER BY 1""",  # noqa: S608
        params,
    )
    out = []
    for key, name, fn, fv, rn, rv in rows:
        fv, rv = Decimal(fv).quantize(Decimal("0.01")), Decimal(rv).quantize(Decimal("0.01"))
        out.append(
            {
                "key": key or "",
                "name": name or "",
                "finance_count": fn,
                "finance_value": str(fv),
                "register_count": rn,
                "register_value": str(rv),
                "count_gap": fn - rn,
                "value_gap": str(fv - rv),
                "agrees": fn == rn and fv == rv,
            }
        )
    return out


def totals(reconciliation_id: int) -> dict[str, Any]:
    """Count and original value per category and per owning department, finance against
    register (the cards in scope); each row says whether the two agree and the gap if not."""
    by_category = _total_rows(
        f"""SELECT coalesce(c.code, fr.category_code) AS key, max(c.name) AS name,
                   count(*) AS n, sum(coalesce(fr.original_value, 0)) AS v
            FROM {ROW} AS fr LEFT JOIN {CATEGORY} AS c ON c.id = fr.category_id
            WHERE fr.reconciliation_id = %s GROUP BY 1""",  # noqa: S608
        f"""SELECT c.code AS key, max(c.name) AS name, count(*) AS n, sum(a.original_value) AS v
            FROM {SCOPE_TABLE} AS s JOIN {ASSET} AS a ON a.id = s.id
            JOIN {CATEGORY} AS c ON c.id = a.category_id GROUP BY 1""",  # noqa: S608
        [reconciliation_id],
    )
    by_department = _total_rows(
        f"""SELECT coalesce(d.code, fr.department_text) AS key, max(d.name) AS name,
                   count(*) AS n, sum(coalesce(fr.original_value, 0)) AS v
            FROM {ROW} AS fr LEFT JOIN {DEPARTMENT} AS d ON d.id = fr.department_id
            WHERE fr.reconciliation_id = %s GROUP BY 1""",  # noqa: S608
        f"""SELECT d.code AS key, max(d.name) AS name, count(*) AS n, sum(a.original_value) AS v
            FROM {SCOPE_TABLE} AS s JOIN {ASSET} AS a ON a.id = s.id
            JOIN {DEPARTMENT} AS d ON d.id = a.owner_department_id GROUP BY 1""",  # noqa: S608
        [reconciliation_id],
    )
    return {
        "category": by_category,
        "department": by_department,
        "agree": all(row["agrees"] for row in by_category + by_department),
    }
