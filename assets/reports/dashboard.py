"""The dashboard (概览): the register at a glance for clerks, heads and auditors, scoped like the
register list and the reports (cards owned, used or managed in the reader's department subtree,
`permissions.SCOPE_DEPARTMENTS`; auditors: all).

Figure panels (value and count by category and department, status mix, age profile) come from
one statement (`sql.dashboard_rows`) over the register tally, which PostgreSQL triggers keep
(`RegisterTally`: a few thousand rows, not every card); each other panel and each "open work"
counter is one aggregate query (label coverage over the tallies too, `labels.dashboard`). Other packages add theirs without `assets` importing them (DESIGN.md
"Layout"): `register_counter` for an open-work counter, `register_panel` for a panel, called from
their `AppConfig.ready` (labels: label coverage; inventory: open differences, the current
campaign) or, later, disposals (cases waiting) and custody (loans past due).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from assets import permissions
from assets.models import Asset, Category, Department
from assets.reports import selectors, sql

CATEGORY_LEVEL = 2  # 大类


@dataclass(frozen=True)
class Counter:
    """An "open work" counter: `count(user)` is one aggregate query in the user's scope."""

    key: str
    label: Any
    count: Callable[[Any], int]
    url_name: str | None = None
    order: int = 100
    # The section of the linked page the counter's rows are in (its element id).
    fragment: str = ""


@dataclass(frozen=True)
class Panel:
    """A dashboard panel: `build(user)` answers `{"columns", "rows", "text_columns",
    "money_columns", "chart"?, "note"?}` or None (nothing to show this user) in one aggregate
    query or two. `chart` is `{"type": "bar"|"doughnut", "labels", "series": [{"label",
    "data"}], "stacked"?}`; the rows are its table (screen readers, export). A panel that shows
    only some of its rows says so: `caption` (which rows) and `more` (how many are left out, with
    a link to all of them; safe HTML)."""

    key: str
    title: Any
    build: Callable[[Any], dict | None]
    order: int = 100
    extra: dict = field(default_factory=dict)


COUNTERS: dict[str, Counter] = {}
PANELS: dict[str, Panel] = {}


def register_counter(counter: Counter) -> None:
    """Add (or replace, by key) an open-work counter."""
    COUNTERS[counter.key] = counter


def register_panel(panel: Panel) -> None:
    """Add (or replace, by key) a dashboard panel."""
    PANELS[panel.key] = panel


def _url(name: str | None, fragment: str = "") -> str | None:
    if not name:
        return None
    try:
        url = reverse(name)
    except NoReverseMatch:
        return None
    return f"{url}#{fragment}" if fragment else url


def open_work(user) -> list[dict]:
    return [
        {
            "key": c.key,
            "label": str(c.label),
            "count": c.count(user),
            "url": _url(c.url_name, c.fragment),
        }
        for c in sorted(COUNTERS.values(), key=lambda c: (c.order, c.key))
    ]


def extra_panels(user) -> list[dict]:
    out = []
    for panel in sorted(PANELS.values(), key=lambda p: (p.order, p.key)):
        data = panel.build(user)
        if data is not None:
            out.append({"key": panel.key, "title": str(panel.title), **data})
    return out


# ----------------------------------------------------------------------- figure panels


