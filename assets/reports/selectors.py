"""The register reports as data: the balance at a date (资产总表) and the movements of a period
(增减变动表), shared by the API, the XLSX and PDF exports and a frozen copy.

A report is scoped like everything else: a department-bound user sees the cards owned, used or
managed, at the report's moment, in their department subtree (`permissions.SCOPE_DEPARTMENTS`,
as the register list); auditors and admins see
every card (`permissions.card_reading_scope`). Figures come from one statement per report
(`assets.reports.sql`); Python only names the groups and shapes the few aggregate rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assets import permissions
from assets.models import CURRENT_CODE_SYSTEM, Asset, Category, Department
from assets.reports import sql
from config import formatting

BY_CHOICES = ("category", "department", "status", "value_type")
MAX_LEVEL = 9
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Grouping:
    by: str
    level: int | None


def _tz():
    return ZoneInfo(settings.TIME_ZONE)


def start_of(day: dt.date) -> dt.datetime:
    """The first moment of `day` in Asia/Shanghai: a report's day ends at the next one."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=_tz())


# ------------------------------------------------------------------------- input checks


def parse_day(value, field: str, *, required: bool = True) -> dt.date | None:
    """A report date from a query parameter: ISO, not in the future (400 naming `field`)."""
    if value in (None, ""):
        if required:
            raise ValidationError({field: _("Give the date as YYYY-MM-DD.")})
        return None
    if isinstance(value, dt.date):
        day = value
    else:
        try:
            day = parse_date(str(value).strip())
        except ValueError:
            day = None
        if day is None:
            raise ValidationError({field: _("Give the date as YYYY-MM-DD.")})
    if day > timezone.localdate():
        raise ValidationError({field: _("A report cannot be drawn up for a future date.")})
    return day


def parse_grouping(by, level) -> Grouping:
    """`by` one of BY_CHOICES; `level` (category and department only) a tree depth, 1 = top."""
    by = (by or "category").strip()
    if by not in BY_CHOICES:
        raise ValidationError(
            {"by": _("Choose one of: %(choices)s.") % {"choices": formatting.text_list(BY_CHOICES)}}
        )
    if level in (None, ""):
        return Grouping(by, None)
    if by not in sql.TREES:
        raise ValidationError({"level": _("Only categories and departments have levels.")})
    try:
        number = int(str(level).strip())
    except ValueError:
        number = 0
    if not 1 <= number <= MAX_LEVEL:
        raise ValidationError({"level": _("Give a level from 1 to %(max)s.") % {"max": MAX_LEVEL}})
    return Grouping(by, number)


# ------------------------------------------------------------------------------ naming


def _money(value) -> str:
    return f"{Decimal(value or 0):.2f}"


def _figures(count, original, accumulated) -> dict:
    original, accumulated = Decimal(original or 0), Decimal(accumulated or 0)
    return {
        "count": int(count or 0),
        "original_value": _money(original),
        "accumulated_depreciation": _money(accumulated),
        "net_value": _money(original - accumulated),
    }


def group_names(by: str, keys) -> dict:
    """{group key: (code, name)} for the keys of a report (one query for a tree)."""
    keys = [key for key in keys if key is not None]
    if by == "category":
        rows = Category.objects.filter(pk__in=keys).values_list("pk", "code", "name")
        return {pk: (code, name) for pk, code, name in rows}
    if by == "department":
        rows = Department.objects.filter(pk__in=keys).values_list("pk", "code", "name")
        return {pk: (code, name) for pk, code, name in rows}
    choices = Asset.Status if by == "status" else Asset.ValueType
    labels = dict(choices.choices)
    return {key: (key, str(labels.get(key, key))) for key in keys}


def _named(by: str, keys) -> list[tuple]:
    """(key, code, name) for each group key, sorted by code; the unknown group last."""
    names = group_names(by, keys)
    named = [(key, *names.get(key, ("", "—"))) for key in keys]
    order = list(Asset.Status.values) + list(Asset.ValueType.values)
    if by in ("status", "value_type"):
        return sorted(named, key=lambda r: order.index(r[0]) if r[0] in order else len(order))
    return sorted(named, key=lambda r: (r[0] is None, r[1]))


def scope_of(user) -> set[int] | None:
    return permissions.card_reading_scope(user)


def scope_text(user) -> str:
    """The scope line of a report: whose cards it counts."""
    scope = scope_of(user)
    if scope is None:
        return _("Scope: the whole register")
    department = getattr(user, "department", None)
    name = department.name if department else "—"
    return _("Scope: cards owned, used or managed by %(department)s and its sub-departments") % {
        "department": name
    }


# ------------------------------------------------------------------------------ balance


