"""Reconciliation with the finance books (账账相符): upload, match, and the difference register.

`create_reconciliation` reads the finance export with the import's reader, maps its columns
(the saved mapping, the one given, then each header by its name), checks every row, and in one
transaction stages the rows, matches them card by card in SQL (`assets.reconciliations.sql`)
and raises the differences: all of it or nothing. The differences then go
raised → explained → approved → posted (`DIFFERENCE_TRANSITIONS`), posted either to the card
through `assets.services.update_asset` (an event naming the reconciliation) or to the finance
office's task list.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assets import permissions, services, spreadsheets
from assets.errors import TransitionNotAllowed
from assets.imports.jobs import read_upload, safe_file_name
from assets.models import CURRENT_CODE_SYSTEM, Category, Department
from assets.reconciliations import columns, sql
from assets.reconciliations.models import (
    FinanceRow,
    Reconciliation,
    ReconciliationDifference,
    ReconciliationMapping,
    ValueUnit,
)

Kind = ReconciliationDifference.Kind
State = ReconciliationDifference.State
Treatment = ReconciliationDifference.Treatment

RECONCILIATION_TRANSITIONS: dict[str, set[str]] = {
    Reconciliation.State.OPEN: {Reconciliation.State.CLEARED},
    Reconciliation.State.CLEARED: set(),
}
# The reconciliation's difference register (差异登记 → 说明 → 审批 → 入账), as a stocktake's.
DIFFERENCE_TRANSITIONS: dict[str, set[str]] = {
    State.RAISED: {State.EXPLAINED},
    State.EXPLAINED: {State.APPROVED, State.EXPLAINED},
    State.APPROVED: {State.POSTED},
    State.POSTED: set(),
}
# What posting to the card can correct, per kind; the rest goes to the finance office.
CARD_TREATABLE = {Kind.VALUE_DIFFERS, Kind.CATEGORY_DIFFERS}


# ------------------------------------------------------------------------------ saved mapping


def saved_mapping() -> ReconciliationMapping | None:
    return ReconciliationMapping.objects.filter(key=ReconciliationMapping.DEFAULT_KEY).first()


@transaction.atomic
def save_mapping(*, actor, headers: dict[str, str], value_unit: str = "") -> ReconciliationMapping:
    """Save the deployment's column mapping of the finance export (admins only)."""
    permissions.require_mapping_editor(actor)
    cleaned = columns.clean_mapping(headers)
    if value_unit and value_unit not in ValueUnit.values:
        raise ValidationError({"value_unit": _("Choose yuan or 万元.")})
    mapping, _created = ReconciliationMapping.objects.select_for_update().get_or_create(
        key=ReconciliationMapping.DEFAULT_KEY
    )
    mapping.columns = cleaned
    mapping.value_unit = value_unit or ""
    mapping.updated_by = actor
    mapping.updated_at = timezone.now()
    mapping.save()
    return mapping


# ------------------------------------------------------------------------------ reconciling


def _resolvers():
    categories = {
        code.upper(): pk
        for pk, code in Category.objects.filter(code_system=CURRENT_CODE_SYSTEM).values_list(
            "pk", "code"
        )
    }
    by_code: dict[str, int] = {}
    by_name: dict[str, list[int]] = {}
    for pk, code, name in Department.objects.values_list("pk", "code", "name"):
        by_code[code.lower()] = pk
        by_name.setdefault(name.strip(), []).append(pk)

    def department(text: str) -> int | None:
        if not text:
            return None
        pk = by_code.get(text.lower())
        if pk is None and len(by_name.get(text, [])) == 1:
            pk = by_name[text][0]
        return pk

    return categories, department


def _staged(reconciliation_id: int, rows: list[columns.ParsedRow]) -> list[tuple]:
    categories, department = _resolvers()
    out = []
    for row in rows:
        v = row.values
        category = v.get("category") or ""
        department_text = v.get("department") or ""
        out.append(
            (
                reconciliation_id,
                row.number,
                (v.get("tag") or "").upper(),
                v.get("legacy_number") or "",
                v.get("serial_number") or "",
                v.get("name") or "",
                category,
                categories.get(category.upper()) if category else None,
                department_text,
                department(department_text),
                v.get("original_value"),
                v.get("accumulated_depreciation"),
                v.get("booked_on"),
                v.get("voucher_no") or "",
                "",
            )
        )
    return out


