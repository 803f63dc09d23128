"""Custody (领用 / 借用 / 归还): every change, one function each, one transaction, its events.

A card is checked out to a person (who confirms receipt) or lent outside the unit with an approval
reference (未经批准不得出借, DOMAIN.md §8), then checked in. `custodian_user` and `custodian`
follow the check-out. Lock order: the card, then its open custody record.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assets import permissions
from assets.errors import Conflict, NotInScope, TransitionNotAllowed
from assets.history import record_event
from assets.models import Asset, AssetEvent, CustodyRecord, HoldingConfirmation, User

Status = Asset.Status
Kind = CustodyRecord.Kind

# Where a check-out takes a card, from the statuses it may leave: a card in stock or idle goes
# into use; one in use stays so. Other statuses (lent, under repair, pending disposal …) refuse.
CHECKOUT_STATUS = {
    Status.IN_STOCK: Status.IN_USE,
    Status.IDLE: Status.IN_USE,
    Status.IN_USE: Status.IN_USE,
}
# A loan outside the unit starts from these (the status machine's moves into `lent`).
LENDABLE = {Status.IN_USE, Status.IDLE}


def _lock(asset: Asset) -> Asset:
    return Asset.objects.select_for_update().get(pk=asset.pk)


def _open_record(asset: Asset) -> CustodyRecord | None:
    return (
        CustodyRecord.objects.select_for_update()
        .filter(asset=asset, state=CustodyRecord.State.OPEN)
        .first()
    )


def _check_due_on(due_on: date | None, *, required: bool = False) -> None:
    if due_on is None:
        if required:
            raise ValidationError({"due_on": _("Give the date it is due back.")})
        return
    if due_on < timezone.localdate():
        raise ValidationError({"due_on": _("The due date is in the past.")})


def _refuse_if_held(asset: Asset) -> None:
    if _open_record(asset) is not None:
        raise TransitionNotAllowed(
            _("%(tag)s is already checked out or lent; check it in first.") % {"tag": asset.tag},
            code="already_checked_out",
        )


def _open(record: CustodyRecord) -> CustodyRecord:
    """Insert the open record; a concurrent check-out of the same card loses with a 409."""
    try:
        with transaction.atomic():
            record.save(force_insert=True)
    except IntegrityError:
        raise Conflict(
            _("Someone else checked this card out at the same time; reload and try again.")
        ) from None
    return record


@transaction.atomic
def checkout_asset(
    *, asset: Asset, actor, holder: User, due_on: date | None = None, note: str = ""
) -> CustodyRecord:
    """Check the card out to `holder` (领用/借用 inside the unit), optionally due back on
    `due_on`. The actor may change the card; the holder is an active account of the card's
    departments (`permissions.may_hold_card`) and of the actor's scope. The card goes into use
    and names the holder as custodian; the holder then confirms receipt."""
    asset = _lock(asset)
    permissions.require_card_change(actor, asset)
    if not permissions.may_name_custodian(actor, holder):
        raise ValidationError({"user": _("Unknown user “%(name)s”.") % {"name": holder.username}})
    if not permissions.may_hold_card(holder, asset):
        raise ValidationError(
            {"user": _("%(name)s is not in a department of this card.") % {"name": holder}}
        )
    _check_due_on(due_on)
    if asset.status not in CHECKOUT_STATUS:
        raise TransitionNotAllowed(
            _("A card that is “%(status)s” cannot be checked out.")
            % {"status": Status(asset.status).label},
            code="not_available",
        )
    _refuse_if_held(asset)
    record = _open(
        CustodyRecord(
            asset=asset,
            kind=Kind.CHECKOUT,
            holder=holder,
            due_on=due_on,
            note=note.strip(),
            status_before=asset.status,
            opened_by=actor if actor is not None and actor.is_authenticated else None,
        )
    )
    changes = {}
    new_status = CHECKOUT_STATUS[asset.status]
    if new_status != asset.status:
        changes["status"] = [asset.status, new_status]
    if asset.custodian_user_id != holder.pk:
        changes["custodian_user"] = [
            asset.custodian_user.username if asset.custodian_user else None,
            holder.username,
        ]
    if asset.custodian != str(holder):
        changes["custodian"] = [asset.custodian, str(holder)]
    if due_on:
        changes["due_on"] = [None, due_on]
    asset.status = new_status
    asset.custodian_user = holder
    asset.custodian = str(holder)[:80]
    asset.save()
    record_event(
        asset=asset, actor=actor, kind=AssetEvent.Kind.CHECKED_OUT, changes=changes, note=note
    )
    return record


@transaction.atomic
def confirm_receipt(*, asset: Asset, actor) -> CustodyRecord:
    """The holder confirms they received the card checked out to them. Confirming twice keeps
    the first confirmation (and writes no second event)."""
    asset = _lock(asset)
    record = _open_record(asset)
    if record is None or record.kind != Kind.CHECKOUT:
        if not permissions.may_read_card(actor, asset):
            raise NotInScope()
        raise TransitionNotAllowed(
            _("%(tag)s is not checked out to anyone.") % {"tag": asset.tag},
            code="not_checked_out",
        )
    permissions.require_receipt_confirmer(actor, record)
    if record.confirmed_at is not None:
        return record
    record.confirmed_at = timezone.now()
    record.save(update_fields=["confirmed_at"])
    record_event(asset=asset, actor=actor, kind=AssetEvent.Kind.RECEIPT_CONFIRMED)
    return record


@transaction.atomic
def checkin_asset(*, asset: Asset, actor, note: str = "") -> CustodyRecord:
    """Take the card back (归还): the open check-out or loan closes, the custodian is cleared,
    and a lent card returns to the status it had before the loan. A card not checked out or
    lent is refused (409)."""
    asset = _lock(asset)
    permissions.require_card_change(actor, asset)
    record = _open_record(asset)
    if record is None:
        raise TransitionNotAllowed(
            _("%(tag)s is not checked out or lent, so it cannot be checked in.")
            % {"tag": asset.tag},
            code="not_checked_out",
        )
    if asset.status == Status.UNDER_REPAIR:
        raise TransitionNotAllowed(
            _("%(tag)s is under repair; record its return from repair first.") % {"tag": asset.tag},
            code="under_repair",
        )
    changes: dict = {}
    if record.kind == Kind.LOAN:
        back = record.status_before or Status.IN_USE
        if asset.status == Status.LENT:
            changes["status"] = [asset.status, back]
            asset.status = back
        if asset.lent_to:
            changes["lent_to"] = [asset.lent_to, ""]
            asset.lent_to = ""
    else:
        if asset.custodian_user_id is not None:
            changes["custodian_user"] = [asset.custodian_user.username, None]
        if asset.custodian:
            changes["custodian"] = [asset.custodian, ""]
        asset.custodian_user = None
        asset.custodian = ""
        # Out of stock for the check-out, back into stock at check-in.
        if record.status_before == Status.IN_STOCK and asset.status == Status.IN_USE:
            changes["status"] = [asset.status, Status.IN_STOCK]
            asset.status = Status.IN_STOCK
    record.state = CustodyRecord.State.CLOSED
    record.closed_at = timezone.now()
    record.closed_by = actor if actor is not None and actor.is_authenticated else None
    record.save(update_fields=["state", "closed_at", "closed_by"])
    asset.save()
    record_event(
        asset=asset, actor=actor, kind=AssetEvent.Kind.CHECKED_IN, changes=changes, note=note
    )
    return record


@transaction.atomic
def lend_asset(
    *,
    asset: Asset,
    actor,
    counterparty: str,
    due_on: date | None,
    approval_ref: str,
    note: str = "",
) -> CustodyRecord:
    """Lend the card outside the unit (出借/出租): status `lent` with the borrower, a due date
    and the approval's reference (未经批准不得出借, DOMAIN.md §8). Checked in like a check-out."""
    asset = _lock(asset)
    permissions.require_card_change(actor, asset)
    errors = {}
    if not counterparty.strip():
        errors["counterparty"] = _("Say who the asset is lent or leased to.")
    if not approval_ref.strip():
        errors["approval_ref"] = _("A loan outside the unit needs its approval reference.")
    if errors:
        raise ValidationError(errors)
    _check_due_on(due_on, required=True)
    if asset.status not in LENDABLE:
        raise TransitionNotAllowed(
            _("A card that is “%(status)s” cannot be lent.")
            % {"status": Status(asset.status).label},
            code="not_available",
        )
    _refuse_if_held(asset)
    record = _open(
        CustodyRecord(
            asset=asset,
            kind=Kind.LOAN,
            counterparty=counterparty.strip()[:200],
            approval_ref=approval_ref.strip()[:80],
            due_on=due_on,
            note=note.strip(),
            status_before=asset.status,
            opened_by=actor if actor is not None and actor.is_authenticated else None,
        )
    )
    changes = {
        "status": [asset.status, Status.LENT],
        "lent_to": [asset.lent_to, record.counterparty],
        "due_on": [None, due_on],
        "approval_ref": [None, record.approval_ref],
    }
    asset.status = Status.LENT
    asset.lent_to = record.counterparty
    asset.save()
    record_event(
        asset=asset, actor=actor, kind=AssetEvent.Kind.LENT_OUT, changes=changes, note=note
    )
    return record


