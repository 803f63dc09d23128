"""Upkeep (维修 / 维保): faults, repairs and maintenance contracts, one function per change.

A repair moves its card into `under_repair` when it starts and back to the status it had when it
finishes (the declared machine in `assets.services.ASSET_TRANSITIONS`); nothing else moves a card
into or out of that status. Lock order: the card, then its repair record.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assets import permissions
from assets.errors import Conflict, TransitionNotAllowed
from assets.history import record_event
from assets.models import Asset, AssetEvent, MaintenanceContract, RepairRecord
from assets.services import ASSET_TRANSITIONS
from config import formatting

Status = Asset.Status

# What a clerk records on a repair; `reported_on` and `fault` too when it is created.
REPAIR_FIELDS = ("reported_on", "fault", "vendor", "cost", "started_on", "finished_on", "outcome")
CONTRACT_FIELDS = ("number", "vendor", "department", "starts_on", "ends_on", "assets")


def _lock(asset: Asset) -> Asset:
    return Asset.objects.select_for_update().get(pk=asset.pk)


def _not_in_future(errors: dict, name: str, value: date | None) -> None:
    if value is not None and value > timezone.localdate():
        errors[name] = _("This date is in the future.")


def _clean_cost(value) -> Decimal:
    try:
        cost = Decimal(str(value if value not in (None, "") else "0")).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationError({"cost": _("Give the cost as an amount in yuan.")}) from None
    if cost < 0:
        raise ValidationError({"cost": _("The cost cannot be negative.")})
    return cost


# Who hears of a fault report (inventory's reminders register the card's clerks' inbox from
# `InventoryConfig.ready`; assets imports no other app).
_fault_listeners: list = []


def register_fault_listener(listener) -> None:
    """Add a function called with each new fault report (idempotent per function)."""
    if listener not in _fault_listeners:
        _fault_listeners.append(listener)


@transaction.atomic
def report_fault(
    *, asset: Asset, actor, fault: str, reported_on: date | None = None
) -> RepairRecord:
    """Report a fault on the card (报修): whoever holds or reads it, auditors aside
    (`permissions.require_fault_reporter`). The repair itself is the clerk's to record."""
    asset = _lock(asset)
    permissions.require_fault_reporter(actor, asset)
    errors: dict = {}
    if not (fault or "").strip():
        errors["fault"] = _("Describe the fault.")
    reported_on = reported_on or timezone.localdate()
    _not_in_future(errors, "reported_on", reported_on)
    if errors:
        raise ValidationError(errors)
    if asset.status == Status.RETIRED:
        raise TransitionNotAllowed(_("A retired card cannot be repaired."), code="retired")
    repair = RepairRecord.objects.create(
        asset=asset,
        reported_on=reported_on,
        reported_by=actor if actor is not None and actor.is_authenticated else None,
        fault=fault.strip(),
    )
    record_event(
        asset=asset,
        actor=actor,
        kind=AssetEvent.Kind.FAULT_REPORTED,
        changes={"repair": [None, repair.pk]},
        note=repair.fault,
    )
    for listener in _fault_listeners:
        listener(repair=repair)
    return repair


def _cost_or_errors(value, errors: dict) -> Decimal:
    """The cleaned cost; a refusal goes into `errors`, said with the other fields' at once."""
    try:
        return _clean_cost(value)
    except ValidationError as error:
        errors.update(error.message_dict)
        return Decimal("0.00")


def _check_repair(repair: RepairRecord, errors: dict | None = None) -> None:
    errors = dict(errors or {})
    if not repair.fault.strip():
        errors["fault"] = _("Describe the fault.")
    for name in ("reported_on", "started_on", "finished_on"):
        _not_in_future(errors, name, getattr(repair, name))
    if repair.finished_on and not repair.started_on:
        errors["started_on"] = _("Give the date the repair started.")
    if repair.finished_on and repair.started_on and repair.finished_on < repair.started_on:
        errors["finished_on"] = _("The repair cannot finish before it started.")
    if errors:
        raise ValidationError(
            {
                name: [message] if isinstance(message, str) else message
                for name, message in errors.items()
            }
        )