def read_finance_file(
    *, data: bytes, mapping: dict[str, str] | None, value_unit: str = ""
) -> tuple[spreadsheets.Table, columns.Mapping, list[columns.ParsedRow]]:
    """Read and check the export without writing: the table, its mapping and its rows.

    A file that cannot be read, merged cells in the data, an unmappable or doubly mapped column
    or an unclear unit raise before anything is stored; row errors raise `RowsHaveErrors` with
    every row's errors."""
    if value_unit and value_unit not in ValueUnit.values:
        raise ValidationError({"value_unit": _("Choose yuan or 万元.")})
    table = spreadsheets.read_table(data)
    table = spreadsheets.locate_header(table, columns.header_score)
    columns.check_merged(table)
    given = columns.clean_mapping(mapping)
    if mapping is None:
        saved = saved_mapping()
        if saved is not None:
            given = columns.clean_mapping(saved.columns)
            value_unit = value_unit or saved.value_unit
    found = columns.map_columns(table.headers, mapping=given, value_unit=value_unit)
    columns.unit_question(table, found)
    if not table.rows:
        raise spreadsheets.SpreadsheetError(
            _("The file has no rows below its header."), code="empty_file"
        )
    rows, errors = columns.parse_rows(table, found)
    if errors:
        raise columns.RowsHaveErrors(
            _("%(count)s error(s) in the file; nothing was reconciled.") % {"count": len(errors)},
            errors=[e.as_dict() for e in errors],
        )
    return table, found, rows


@transaction.atomic
def create_reconciliation(
    *,
    actor,
    upload=None,
    data: bytes | None = None,
    name: str = "",
    mapping: dict[str, str] | None = None,
    value_unit: str = "",
    as_of: date | None = None,
    remember_mapping: bool = False,
) -> Reconciliation:
    """Reconcile the register with a finance export, card by card, all or nothing.

    `mapping` (`{"field": "header"}`) overrides the saved one; `remember_mapping` saves it as
    the deployment's (admins). The cards compared are those the actor may change
    (`permissions.reconciled_assets`); accumulated depreciation is compared as of `as_of`
    (today in Asia/Shanghai by default).
    """
    permissions.require_reconciler(actor)
    if upload is not None:
        data = read_upload(upload)
        name = name or getattr(upload, "name", "")
    data = data or b""
    table, found, rows = read_finance_file(data=data, mapping=mapping, value_unit=value_unit)
    if remember_mapping:
        save_mapping(actor=actor, headers=found.labels, value_unit=found.value_unit)
    reconciliation = Reconciliation(
        created_by=actor,
        department_id=actor.department_id,
        original_name=safe_file_name(name),
        file_sha256=hashlib.sha256(data).hexdigest(),
        file_kind=table.kind,
        encoding=table.encoding or "",
        header_row=table.header_row,
        mapping=found.labels,
        ignored_columns=found.ignored,
        value_unit=found.value_unit,
        as_of=as_of or timezone.localdate(),
        row_count=len(rows),
    )
    reconciliation.file.save(f"{uuid.uuid4().hex}.{table.kind}", ContentFile(data), save=False)
    reconciliation.save()
    sql.stage_rows(_staged(reconciliation.pk, rows))
    sql.load_scope(permissions.reconciled_assets(actor))
    sql.match_rows(reconciliation.pk)
    sql.raise_differences(reconciliation.pk, on=reconciliation.as_of)
    counts = sql.counts(reconciliation.pk)
    reconciliation.matched_count = counts["matched"]
    for kind in Kind.values:
        setattr(reconciliation, f"{kind}_count", counts[kind])
    reconciliation.totals = sql.totals(reconciliation.pk)
    if not any(counts[kind] for kind in Kind.values):
        reconciliation.state = Reconciliation.State.CLEARED
        reconciliation.cleared_at = timezone.now()
    reconciliation.save()
    return reconciliation


# ------------------------------------------------------------------------------ differences


def _guard(difference: ReconciliationDifference, target: str) -> None:
    if target not in DIFFERENCE_TRANSITIONS.get(difference.state, set()):
        raise TransitionNotAllowed(
            _("A difference cannot go from “%(old)s” to “%(new)s”.")
            % {"old": State(difference.state).label, "new": State(target).label},
            code="difference_transition_not_allowed",
        )