# Who hears of a leaver (the reminders, which assets does not import, register themselves in
# InventoryConfig.ready): `listener(user=..., assets=[...])`, inside `save_user`'s transaction,
# when an account holding cards is deactivated, with the live cards it still holds.
_leaver_listeners: list = []


def register_leaver_listener(listener) -> None:
    """Add a function called when an account still holding cards is deactivated (idempotent)."""
    if listener not in _leaver_listeners:
        _leaver_listeners.append(listener)


def announce_leaver(*, user: User) -> list[Asset]:
    """Tell the listeners that `user`, just deactivated, still holds cards (`custodian_user`):
    the clerks get the list to reassign them. Called by `assets.services.save_user` in its
    transaction; returns the cards (none: nobody is told)."""
    held = list(
        permissions.held_assets(user)
        .select_related("owner_department")
        .order_by("owner_department_id", "tag")
    )
    if held:
        for listener in _leaver_listeners:
            listener(user=user, assets=held)
    return held


# Who hears of a holder's "I still hold these" (the stocktake, which assets does not import,
# registers itself in InventoryConfig.ready). Each listener is called inside the service's
# transaction as `listener(actor=..., assets=[...])` with every card the holder confirmed
# (newly or earlier that year) and answers {asset id: campaign id} for the cards it counted.
_holding_listeners: list = []


