"""Applying a checked plan: `execute_plan` (stage 4 of the pipeline in `jobs`).

Every row is applied in one transaction through `assets.services`, so each change writes its
history event like any other: new cards in batches through `register_assets` (hosts before
their components), cards with only plain-field changes in batches through `update_assets`,
other changes through `update_asset`, `nest_asset`, `move_asset` and `change_status`. One
failing row rolls the whole file back.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from assets import services
from assets.errors import DomainError
from assets.imports.columns import ImportHasErrors, RowError
from assets.imports.plan import CREATE, UNCHANGED, UPDATE, Plan, PlannedRow
from assets.models import Asset, TagSequence

APPLY_BATCH = 2000  # cards per bulk service call: bounds the card objects held at once


def execute_plan(*, plan: Plan, actor, note: str = "") -> dict[str, int]:
    """Apply a checked plan through the register services; call inside `transaction.atomic`.

    Rows run in the plan's order (hosts first), in batches of consecutive rows of one kind:
    new cards of one depth go to `services.register_assets`, cards whose changes are all plain
    fields to `services.update_assets` (a few statements per batch instead of a few per card).
    A card that is nested, moved or changes status goes through the per-action services. A
    service refusing a row raises `ImportHasErrors` naming the row, which rolls everything back.
    """
    if plan.errors:
        raise ImportHasErrors(errors=[e.as_dict() for e in plan.errors])
    labels = plan.header_map.labels
    creating = sum(1 for row in plan.order if row.action == CREATE)
    new_tags = iter(services.reserve_tags(count=creating)) if creating else iter(())
    # Only hosts named by another row need their new card kept; the rest are let go per batch.
    hosts = {row.parent_row.number for row in plan.rows if row.parent_row is not None}
    batch: list[PlannedRow] = []
    batch_kind = None

    def flush():
        if batch_kind == CREATE:
            _register(batch, actor, note, new_tags, hosts, labels)
        elif batch_kind == UPDATE:
            _update_plain(batch, actor, note, labels)

    for row in plan.order:
        if row.action == UNCHANGED:
            continue
        kind = _batch_kind(row)
        if batch and (
            kind != batch_kind or row.depth != batch[0].depth or len(batch) >= APPLY_BATCH
        ):
            flush()
            batch = []
        if kind is not None:
            batch.append(row)
            batch_kind = kind
        elif row.action == UPDATE:
            try:
                _update(row, actor, note)
            except (ValidationError, DomainError) as refusal:
                raise _row_refused(row, refusal, labels) from None
    if batch:
        flush()
    return plan.counts


def _batch_kind(row: PlannedRow) -> str | None:
    """CREATE or UPDATE for a row a bulk service takes; None for one that runs on its own."""
    if row.action == CREATE:
        return CREATE
    if row.action == UPDATE and all(key in services.PLAIN_FIELDS for key in row.changes):
        return UPDATE
    return None


def _row_refused(row: PlannedRow, refusal, labels) -> ImportHasErrors:
    """A service refused `row`: the error that names it and rolls the whole file back."""
    return ImportHasErrors(errors=[e.as_dict() for e in _refusal_errors(row, refusal, labels)])


def _refusal_errors(row: PlannedRow, refusal, labels) -> list[RowError]:
    if isinstance(refusal, ValidationError) and hasattr(refusal, "error_dict"):
        return [
            RowError(row.number, labels.get(name, name), " ".join(messages))
            for name, messages in refusal.message_dict.items()
        ]
    message = getattr(refusal, "message", None) or " ".join(getattr(refusal, "messages", []))
    return [RowError(row.number, "", str(message))]


def _host_of(row: PlannedRow) -> Asset | None:
    if row.parent_row is not None:
        return row.parent_row.created or row.parent_row.existing
    return row.parent_asset


def _register(batch: list[PlannedRow], actor, note: str, new_tags, hosts: set[int], labels):
    """Register the new cards of `batch` (one depth: their hosts exist already)."""
    cards = []
    for row in batch:
        fields = dict(row.fields)
        fields.update(
            status=row.status or Asset.Status.IN_USE,
            install_mode=row.install_mode,
            parent=_host_of(row),
            location=row.location,
        )
        cards.append(fields)
    try:
        created = services.register_assets(
            actor=actor, cards=cards, note=note, issued_tags=[next(new_tags) for _ in batch]
        )
    except services.CardRefused as refusal:
        raise _row_refused(batch[refusal.index], refusal, labels) from None
    for row, asset in zip(batch, created, strict=True):
        row.created_tag = asset.tag
        if row.number in hosts:
            row.created = asset


def _plain_fields(row: PlannedRow) -> dict[str, Any]:
    return {k: v for k, v in row.fields.items() if k in services.PLAIN_FIELDS}


def _update_plain(batch: list[PlannedRow], actor, note: str, labels) -> None:
    """Change the plain fields of the cards of `batch` (rows whose changes are all plain)."""
    try:
        services.update_assets(
            actor=actor, updates=[(row.existing, _plain_fields(row)) for row in batch], note=note
        )
    except services.CardRefused as refusal:
        raise _row_refused(batch[refusal.index], refusal, labels) from None


def _update(row: PlannedRow, actor, note: str) -> None:
    asset = row.existing
    plain = _plain_fields(row)
    if plain:
        asset = services.update_asset(asset=asset, actor=actor, fields=plain, note=note)
    if "parent" in row.changes or "install_mode" in row.changes:
        host = _host_of(row) if row.parent_ref else asset.parent
        mode = row.install_mode or asset.install_mode
        asset = services.nest_asset(
            asset=asset,
            actor=actor,
            parent=host,
            embedded=mode == Asset.InstallMode.EMBEDDED,
            note=note,
        )
    if "location" in row.changes:
        asset = services.move_asset(asset=asset, actor=actor, location=row.location, note=note)
    if "status" in row.changes:
        asset = services.change_status(asset=asset, actor=actor, status=row.status, note=note)


@contextmanager
def savepoints_off(using=None):
    """Let the services' nested `atomic` blocks run without savepoints inside the import.

    Each savepoint is a PostgreSQL subtransaction, and past 64 of them in one transaction every
    visibility check consults pg_subtrans, so a 50,000-row import slows down quadratically. The
    import is all-or-nothing anyway: a refusal in any service marks the outer transaction for
    rollback (Django's `needs_rollback`), which is what a savepoint-less nested block does.
    """
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        raise RuntimeError("savepoints_off() must run inside transaction.atomic()")
    # The tag counter row is created with get_or_create, which needs a savepoint to survive a
    # concurrent insert; make sure it exists before savepoints go.
    TagSequence.objects.get_or_create(
        prefix=settings.YIKA_TAG_PREFIX.upper(), year=timezone.localdate().year
    )
    features = connection.features
    had_own = "uses_savepoints" in vars(features)
    before = features.uses_savepoints
    features.uses_savepoints = False
    try:
        yield
    finally:
        if had_own:
            features.uses_savepoints = before
        else:
            del features.uses_savepoints  # back to the backend's class default