def _lock(difference: ReconciliationDifference, actor) -> ReconciliationDifference:
    locked = (
        ReconciliationDifference.objects.select_for_update(of=("self",))
        .select_related("reconciliation", "finance_row", "asset")
        .get(pk=difference.pk)
    )
    permissions.require_reconciliation_access(actor, locked.reconciliation)
    return locked


@transaction.atomic
def explain_difference(
    *, difference: ReconciliationDifference, actor, reason: str, treatment: str
) -> ReconciliationDifference:
    """Give a difference its cause and its treatment: correct the card, or the finance books."""
    permissions.require_reconciler(actor)
    difference = _lock(difference, actor)
    _guard(difference, State.EXPLAINED)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for the difference.")})
    if treatment not in Treatment.values:
        raise ValidationError({"treatment": _("Choose the card or the finance office.")})
    if treatment == Treatment.CARD and difference.kind not in CARD_TREATABLE:
        raise ValidationError({"treatment": [_card_refusal(difference.kind)]})
    difference.reason = reason.strip()
    difference.treatment = treatment
    difference.state = State.EXPLAINED
    difference.explained_by = actor
    difference.explained_at = timezone.now()
    difference.save()
    return difference


def _card_refusal(kind: str) -> str:
    if kind == Kind.DEPARTMENT_DIFFERS:
        return _(
            "Ownership moves only through a handover; hand the card over, or send this to the "
            "finance office."
        )
    if kind == Kind.ONLY_IN_FINANCE:
        return _("There is no card to correct; register it, or send this to the finance office.")
    return _("The card has nothing to correct; the finance office books it or clears it.")


@transaction.atomic
def approve_difference(*, difference: ReconciliationDifference, actor) -> ReconciliationDifference:
    """The asset office approves the explained treatment (审批)."""
    permissions.require_reconciliation_approver(actor)
    difference = _lock(difference, actor)
    _guard(difference, State.APPROVED)
    difference.state = State.APPROVED
    difference.approved_by = actor
    difference.approved_at = timezone.now()
    difference.save(update_fields=["state", "approved_by", "approved_at"])
    return difference


def card_corrections(difference: ReconciliationDifference) -> dict[str, Any]:
    """The card fields posting `difference` to its card sets: the finance row's booked date
    and voucher number, and its original value or category where those differ."""
    row: FinanceRow = difference.finance_row
    fields: dict[str, Any] = {}
    if row.booked_on:
        fields["booked_on"] = row.booked_on
    if row.voucher_no:
        fields["voucher_no"] = row.voucher_no
    if difference.kind == Kind.VALUE_DIFFERS and row.original_value is not None:
        fields["original_value"] = row.original_value
    if difference.kind == Kind.CATEGORY_DIFFERS:
        if row.category_id is None:
            raise ValidationError(
                {
                    "treatment": _(
                        "The finance category “%(code)s” is not in the classification; the "
                        "finance office must correct it."
                    )
                    % {"code": row.category_code}
                }
            )
        fields["category"] = row.category
    return fields


@transaction.atomic
def post_difference(*, difference: ReconciliationDifference, actor) -> ReconciliationDifference:
    """Post an approved difference: to the card (one `updated` event naming the
    reconciliation) or to the finance office's task list. The last one posted clears the
    reconciliation."""
    permissions.require_reconciliation_approver(actor)
    difference = _lock(difference, actor)
    _guard(difference, State.POSTED)
    if difference.treatment == Treatment.CARD:
        services.update_asset(
            asset=difference.asset,
            actor=actor,
            fields=card_corrections(difference),
            note=_("Reconciliation #%(id)s with the finance books: %(reason)s")
            % {"id": difference.reconciliation_id, "reason": difference.reason},
        )
    difference.state = State.POSTED
    difference.posted_by = actor
    difference.posted_at = timezone.now()
    difference.save(update_fields=["state", "posted_by", "posted_at"])
    _clear_if_done(difference.reconciliation_id)
    return difference


def _clear_if_done(reconciliation_id: int) -> None:
    reconciliation = Reconciliation.objects.select_for_update().get(pk=reconciliation_id)
    if reconciliation.differences.exclude(state=State.POSTED).exists():
        return
    target = Reconciliation.State.CLEARED
    if target not in RECONCILIATION_TRANSITIONS[reconciliation.state]:
        return
    reconciliation.state = target
    reconciliation.cleared_at = timezone.now()
    reconciliation.save(update_fields=["state", "cleared_at"])