def register_holding_listener(listener) -> None:
    """Add a function called on every confirm-all (idempotent per function)."""
    if listener not in _holding_listeners:
        _holding_listeners.append(listener)


@transaction.atomic
def confirm_holdings(
    *, actor, year: int | None = None, campaign_id: int | None = None
) -> list[HoldingConfirmation]:
    """The holder's "I still hold these" for the annual count: one confirmation per card they
    hold and year (confirming again adds none), each with its event. A stocktake counting the
    card then shows it as confirmed by its holder, and the confirmation names that campaign.
    Returns the new ones."""
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied(_("Sign in to confirm what you hold."))
    year = year or timezone.localdate().year
    held = list(permissions.held_assets(actor).select_for_update().order_by("tag"))
    counted_in: dict[int, int] = {}
    for listener in _holding_listeners:
        counted_in.update(listener(actor=actor, assets=held))
    done = set(
        HoldingConfirmation.objects.filter(holder=actor, year=year, asset__in=held).values_list(
            "asset_id", flat=True
        )
    )
    created = []
    for asset in held:
        if asset.pk in done:
            continue
        in_campaign = campaign_id or counted_in.get(asset.pk)
        confirmation, new = HoldingConfirmation.objects.get_or_create(
            asset=asset, holder=actor, year=year, defaults={"campaign_id": in_campaign}
        )
        if not new:
            continue
        created.append(confirmation)
        record_event(
            asset=asset,
            actor=actor,
            kind=AssetEvent.Kind.HOLDING_CONFIRMED,
            changes={"year": [None, year]},
            campaign_id=in_campaign,
        )
    return created
