"""The finance office's task list (财务调账清单) as XLSX, through the shared spreadsheet writer."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from assets.reconciliations.models import ReconciliationDifference
from config import spreadsheets as sx


def _money(value) -> Decimal | None:
    return Decimal(value) if value not in (None, "") else None


def task_columns() -> list[sx.Column]:
    return [
        sx.Column("kind", _("Difference"), width=16),
        sx.Column("row", _("Finance row"), sx.INTEGER, width=8),
        sx.Column("tag", _("Tag"), width=16),
        sx.Column("legacy_number", _("Legacy number"), width=16),
        sx.Column("name", _("Name"), width=22),
        sx.Column("finance_value", _("Original value in the books"), sx.MONEY, width=14),
        sx.Column("register_value", _("Original value in the register"), sx.MONEY, width=14),
        sx.Column("finance_depreciation", _("Depreciation in the books"), sx.MONEY, width=14),
        sx.Column("register_depreciation", _("Depreciation in the register"), sx.MONEY, width=14),
        sx.Column("finance_category", _("Category in the books"), width=12),
        sx.Column("register_category", _("Category in the register"), width=12),
        sx.Column("finance_department", _("Department in the books"), width=14),
        sx.Column("register_department", _("Department in the register"), width=14),
        sx.Column("reason", _("Reason"), width=30),
        sx.Column("state", _("State"), width=10),
    ]


def task_rows(differences) -> list[dict]:
    rows = []
    for d in differences:
        f, r = d.finance or {}, d.register or {}
        rows.append(
            {
                "kind": ReconciliationDifference.Kind(d.kind).label,
                "row": f.get("row"),
                "tag": r.get("tag") or f.get("tag") or "",
                "legacy_number": f.get("legacy_number") or r.get("legacy_number") or "",
                "name": r.get("name") or f.get("name") or "",
                "finance_value": _money(f.get("original_value")),
                "register_value": _money(r.get("original_value")),
                "finance_depreciation": _money(f.get("accumulated_depreciation")),
                "register_depreciation": _money(r.get("accumulated_depreciation")),
                "finance_category": f.get("category") or "",
                "register_category": r.get("category") or "",
                "finance_department": f.get("department") or "",
                "register_department": r.get("department") or "",
                "reason": d.reason,
                "state": ReconciliationDifference.State(d.state).label,
            }
        )
    return rows


def tasks_response(reconciliation, differences):
    name = f"{_('finance-tasks')}-{reconciliation.pk}.xlsx"
    return sx.xlsx_response(
        name, task_columns(), task_rows(differences), sheet_title=_("Finance tasks")
    )
