"""Disposal cases as a spreadsheet (XLSX/CSV, formula-safe through `config.spreadsheets`): one
line per card of each case, the case's columns repeated, under the list's filters."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from assets.models import DisposalItem
from config import spreadsheets as sx


def disposal_columns() -> list[sx.Column]:
    return [
        sx.Column("number", _("Number"), width=14),
        sx.Column("method", _("Method")),
        sx.Column("grounds", _("Grounds"), width=24),
        sx.Column("department", _("Disposing department")),
        sx.Column("state", _("State")),
        sx.Column("approving_body", _("Approving body")),
        sx.Column("approval_no", _("Approval document number (批复文号)"), width=24),
        sx.Column("approved_on", _("Approved on"), sx.DATE),
        sx.Column("executed_on", _("Executed on"), sx.DATE),
        sx.Column("receiver", _("Receiving party")),
        sx.Column("tag", _("Tag"), width=16),
        sx.Column("name", _("Asset name"), width=24),
        sx.Column("original_value", _("Original value (CNY)"), sx.MONEY, width=14),
        sx.Column("net_value", _("Net value (CNY)"), sx.MONEY, width=14),
        sx.Column("previous_status", _("Status before")),
    ]


def disposal_rows(cases) -> Iterator[dict]:
    items = DisposalItem.objects.select_related("asset").order_by("asset__tag")
    statuses = dict(DisposalItem.asset.field.related_model.Status.choices)
    language = translation.get_language()
    for case in cases.prefetch_related(Prefetch("items", queryset=items)):
        with translation.override(language):
            head = {
                "number": case.number,
                "method": case.get_method_display(),
                "grounds": case.get_grounds_display(),
                "department": case.department.name,
                "state": case.get_state_display(),
                "approving_body": case.approving_body,
                "approval_no": case.approval_no,
                "approved_on": case.approved_on,
                "executed_on": case.executed_on,
                "receiver": case.to_department.name if case.to_department_id else case.counterparty,
            }
            for item in case.items.all():
                yield {
                    **head,
                    "tag": item.asset.tag,
                    "name": item.asset.name,
                    "original_value": item.original_value,
                    "net_value": item.net_value,
                    "previous_status": str(
                        statuses.get(item.previous_status, item.previous_status)
                    ),
                }


def disposal_response(cases, extension: str):
    name = f"{_('disposal cases')}-{timezone.localdate():%Y%m%d}.{extension}"
    columns = disposal_columns()
    rows = disposal_rows(cases)
    if extension == "csv":
        return sx.csv_response(name, columns, rows)
    return sx.xlsx_response(name, columns, rows, sheet_title=_("Disposals"))