def _start(asset: Asset, repair: RepairRecord, actor) -> None:
    if Status.UNDER_REPAIR not in ASSET_TRANSITIONS.get(asset.status, set()):
        raise TransitionNotAllowed(
            _("A card that is “%(status)s” cannot be sent for repair.")
            % {"status": Status(asset.status).label},
            code="not_repairable",
        )
    repair.status_before = asset.status
    record_event(
        asset=asset,
        actor=actor,
        kind=AssetEvent.Kind.REPAIR_STARTED,
        changes={"status": [asset.status, Status.UNDER_REPAIR], "repair": [None, repair.pk]},
        note=repair.vendor,
    )
    asset.status = Status.UNDER_REPAIR
    asset.save()


def _finish(asset: Asset, repair: RepairRecord, actor) -> None:
    changes: dict[str, Any] = {"repair": [None, repair.pk], "cost": [None, repair.cost]}
    if asset.status == Status.UNDER_REPAIR:
        back = repair.status_before
        if back not in ASSET_TRANSITIONS[Status.UNDER_REPAIR]:
            back = Status.IN_USE
        changes["status"] = [asset.status, back]
        asset.status = back
        asset.save()
    record_event(
        asset=asset,
        actor=actor,
        kind=AssetEvent.Kind.REPAIR_FINISHED,
        changes=changes,
        note=repair.outcome,
    )


def _save_repair(repair: RepairRecord) -> None:
    try:
        with transaction.atomic():
            repair.save()
    except IntegrityError:
        raise Conflict(
            _("This card already has a repair under way; finish that one first."),
            code="repair_under_way",
        ) from None


@transaction.atomic
def record_repair(*, asset: Asset, actor, fields: dict[str, Any]) -> RepairRecord:
    """Record a repair on the card (维修记录). With `started_on` and no `finished_on` the card
    goes `under_repair`; with both it is a past repair and the card keeps its status. The actor
    may change the card."""
    asset = _lock(asset)
    permissions.require_card_change(actor, asset)
    unknown = set(fields) - set(REPAIR_FIELDS)
    if unknown:
        raise ValidationError({name: _("Not a repair field.") for name in sorted(unknown)})
    if asset.status == Status.RETIRED:
        raise TransitionNotAllowed(_("A retired card cannot be repaired."), code="retired")
    errors: dict = {}
    repair = RepairRecord(
        asset=asset,
        reported_by=actor if actor is not None and actor.is_authenticated else None,
        reported_on=fields.get("reported_on") or timezone.localdate(),
        fault=(fields.get("fault") or "").strip(),
        vendor=(fields.get("vendor") or "").strip(),
        cost=_cost_or_errors(fields.get("cost"), errors),
        started_on=fields.get("started_on"),
        finished_on=fields.get("finished_on"),
        outcome=(fields.get("outcome") or "").strip(),
    )
    _check_repair(repair, errors)
    _save_repair(repair)
    if repair.under_way:
        _start(asset, repair, actor)
        repair.save(update_fields=["status_before"])
    else:
        record_event(
            asset=asset,
            actor=actor,
            kind=AssetEvent.Kind.REPAIR_FINISHED
            if repair.finished_on
            else AssetEvent.Kind.FAULT_REPORTED,
            changes={"repair": [None, repair.pk], "cost": [None, repair.cost]},
            note=repair.outcome or repair.fault,
        )
    return repair