def _money(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def figures(user, *, on=None) -> dict:
    """The figure panels from one statement: by category (大类), by department, by status, and
    the age profile with the cards past their useful life."""
    on = on or timezone.localdate()
    rows = sql.dashboard_rows(on=on, category_level=CATEGORY_LEVEL, scope=selectors.scope_of(user))
    panels: dict[str, list] = {"category": [], "department": [], "status": [], "age": []}
    for panel, key, past, count, booked, original in rows:
        panels[panel].append((key, past, count, booked, _money(original)))
    return {
        "category": _value_panel("category", panels["category"]),
        "department": _value_panel("department", panels["department"]),
        "status": _status_panel(panels["status"]),
        "age": _age_panel(panels["age"]),
    }


def _value_panel(by: str, rows) -> dict:
    model = Category if by == "category" else Department
    ids = [int(key) for key, *_rest in rows if key is not None]
    names = {
        str(pk): (code, name)
        for pk, code, name in model.objects.filter(pk__in=ids).values_list("pk", "code", "name")
    }
    table = []
    for key, _past, _count, booked, original in rows:
        if not booked:
            continue
        code, name = names.get(key, ("", "—"))
        table.append([code, name, booked, original])
    table.sort(key=lambda row: row[3], reverse=True)
    return {
        "columns": [
            pgettext("report column", "Code"),
            _("Name"),
            _("Quantity"),
            _("Original value"),
        ],
        "text_columns": 2,
        "money_columns": [3],
        "rows": table,
        "chart": {
            "type": "bar",
            "labels": [row[1] for row in table],
            "series": [{"label": _("Original value"), "data": [float(row[3]) for row in table]}],
        },
    }


def _status_panel(rows) -> dict:
    labels = dict(Asset.Status.choices)
    order = list(Asset.Status.values)
    table = sorted(
        ([str(labels.get(key, key)), count] for key, _p, count, *_r in rows),
        key=lambda row: order.index(next(k for k, v in labels.items() if str(v) == row[0])),
    )
    return {
        "columns": [_("Status"), _("Quantity")],
        "text_columns": 1,
        "money_columns": [],
        "rows": table,
        "chart": {
            "type": "doughnut",
            "labels": [row[0] for row in table],
            "series": [{"label": _("Quantity"), "data": [row[1] for row in table]}],
        },
    }


def _age_panel(rows) -> dict:
    buckets: dict[int, list[int]] = {}
    past_count, past_value = 0, Decimal("0.00")
    for key, past, count, _booked, original in rows:
        years = int(key)
        bucket = buckets.setdefault(years, [0, 0])
        bucket[1 if past == "true" else 0] += count
        if past == "true":
            past_count += count
            past_value += original

    def label(years):
        if years < 0:
            return _("No in-service date")
        if years >= sql.AGE_CAP_YEARS:
            return _("%(years)s years or more") % {"years": sql.AGE_CAP_YEARS}
        return _("%(years)s–%(next)s years") % {"years": years, "next": years + 1}

    ordered = sorted(buckets, key=lambda y: (y < 0, y))
    table = [[label(y), buckets[y][0], buckets[y][1]] for y in ordered]
    return {
        "columns": [_("Years in service"), _("Within useful life"), _("Past useful life")],
        "text_columns": 1,
        "money_columns": [],
        "rows": table,
        "past_count": past_count,
        "past_value": past_value,
        "chart": {
            "type": "bar",
            "stacked": True,
            "integer": True,
            "labels": [row[0] for row in table],
            "series": [
                {"label": _("Within useful life"), "data": [row[1] for row in table]},
                {"label": _("Past useful life"), "data": [row[2] for row in table]},
            ],
        },
    }


def past_life_cards(user, *, limit: int = 10) -> list[Asset]:
    """The longest-serving live cards past their useful life (one query)."""
    from django.db.models import ExpressionWrapper, F, IntegerField
    from django.db.models.functions import ExtractMonth, ExtractYear

    today = timezone.localdate()
    months = ExpressionWrapper(
        (today.year - ExtractYear("in_service_on")) * 12
        + today.month
        - ExtractMonth("in_service_on")
        + 1,
        output_field=IntegerField(),
    )
    queryset = permissions.visible_assets(
        user, Asset.objects.exclude(status__in=sql.OFF_BOOK).filter(in_service_on__isnull=False)
    )
    return list(
        queryset.alias(age=months)
        .filter(age__gte=F("useful_life_months"))
        # What the list is about: how long past its life each card is (walk finding 20).
        .annotate(months_past=F("age") - F("useful_life_months"))
        .select_related("owner_department")
        .order_by("in_service_on", "tag")[:limit]
    )


# -------------------------------------------------------------- the register's counters


def _pending_handovers(user) -> int:
    from assets.handovers import selectors as handover_selectors

    return handover_selectors.receiver_inbox(user=user).count()


def _overdue_handovers(user) -> int:
    from assets.handovers import selectors as handover_selectors

    return handover_selectors.overdue_handover_projects(user=user).count()


register_counter(
    Counter(
        "pending_handovers",
        gettext_lazy("Handovers waiting for your decision"),
        _pending_handovers,
        "assets:handover-inbox",
        order=10,
    )
)
register_counter(
    Counter(
        "overdue_handovers",
        gettext_lazy("Projects past their handover deadline"),
        _overdue_handovers,
        "assets:project-overdue",
        order=20,
    )
)


def _disposals_waiting(user) -> int:
    from assets.disposals import selectors as disposal_selectors

    return disposal_selectors.approver_inbox(user=user).count()


def _custody_overdue(user) -> int:
    """Open check-outs and loans past their due date, on cards the reader sees."""
    from assets.custody import selectors as custody_selectors

    return custody_selectors.overdue_records(user=user).count()


register_counter(
    Counter(
        "disposals_waiting",
        gettext_lazy("Disposal cases waiting for my approval"),
        _disposals_waiting,
        "assets:disposal-inbox",
        order=40,
    )
)
register_counter(
    Counter(
        "custody_overdue",
        gettext_lazy("Check-outs and loans past their due date"),
        _custody_overdue,
        "assets:upkeep-lists",
        order=50,
        fragment="overdue",
    )
)