def balance(
    *,
    user,
    on: dt.date,
    by: str = "category",
    level: int | None = None,
    cutoff: dt.datetime | None = None,
) -> dict:
    """The balance (资产总表) at the end of `on`: count, 原值, 累计折旧 and 净值 per group.

    `cutoff` (tests and frozen copies) is the moment the card states are taken at; by default
    the end of `on` in Asia/Shanghai.
    """
    cutoff = cutoff or start_of(on + dt.timedelta(days=1))
    rows = sql.balance_rows(cutoff=cutoff, on=on, by=by, level=level, scope=scope_of(user))
    figures = {key: row for key, *row in rows}
    out = []
    total = [0, ZERO, ZERO]
    for key, code, name in _named(by, figures):
        count, original, accumulated = figures[key]
        total = [total[0] + count, total[1] + original, total[2] + accumulated]
        out.append({"key": code, "name": name, **_figures(count, original, accumulated)})
    return {
        "report": "balance",
        "on": on.isoformat(),
        "by": by,
        "level": level,
        "code_system": CURRENT_CODE_SYSTEM if by == "category" else None,
        "scope": scope_text(user),
        "rows": out,
        "totals": _figures(*total),
    }


# ---------------------------------------------------------------------------- movements

LINES_WITH_METHOD = (sql.ADDITION, sql.DISPOSAL)


def method_label(line: str, method: str) -> str:
    if line == sql.ADDITION:
        return str(dict(Asset.AcquisitionMethod.choices).get(method, method))
    return str(DISPOSAL_METHODS.get(method, method))


# Disposal methods a movements report names; disposal cases (issue 13) add theirs here.
DISPOSAL_METHODS = {"retired": gettext_lazy("Retired (核销)")}


def _empty_group() -> dict:
    return {
        sql.OPENING: [0, ZERO, ZERO],
        sql.CLOSING: [0, ZERO, ZERO],
        sql.TRANSFER_IN: [0, ZERO, ZERO],
        sql.TRANSFER_OUT: [0, ZERO, ZERO],
        sql.REVALUATION: [0, ZERO, ZERO],
        sql.DEPRECIATION: [0, ZERO, ZERO],
        sql.ADDITION: {},
        sql.DISPOSAL: {},
    }


def _add(target: list, count, original, accumulated) -> None:
    target[0] += int(count or 0)
    target[1] += Decimal(original or 0)
    target[2] += Decimal(accumulated or 0)


def _lines(by_method: dict, line: str) -> tuple[list[dict], dict]:
    rows, total = [], [0, ZERO, ZERO]
    for method in sorted(by_method):
        figures = by_method[method]
        _add(total, *figures)
        rows.append({"method": method, "label": method_label(line, method), **_figures(*figures)})
    return rows, _figures(*total)


def _shape(group: dict) -> dict:
    additions, additions_total = _lines(group[sql.ADDITION], sql.ADDITION)
    disposals, disposals_total = _lines(group[sql.DISPOSAL], sql.DISPOSAL)
    return {
        "opening": _figures(*group[sql.OPENING]),
        "additions": additions,
        "additions_total": additions_total,
        "disposals": disposals,
        "disposals_total": disposals_total,
        "transfers_in": _figures(*group[sql.TRANSFER_IN]),
        "transfers_out": _figures(*group[sql.TRANSFER_OUT]),
        "revaluation": _money(group[sql.REVALUATION][1]),
        "depreciation": _money(group[sql.DEPRECIATION][2]),
        "closing": _figures(*group[sql.CLOSING]),
    }


def movements(
    *,
    user,
    start: dt.date,
    end: dt.date,
    by: str = "category",
    level: int | None = None,
    opening_cutoff: dt.datetime | None = None,
    closing_cutoff: dt.datetime | None = None,
) -> dict:
    """The movements (增减变动表) from the start of `start` to the end of `end`, per group:
    opening balance, additions by acquisition method, disposals by method, transfers in and
    out (a card changing group or scope), revaluations, depreciation, closing balance."""
    if start > end:
        raise ValidationError({"from": _("The period must start on or before its end.")})
    rows = sql.movement_rows(
        opening_cutoff=opening_cutoff or start_of(start),
        opening_on=start - dt.timedelta(days=1),
        closing_cutoff=closing_cutoff or start_of(end + dt.timedelta(days=1)),
        closing_on=end,
        by=by,
        level=level,
        scope=scope_of(user),
    )
    groups: dict = {}
    total = _empty_group()
    for key, line, method, count, original, accumulated in rows:
        group = groups.setdefault(key, _empty_group())
        for target in (group, total):
            if line in LINES_WITH_METHOD:
                _add(target[line].setdefault(method, [0, ZERO, ZERO]), count, original, accumulated)
            else:
                _add(target[line], count, original, accumulated)
    out = [
        {"key": code, "name": name, **_shape(groups[key])} for key, code, name in _named(by, groups)
    ]
    return {
        "report": "movements",
        "from": start.isoformat(),
        "to": end.isoformat(),
        "by": by,
        "level": level,
        "code_system": CURRENT_CODE_SYSTEM if by == "category" else None,
        "scope": scope_text(user),
        "rows": out,
        "totals": _shape(total),
    }