@transaction.atomic
def update_repair(*, repair: RepairRecord, actor, fields: dict[str, Any]) -> RepairRecord:
    """Change a repair record: vendor, cost, outcome; give `started_on` to send the card for
    repair (`under_repair`) and `finished_on` to bring it back to the status it had. A start or
    finish, once recorded, is not taken back."""
    asset = _lock(repair.asset)
    permissions.require_card_change(actor, asset)
    repair = RepairRecord.objects.select_for_update().get(pk=repair.pk)
    unknown = set(fields) - set(REPAIR_FIELDS)
    if unknown:
        raise ValidationError({name: _("Not a repair field.") for name in sorted(unknown)})
    was_started, was_finished = repair.started_on is not None, repair.finished_on is not None
    errors = {}
    for name in ("started_on", "finished_on"):
        if name in fields and getattr(repair, name) and fields[name] != getattr(repair, name):
            errors[name] = _("Recorded already; it cannot be changed.")
    if errors:
        raise ValidationError(errors)
    for name, value in fields.items():
        if name == "cost":
            value = _cost_or_errors(value, errors)
        elif isinstance(value, str):
            value = value.strip()
        setattr(repair, name, value)
    _check_repair(repair, errors)
    _save_repair(repair)
    if repair.started_on and not was_started and not repair.finished_on:
        _start(asset, repair, actor)
        repair.save(update_fields=["status_before"])
    elif repair.started_on and not was_started and repair.finished_on:
        # Started and finished in one step: the card never showed as away.
        _finish(asset, repair, actor)
    elif repair.finished_on and not was_finished:
        _finish(asset, repair, actor)
    return repair


def _contract_assets(actor, assets) -> list[Asset]:
    ids = {asset.pk for asset in assets}
    if permissions.is_system(actor):
        return list(assets)
    allowed = set(
        permissions.changeable_assets(actor, Asset.objects.filter(pk__in=ids)).values_list(
            "pk", flat=True
        )
    )
    refused = sorted(asset.tag for asset in assets if asset.pk not in allowed)
    if refused:
        raise ValidationError(
            {"assets": _("Unknown asset “%(tag)s”.") % {"tag": formatting.text_list(refused)}}
        )
    return list(assets)


@transaction.atomic
def save_contract(
    *, actor, contract: MaintenanceContract | None = None, fields: dict[str, Any]
) -> MaintenanceContract:
    """Create or change a maintenance or warranty contract (维保合同) and the cards it covers.

    Clerks and admins; the contracting department is of the actor's scope and every covered card
    one the actor may change. A host's contract covers its embedded components unless they have
    their own (`assets.maintenance.selectors`), so components need not be listed."""
    if not permissions.is_system(actor) and not permissions.can_change_assets(actor):
        raise PermissionDenied(_("Your role may not record contracts."))
    if contract is not None:
        contract = MaintenanceContract.objects.select_for_update().get(pk=contract.pk)
        permissions.require_contract_change(actor, contract)
    unknown = set(fields) - set(CONTRACT_FIELDS)
    if unknown:
        raise ValidationError({name: _("Not a contract field.") for name in sorted(unknown)})
    contract = contract or MaintenanceContract()
    assets = fields.pop("assets", None)
    for name, value in fields.items():
        setattr(contract, name, value.strip() if isinstance(value, str) else value)
    errors = {}
    if not contract.number:
        errors["number"] = _("Give the contract number.")
    if not contract.vendor:
        errors["vendor"] = _("Give the vendor.")
    if contract.starts_on is None:
        errors["starts_on"] = _("Give the first day of the contract.")
    if contract.ends_on is None:
        errors["ends_on"] = _("Give the last day of the contract.")
    if contract.starts_on and contract.ends_on and contract.ends_on < contract.starts_on:
        errors["ends_on"] = _("The contract cannot end before it starts.")
    department = getattr(contract, "department", None) if contract.department_id else None
    if department is None:
        errors["department"] = _("Give the contracting department.")
    elif not permissions.may_assign_department(actor, department):
        errors["department"] = _("Unknown department “%(code)s”.") % {"code": department.code}
    if errors:
        raise ValidationError(errors)
    if MaintenanceContract.objects.filter(number=contract.number).exclude(pk=contract.pk).exists():
        raise ValidationError({"number": _("A contract with this number is recorded already.")})
    contract.save()
    if assets is not None:
        contract.assets.set(_contract_assets(actor, assets))
    return contract
