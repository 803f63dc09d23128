"""Every change to the register: one function per action, one transaction, its history event.

Views, serializers, admin actions, importers and tasks call these; none of them saves a card.
Each asks `assets.permissions` whether its actor may make the change (`actor=permissions.SYSTEM`
is the system itself: demo data, migrations, a command run without a user).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assets import permissions, selectors, sql, tags
from assets.errors import DisposalRequired, DomainError, TransitionNotAllowed
from assets.history import new_event, record_event, write_events
from assets.models import (
    CURRENT_CODE_SYSTEM,
    Asset,
    AssetEvent,
    Category,
    Department,
    Location,
    TagSequence,
)
from config import formatting

Status = Asset.Status

# The status machine of DOMAIN.md §2. `retired` is reached only through `retire_asset`.
ASSET_TRANSITIONS: dict[str, set[str]] = {
    Status.DRAFT: {Status.IN_STOCK, Status.IN_USE},
    Status.IN_STOCK: {Status.IN_USE, Status.PENDING_DISPOSAL},
    Status.IN_USE: {Status.IDLE, Status.LENT, Status.PENDING_DISPOSAL, Status.IN_STOCK},
    Status.IDLE: {Status.IN_USE, Status.LENT, Status.PENDING_DISPOSAL},
    Status.LENT: {Status.IN_USE, Status.IDLE, Status.PENDING_DISPOSAL},
    Status.PENDING_DISPOSAL: {Status.IN_USE, Status.IDLE, Status.RETIRED},
    Status.RETIRED: set(),
}
RETIRABLE = {Status.DRAFT, Status.IN_STOCK, Status.IN_USE, Status.IDLE, Status.PENDING_DISPOSAL}
INITIAL_STATUSES = {Status.IN_STOCK, Status.IN_USE, Status.DRAFT}
# A ledger also lists idle and pending-disposal cards: `register_assets` registers them in use
# and moves them on. Lent needs a borrower and retired its own action, so neither is accepted.
LEDGER_STATUSES = INITIAL_STATUSES | (ASSET_TRANSITIONS[Status.IN_USE] - {Status.LENT})
# Repairs (issue 18): a card in stock, in use or idle goes away for repair and comes back to the
# status it had (`assets.maintenance.services`); only the repair services move it in or out.
for _source in (Status.IN_STOCK, Status.IN_USE, Status.IDLE):
    ASSET_TRANSITIONS[_source].add(Status.UNDER_REPAIR)
ASSET_TRANSITIONS[Status.UNDER_REPAIR] = {Status.IN_STOCK, Status.IN_USE, Status.IDLE}
# Reached and left only through their own services, never `change_status`.
OWN_ACTION_STATUSES = {Status.UNDER_REPAIR: "repairs"}

# Plain card fields: editable through `update_asset`. Everything else has its own action.
PLAIN_FIELDS = (
    "legacy_number",
    "name",
    "brand",
    "model",
    "spec",
    "serial_number",
    "unit",
    "category",
    "acquisition_method",
    "acquired_on",
    "in_service_on",
    "contract_no",
    "invoice_no",
    "project",
    "warranty_until",
    "value_type",
    "original_value",
    "booked_on",
    "voucher_no",
    "depreciate",
    "useful_life_months",
    "managing_department",
    "using_department",
    "custodian",
    "custodian_user",
    "label_mode",
    "notes",
)
# Fields that change only through an action; a write names the action (DESIGN.md API rule).
ACTION_FIELDS = {
    "parent": "nest",
    "embedded": "nest",
    "install_mode": "nest",
    "status": "status",
    "owner_department": "handover",
    "ownership_confirmed": "handover",
    "location": "move",
    "tag": None,
    "retired_at": "retire",
    "retire_reason": "retire",
}
# Components that sit physically inside their host and therefore move with it.
PHYSICALLY_INSIDE = {Asset.InstallMode.EMBEDDED, Asset.InstallMode.RACK_MOUNTED}


class RetireComponents:
    REFUSE = "refuse"
    DETACH = "detach"
    RETIRE = "retire"
    CHOICES = (REFUSE, DETACH, RETIRE)


def next_tag(*, year: int | None = None, prefix: str | None = None) -> str:
    """Issue the next tag for (prefix, year) under a row lock; must run inside a transaction.

    The counter row is created with get_or_create on its unique (prefix, year) key, then locked and
    incremented, so parallel registrations get distinct numbers on PostgreSQL; on SQLite the
    IMMEDIATE transaction serialises writers.
    """
    prefix = (prefix or settings.YIKA_TAG_PREFIX).upper()
    year = year or timezone.localdate().year
    TagSequence.objects.get_or_create(prefix=prefix, year=year)
    sequence = TagSequence.objects.select_for_update().get(prefix=prefix, year=year)
    value = sequence.last_value
    while True:
        value += 1
        tag = tags.make_tag(prefix, year, value)
        if tag is not None:
            break
    sequence.last_value = value
    sequence.save(update_fields=["last_value"])
    return tag


def next_document_number(*, series: str, letters: str) -> str:
    """The next number of a document series this year, e.g. `YJ2026-0001` (handovers) or
    `CZ2026-0001` (disposal cases), under the counter row's lock; inside a transaction.
    `series` keys the counter row in TagSequence and is never a tag prefix."""
    year = timezone.localdate().year
    TagSequence.objects.get_or_create(prefix=series, year=year)
    counter = TagSequence.objects.select_for_update().get(prefix=series, year=year)
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return f"{letters}{year}-{counter.last_value:04d}"


def reserve_tags(*, count: int, year: int | None = None, prefix: str | None = None) -> list[str]:
    """Issue `count` consecutive tags under one lock of the counter row (bulk registration).

    Must run inside a transaction. An import of N cards in one transaction that called
    `next_tag` per card would update the counter row N times; PostgreSQL keeps every version of
    that row until commit and each later lock walks them all, so N cards cost O(N²). One update
    for the whole batch avoids that. Pass each tag to `register_asset(tag=...)`.
    """
    prefix = (prefix or settings.YIKA_TAG_PREFIX).upper()
    year = year or timezone.localdate().year
    TagSequence.objects.get_or_create(prefix=prefix, year=year)
    sequence = TagSequence.objects.select_for_update().get(prefix=prefix, year=year)
    value = sequence.last_value
    issued: list[str] = []
    while len(issued) < count:
        value += 1
        tag = tags.make_tag(prefix, year, value)
        if tag is not None:
            issued.append(tag)
    sequence.last_value = value
    sequence.save(update_fields=["last_value"])
    return issued


def _require_leaf_category(category: Category, *, group_ids: set[int] | None = None) -> None:
    """Cards use leaf categories of the current code system.

    `group_ids` (the categories known to have children) lets a bulk registration ask the
    database once for the whole batch instead of once per card.
    """
    if category.code_system != CURRENT_CODE_SYSTEM:
        raise ValidationError(
            {
                "category": _(
                    "Category %(code)s belongs to %(system)s; cards use %(current)s codes."
                )
                % {
                    "code": category.code,
                    "system": category.code_system,
                    "current": CURRENT_CODE_SYSTEM,
                }
            }
        )
    if (
        category.pk in group_ids
        if group_ids is not None
        else Category.objects.filter(parent=category).exists()
    ):
        raise ValidationError(
            {
                "category": _(
                    "Category %(code)s %(name)s is a group; choose one of its leaf categories."
                )
                % {"code": category.code, "name": category.name}
            }
        )


def _check_departments(actor, fields: dict[str, Any]) -> None:
    """A clerk may put a card only under departments in their own scope, link it only to a
    project of their scope and name only a custodian account of their scope.

    The system (`permissions.SYSTEM`: demo data, migrations) and admins keep to no scope.
    """
    if permissions.is_system(actor) or permissions.is_admin(actor):
        return
    for field in ("owner_department", "using_department", "managing_department"):
        department = fields.get(field)
        if isinstance(department, Department) and not permissions.may_assign_department(
            actor, department
        ):
            raise ValidationError(
                {
                    field: _("Department %(code)s is outside your department scope.")
                    % {"code": department.code}
                }
            )
    # A project or account outside the scope is refused exactly as an unknown one: a different
    # answer would tell which codes and usernames exist (issue 15.9).
    project = fields.get("project")
    if project is not None and not permissions.may_link_project(actor, project):
        raise ValidationError(
            {"project": _("Unknown delegated-build project “%(code)s”.") % {"code": project.code}}
        )
    custodian = fields.get("custodian_user")
    if custodian is not None and not permissions.may_name_custodian(actor, custodian):
        raise ValidationError(
            {"custodian_user": _("Unknown user “%(username)s”.") % {"username": custodian.username}}
        )


def acquisition_date_error(acquired_on) -> str | None:
    """The one acquisition-date rule (web form, API and import): a card is acquired on or
    before today in Yika's time zone; a future date is a typo (2030 for 2023) and is refused."""
    today = timezone.localdate()
    if acquired_on is not None and acquired_on > today:
        return _("The acquisition date %(date)s is in the future (today is %(today)s).") % {
            "date": acquired_on.isoformat(),
            "today": today.isoformat(),
        }
    return None


def card_errors(asset: Asset) -> dict[str, str]:
    """Every problem with a card's values at once, by field (forms show them all together)."""
    errors: dict[str, str] = {}
    if problem := acquisition_date_error(asset.acquired_on):
        errors["acquired_on"] = problem
    if asset.original_value is not None and asset.original_value < 0:
        errors["original_value"] = _("The original value cannot be negative.")
    if asset.useful_life_months is not None and asset.useful_life_months <= 0:
        errors["useful_life_months"] = _("The useful life must be at least one month.")
    if asset.acquired_on and asset.in_service_on and asset.in_service_on < asset.acquired_on:
        errors["in_service_on"] = _("The in-service date cannot be before the acquisition date.")
    # Dates of what has happened (put into service, booked by finance) are never in the future.
    today = timezone.localdate()
    if asset.in_service_on and asset.in_service_on > today and "in_service_on" not in errors:
        errors["in_service_on"] = _(
            "The in-service date %(date)s is in the future (today is %(today)s)."
        ) % {"date": asset.in_service_on.isoformat(), "today": today.isoformat()}
    if asset.booked_on and asset.booked_on > today:
        errors["booked_on"] = _(
            "The booking date %(date)s is in the future (today is %(today)s)."
        ) % {
            "date": asset.booked_on.isoformat(),
            "today": today.isoformat(),
        }
    if asset.acquired_on and asset.warranty_until and asset.warranty_until < asset.acquired_on:
        errors["warranty_until"] = _("The warranty cannot end before the acquisition date.")
    if not (asset.name or "").strip():
        errors["name"] = _("The name is required.")
    return errors


def _validate_card(asset: Asset) -> None:
    if errors := card_errors(asset):
        raise ValidationError(errors)


@transaction.atomic
def register_asset(
    *,
    actor,
    fields: dict[str, Any],
    note: str = "",
    tag: str | None = None,
    registered_at: datetime | None = None,
) -> Asset:
    """Create a card (资产卡片) with a freshly generated tag and its `created` event.

    `fields` may carry the plain fields plus `owner_department`, `location`, `status`
    (one of draft/in_stock/in_use), `parent` and `install_mode`; nesting is checked as in
    `nest_asset`. `tag` is only for bulk registration: a tag issued by `reserve_tags` in the
    same transaction (never a tag from client input). The actor needs a role that registers
    cards (`permissions.require_card_writer`) and may change the host.

    `registered_at` is only for the system's own seeding of a register with a past (the demo,
    `actor=SYSTEM`), never from client input: the card and its `created` event are dated then,
    so the reports at past dates (which count a card from its registration, DESIGN.md
    invariant 12) include it.
    """
    permissions.require_card_writer(actor)
    if registered_at is not None and actor is not permissions.SYSTEM:
        raise ValueError("Only the system registers a card at a past moment.")
    asset, _status = _checked_card(
        actor=actor,
        fields=fields,
        tag=tag,
        statuses=INITIAL_STATUSES,
        lock_host=lambda parent: Asset.objects.select_for_update().get(pk=parent.pk),
    )
    asset.tag = tag or next_tag()
    asset.save()
    event = new_event(
        asset=asset,
        actor=actor,
        kind=AssetEvent.Kind.CREATED,
        changes={"tag": [None, asset.tag], "status": [None, asset.status]},
        note=note,
    )
    if registered_at is not None:
        # `created_at` is auto_now_add: only an update after the insert can date it.
        Asset.objects.filter(pk=asset.pk).update(created_at=registered_at)
        asset.created_at = event.at = registered_at
    event.save(force_insert=True)
    return asset


class CardRefused(ValidationError):
    """A card of a bulk service was refused (400); `index` is its position in the input.

    Carries the per-card service's messages (field by field for a `ValidationError`) and the
    original refusal as `refusal`, e.g. the `TransitionNotAllowed` for a retired card.
    """

    def __init__(self, index: int, refusal: ValidationError | DomainError):
        if hasattr(refusal, "error_dict"):
            super().__init__(refusal.message_dict)
        elif isinstance(refusal, ValidationError):
            super().__init__(refusal.messages)
        else:
            super().__init__(str(refusal.message))
        self.index = index
        self.refusal = refusal


# Rows per INSERT statement and per lookup (SQLite allows 999 bound parameters per statement).
BULK_BATCH = 500
_LOOKUP_CHUNK = 900


def _chunked(items: list, size: int = _LOOKUP_CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


@transaction.atomic
def register_assets(
    *,
    actor,
    cards: Sequence[dict[str, Any]],
    note: str = "",
    issued_tags: Sequence[str] | None = None,
) -> list[Asset]:
    """Register many cards at once (bulk registration, the ledger import): `register_asset`
    set-based, with a few queries for the whole batch instead of a few per card.

    Each entry of `cards` is what `register_asset` takes as `fields` and is checked by the same
    rules: a known status, only card fields, an owning department, a leaf category of the current
    code system, the actor's department scope, a host that is not retired (locked), an embedded
    card needs a host and takes the host's location, the card values. `parent` must be a saved
    card (register hosts in an earlier call); a new card has no components yet, so no cycle can
    form. `status` may also be idle or pending disposal: such a card is registered in use and
    moved on, writing the `created` and `status_changed` events that `register_asset` followed by
    `change_status` would write. Every card gets its `created` event with the content
    `register_asset` writes.

    `issued_tags` are tags issued by `reserve_tags` in this transaction, one per card; without
    them the batch reserves its own. A refused card raises `CardRefused` with its index and
    nothing is written; inside a larger transaction the caller rolls back what came before.
    """
    permissions.require_card_writer(actor)
    cards = list(cards)
    if not cards:
        return []
    if issued_tags is None:
        issued_tags = reserve_tags(count=len(cards))
    if len(issued_tags) != len(cards) or len(set(issued_tags)) != len(cards):
        raise ValueError("register_assets needs one distinct issued tag per card")
    group_ids = _category_groups(card.get("category") for card in cards)
    host_ids = sorted(
        {c["parent"].pk for c in cards if c.get("parent") is not None and c["parent"].pk}
    )
    hosts: dict[int, Asset] = {}
    for chunk in _chunked(host_ids):
        locked = Asset.objects.select_for_update().filter(pk__in=chunk)
        # The department columns answer the host check (`permissions.require_host_change`).
        columns = ("pk", "tag", "status", "location", *_CARD_SCOPE_COLUMNS)
        hosts.update((host.pk, host) for host in locked.only(*columns))
    lock_host = _locked_host(hosts)
    assets: list[Asset] = []
    statuses: list[str] = []
    for index, (fields, tag) in enumerate(zip(cards, issued_tags, strict=True)):
        try:
            asset, status = _checked_card(
                actor=actor,
                fields=fields,
                tag=tag,
                statuses=LEDGER_STATUSES,
                lock_host=lock_host,
                group_ids=group_ids,
            )
        except ValidationError as refusal:
            raise CardRefused(index, refusal) from None
        assets.append(asset)
        statuses.append(status)
    Asset.objects.bulk_create(assets, batch_size=BULK_BATCH)
    events: list[AssetEvent] = []
    for asset, status in zip(assets, statuses, strict=True):
        registered = Status.IN_USE if status not in INITIAL_STATUSES else status
        events.append(
            new_event(
                asset=asset,
                actor=actor,
                kind=AssetEvent.Kind.CREATED,
                changes={"tag": [None, asset.tag], "status": [None, registered]},
                note=note,
            )
        )
        if status != registered:
            events.append(
                new_event(
                    asset=asset,
                    actor=actor,
                    kind=AssetEvent.Kind.STATUS_CHANGED,
                    changes={"status": [registered, status]},
                    note=note,
                )
            )
    write_events(events)
    return assets


def _checked_card(
    *,
    actor,
    fields: dict[str, Any],
    tag: str | None,
    statuses: set[str],
    lock_host,
    group_ids: set[int] | None = None,
) -> tuple[Asset, str]:
    """An unsaved card checked by the registration rules, and the status it is created in.

    Shared by `register_asset` and `register_assets`: a status of `statuses`, only card fields,
    an owning department, a leaf category of the current code system, the actor's department
    scope, a host (`lock_host(parent)` returns it locked) that is not retired, an embedded card
    only with a host, the card values.
    """
    if tag is not None and not tags.is_valid(tag):
        raise ValidationError({"tag": _("This tag was not issued by the register.")})
    fields = dict(fields)
    parent = fields.pop("parent", None)
    install_mode = fields.pop("install_mode", Asset.InstallMode.STANDALONE)
    status = fields.pop("status", Status.IN_STOCK)
    if status not in statuses:
        raise ValidationError(
            {"status": _("A new card starts as in stock, in use or surplus (draft).")}
        )
    unknown = (
        set(fields) - set(PLAIN_FIELDS) - {"owner_department", "location", "ownership_confirmed"}
    )
    if unknown:
        raise ValidationError(
            {name: _("This field cannot be set here.") for name in sorted(unknown)}
        )
    if fields.get("owner_department") is None:
        raise ValidationError({"owner_department": _("The owning department is required.")})
    if fields.get("category") is None:
        raise ValidationError({"category": _("The category is required.")})
    _require_leaf_category(fields["category"], group_ids=group_ids)
    _check_departments(actor, fields)
    if "useful_life_months" not in fields or fields["useful_life_months"] is None:
        fields["useful_life_months"] = fields["category"].default_useful_life_months
    asset = Asset(status=status, install_mode=install_mode, **fields)
    if tag is not None:
        asset.tag = tag
    if parent is not None:
        host = lock_host(parent)
        permissions.require_host_change(actor, host)
        _check_host(host)
        asset.parent = host
        if install_mode in PHYSICALLY_INSIDE and host.location_id:
            asset.location_id = host.location_id
    elif install_mode == Asset.InstallMode.EMBEDDED:
        raise ValidationError({"embedded": _("An embedded device needs a host (parent).")})
    _validate_card(asset)
    return asset, status


def _locked_host(hosts: dict[int, Asset]):
    """`lock_host` for `register_assets`: the hosts were locked for the whole batch."""

    def lock_host(parent: Asset) -> Asset:
        if parent.pk not in hosts:
            raise ValueError("register_assets: a host must be saved before its components")
        return hosts[parent.pk]

    return lock_host


def _lock(asset: Asset) -> Asset:
    return Asset.objects.select_for_update().select_related("category").get(pk=asset.pk)


# The columns `permissions.may_change_card` reads off a card.
_CARD_SCOPE_COLUMNS = ("owner_department", "using_department", "managing_department")


@transaction.atomic
def update_asset(*, asset: Asset, actor, fields: dict[str, Any], note: str = "") -> Asset:
    """Change plain fields; one `updated` event lists each field's before and after.

    The actor may change the card (`permissions.require_card_change`)."""
    _check_plain_field_names(fields)
    asset = _lock(asset)
    permissions.require_card_change(actor, asset)
    changes = _apply_plain_fields(asset, actor, fields)
    if not changes:
        return asset
    asset.save()
    record_event(asset=asset, actor=actor, kind=AssetEvent.Kind.UPDATED, changes=changes, note=note)
    return asset


def _check_plain_field_names(fields: dict[str, Any]) -> None:
    for name in fields:
        if name in ACTION_FIELDS:
            raise_action_field(name)
        if name not in PLAIN_FIELDS:
            raise ValidationError({name: _("This field cannot be changed.")})


def _apply_plain_fields(
    asset: Asset, actor, fields: dict[str, Any], *, group_ids: set[int] | None = None
) -> dict[str, list]:
    """Set `fields` on a locked card by `update_asset`'s rules; the changes, before and after.

    Not on a retired card; a leaf category; the actor's department scope; the card values
    (checked only when something changed).
    """
    if asset.status == Status.RETIRED:
        raise TransitionNotAllowed(_("A retired card cannot be edited."), code="asset_retired")
    # Only what changes is checked: a value the card already has stays, also one the actor could
    # not choose (a using department outside their scope; walk 4.1), and a new one is refused.
    changed = {name: value for name, value in fields.items() if getattr(asset, name) != value}
    if changed.get("category") is not None:
        _require_leaf_category(changed["category"], group_ids=group_ids)
    _check_departments(actor, changed)
    changes = {}
    for name, value in changed.items():
        changes[name] = [getattr(asset, name), value]
        setattr(asset, name, value)
    if changes:
        _validate_card(asset)
    return changes


def _category_groups(categories) -> set[int]:
    """Which of `categories` have children (are groups, not leaves), in a few queries."""
    category_ids = sorted({category.pk for category in categories if category is not None})
    group_ids: set[int] = set()
    for chunk in _chunked(category_ids):
        group_ids.update(
            Category.objects.filter(parent_id__in=chunk).values_list("parent_id", flat=True)
        )
    return group_ids


# The foreign keys among the plain fields: loaded with the locked cards for the events.
_PLAIN_RELATIONS = tuple(name for name in PLAIN_FIELDS if Asset._meta.get_field(name).is_relation)


@transaction.atomic
def update_assets(
    *, actor, updates: Sequence[tuple[Asset, dict[str, Any]]], note: str = ""
) -> list[Asset]:
    """Change plain fields of many cards at once (the ledger import): `update_asset` set-based.

    `updates` pairs each card with the fields `update_asset` would take. The cards are locked in
    a few statements (in pk order) and each is checked by `update_asset`'s rules: plain fields
    only, a card the actor may change (`permissions.require_card_change`), not retired, a leaf
    category, the actor's department scope, the card values. A card whose values all match gets
    no write; every changed card is written and gets one `updated` event listing each field's
    before and after. A refused card raises `CardRefused` with its index; the caller's
    transaction rolls back what came before.
    """
    updates = list(updates)
    if not updates:
        return []
    for index, (_card, fields) in enumerate(updates):
        try:
            _check_plain_field_names(fields)
        except ValidationError as refusal:
            raise CardRefused(index, refusal) from None
    locked: dict[int, Asset] = {}
    for chunk in _chunked(sorted({card.pk for card, _fields in updates})):
        query = Asset.objects.select_for_update(of=("self",)).select_related(*_PLAIN_RELATIONS)
        locked.update((card.pk, card) for card in query.filter(pk__in=chunk).order_by("pk"))
    group_ids = _category_groups(fields.get("category") for _card, fields in updates)
    now = timezone.now()
    changed: list[Asset] = []
    changed_fields: set[str] = set()
    events: list[AssetEvent] = []
    result: list[Asset] = []
    for index, (card, fields) in enumerate(updates):
        asset = locked[card.pk]
        permissions.require_card_change(actor, asset)
        try:
            changes = _apply_plain_fields(asset, actor, fields, group_ids=group_ids)
        except (ValidationError, DomainError) as refusal:
            raise CardRefused(index, refusal) from None
        result.append(asset)
        if not changes:
            continue
        asset.updated_at = now
        changed.append(asset)
        changed_fields.update(changes)
        events.append(
            new_event(
                asset=asset, actor=actor, kind=AssetEvent.Kind.UPDATED, changes=changes, note=note
            )
        )
    if changed:
        sql.write_asset_fields(changed, sorted(changed_fields | {"updated_at"}))
        write_events(events)
    return result


def raise_action_field(name: str):
    action = ACTION_FIELDS.get(name)
    if action is None:
        raise ValidationError({name: _("This field is generated and cannot be changed.")})
    raise ValidationError(
        {
            name: _("“%(field)s” changes only through the %(action)s action (POST …/%(action)s/).")
            % {"field": name, "action": action}
        }
    )


def _check_host(host: Asset) -> None:
    if host.status == Status.RETIRED:
        raise ValidationError(
            {"parent": _("%(tag)s is retired and cannot hold components.") % {"tag": host.tag}}
        )


def _lock_for_nesting(asset: Asset, parent: Asset) -> tuple[Asset, Asset, set[int]]:
    """Lock the component, the new host and the host's chain up to the outermost host, all in
    one statement in id order; returns both locked and the chain's ids (the host included).

    Two clerks nesting A into B and B into A at once lock the same rows in the same order, so
    the second waits for the first and then sees the cycle, instead of each holding one row
    and deadlocking (issue 15.11). Locking the chain too means a concurrent change above the
    host either commits before our locks (and the chain read after them sees it) or waits for
    us; the chain is read again after locking until it is stable.
    """
    locked_ids: set[int] = set()
    while True:
        chain = {parent.pk, *selectors.asset_host_chain_ids(asset=parent)}
        wanted = {asset.pk, *chain}
        if wanted <= locked_ids:
            break
        rows = (
            Asset.objects.select_for_update()
            .select_related("category")
            .filter(pk__in=sorted(wanted - locked_ids))
            .order_by("pk")
        )
        locked = {row.pk: row for row in rows}
        if asset.pk in locked:
            asset = locked[asset.pk]
        if parent.pk in locked:
            parent = locked[parent.pk]
        locked_ids |= wanted
    return asset, parent, chain


@transaction.atomic
def nest_asset(
    *, asset: Asset, actor, parent: Asset | None, embedded: bool, note: str = ""
) -> Asset:
    """Put a component into a host (or take it out with `parent=None`).

    The actor must be allowed to change the component and the host, and see the host
    (`permissions.require_card_change`, `permissions.require_host_change`), whoever calls: the
    API, a page, the import, a command. Refuses self-parenting, cycles and retired hosts. An
    embedded component takes its host's location. Writes a `nested` event on the component and
    one on each host involved.
    """
    return _nest(
        asset=asset, actor=actor, parent=parent, embedded=embedded, note=note, authorise=True
    )


def _nest(
    *,
    asset: Asset,
    actor,
    parent: Asset | None,
    embedded: bool,
    note: str,
    authorise: bool,
    note_code: str = "",
    note_params: dict | None = None,
) -> Asset:
    """`nest_asset`'s work. `authorise=False` only for a component leaving a host that is being
    retired (`retire_asset` asked about the host; its components go with it, whoever's)."""
    if parent is not None and parent.pk == asset.pk:
        raise ValidationError({"parent": _("An asset cannot be its own host.")})
    if parent is None:
        asset = _lock(asset)
    else:
        asset, parent, ancestor_ids = _lock_for_nesting(asset, parent)
    if authorise:
        permissions.require_card_change(actor, asset)
        if parent is not None:
            permissions.require_host_change(actor, parent)
    if asset.status == Status.RETIRED:
        raise TransitionNotAllowed(_("A retired card cannot be nested."), code="asset_retired")
    old_parent = asset.parent
    if parent is not None:
        if asset.pk in ancestor_ids:
            raise ValidationError(
                {
                    "parent": _(
                        "%(parent)s is inside %(tag)s already; nesting it would make a cycle."
                    )
                    % {"parent": parent.tag, "tag": asset.tag}
                }
            )
        _check_host(parent)
    elif embedded:
        raise ValidationError({"embedded": _("An embedded device needs a host (parent).")})
    new_mode = (
        Asset.InstallMode.EMBEDDED
        if embedded
        else (
            Asset.InstallMode.STANDALONE
            if asset.install_mode == Asset.InstallMode.EMBEDDED
            else asset.install_mode
        )
    )
    changes: dict[str, list] = {}
    if (old_parent.pk if old_parent else None) != (parent.pk if parent else None):
        changes["parent"] = [old_parent, parent]
    if new_mode != asset.install_mode:
        changes["install_mode"] = [asset.install_mode, new_mode]
    if embedded and parent is not None and parent.location_id != asset.location_id:
        changes["location"] = [asset.location, parent.location]
        asset.location = parent.location
    if not changes:
        return asset
    asset.parent = parent
    asset.install_mode = new_mode
    asset.save()
    said = {"note": note, "note_code": note_code, "note_params": note_params}
    record_event(asset=asset, actor=actor, kind=AssetEvent.Kind.NESTED, changes=changes, **said)
    if "parent" in changes:
        if old_parent is not None:
            record_event(
                asset=old_parent,
                actor=actor,
                kind=AssetEvent.Kind.NESTED,
                changes={"components": [asset.tag, None]},
                **said,
            )
        if parent is not None:
            record_event(
                asset=parent,
                actor=actor,
                kind=AssetEvent.Kind.NESTED,
                changes={"components": [None, asset.tag]},
                **said,
            )
    return asset


def components_inside(asset: Asset) -> list[Asset]:
    """Live descendants physically inside `asset` (embedded or rack-mounted all the way), locked."""
    ids = [pk for pk, _depth in selectors.asset_subtree_ids(asset=asset)]
    descendants = list(Asset.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    by_parent: dict[int, list[Asset]] = {}
    for node in descendants:
        by_parent.setdefault(node.parent_id, []).append(node)
    inside: list[Asset] = []
    frontier = [asset.pk]
    while frontier:
        next_frontier = []
        for host_id in frontier:
            for child in by_parent.get(host_id, []):
                if child.install_mode in PHYSICALLY_INSIDE and child.status != Status.RETIRED:
                    inside.append(child)
                    next_frontier.append(child.pk)
        frontier = next_frontier
    return inside


@transaction.atomic
def move_asset(
    *,
    asset: Asset,
    actor,
    location: Location,
    note: str = "",
    campaign_id: int | None = None,
    handover=None,
    note_code: str = "",
    note_params: dict | None = None,
) -> Asset:
    """Move a card to `location`; embedded and rack-mounted components follow, each with an event.
    A note written by code is `note_code` and `note_params` (`history.NOTE_MESSAGES`).

    The actor may change the card (`permissions.require_card_change`); with `handover` the move
    places a card accepted in it, which is the deciding receiver's
    (`permissions.require_handover_placement`).
    """
    asset = _lock(asset)
    if handover is None:
        permissions.require_card_change(actor, asset)
    else:
        permissions.require_handover_placement(actor, handover, asset)
    if asset.status == Status.RETIRED:
        raise TransitionNotAllowed(_("A retired card cannot be moved."), code="asset_retired")
    if asset.install_mode == Asset.InstallMode.EMBEDDED:
        raise ValidationError(
            {
                "location": _(
                    "%(tag)s is embedded in %(host)s; move the host or detach the device first."
                )
                % {"tag": asset.tag, "host": asset.parent.tag if asset.parent else "-"}
            }
        )
    for node in [asset, *components_inside(asset)]:
        if node.location_id == location.pk:
            continue
        before = node.location
        node.location = location
        node.save(update_fields=["location", "updated_at"])
        record_event(
            asset=node,
            actor=actor,
            kind=AssetEvent.Kind.MOVED,
            changes={"location": [before, location]},
            note=note if node.pk == asset.pk else "",
            note_code=note_code if node.pk == asset.pk else "moved_with_host",
            note_params=note_params if node.pk == asset.pk else {"tag": asset.tag},
            campaign_id=campaign_id,
            handover=handover,
        )
    return asset


def lend_route_message(asset: Asset) -> str:
    """Why the status action refuses `lent`, and where a loan is recorded instead."""
    return _(
        "A loan outside the unit is recorded with the lend action (borrower, due date and "
        "approval reference): the card's custody page, or POST /api/v1/assets/%(tag)s/lend/."
    ) % {"tag": asset.tag}


@transaction.atomic
def change_status(*, asset: Asset, actor, status: str, note: str = "", lent_to: str = "") -> Asset:
    """Move a card along the status machine (not to `retired`: that is `retire_asset`; not to
    `lent`: that is `custody.services.lend_asset`, and a card lent by it returns by check-in).
    `lent_to` stays for the API contract and is not used.

    The actor may change the card (`permissions.require_card_change`)."""
    asset = _lock(asset)
    permissions.require_card_change(actor, asset)
    if status == Status.RETIRED:
        raise TransitionNotAllowed(_("Use the retire action to retire a card."), code="use_retire")
    if status in OWN_ACTION_STATUSES or asset.status in OWN_ACTION_STATUSES:
        raise TransitionNotAllowed(
            _("A repair moves a card into and out of “under repair”: record it as a repair."),
            code="use_repairs",
        )
    if status not in ASSET_TRANSITIONS.get(asset.status, set()):
        raise TransitionNotAllowed(
            _("A card cannot go from “%(old)s” to “%(new)s”.")
            % {"old": Status(asset.status).label, "new": Status(status).label}
        )
    if (
        asset.status == Status.PENDING_DISPOSAL
        and asset.disposal_items.filter(is_open=True).exists()
    ):
        raise TransitionNotAllowed(
            _("%(tag)s is in an open disposal case; its status changes with the case.")
            % {"tag": asset.tag},
            code="in_disposal",
        )
    if (
        asset.status == Status.LENT
        and asset.custody_records.filter(state="open", kind="loan").exists()
    ):
        raise TransitionNotAllowed(
            _("%(tag)s is lent with a loan record: check it in to end the loan.")
            % {"tag": asset.tag},
            code="use_checkin",
        )
    if status == Status.LENT:
        # 未经批准不得出借 (DOMAIN.md §8): a loan needs its borrower, due date and approval
        # reference, which only the lend action records (`custody.services.lend_asset`).
        raise ValidationError({"status": lend_route_message(asset)})
    changes = {"status": [asset.status, status]}
    if asset.lent_to:
        # Leaving `lent` (a loan recorded before the lend action existed) clears the borrower.
        changes["lent_to"] = [asset.lent_to, ""]
        asset.lent_to = ""
    asset.status = status
    asset.save()
    record_event(
        asset=asset, actor=actor, kind=AssetEvent.Kind.STATUS_CHANGED, changes=changes, note=note
    )
    return asset


@transaction.atomic
def retire_asset(
    *, asset: Asset, actor, reason: str, components: str = RetireComponents.REFUSE
) -> Asset:
    """Retire a card (已处置/核销); the card stays in the register forever.

    The actor may change the card (`permissions.require_card_change`). A host with live
    components is refused unless `components` is `detach` (they leave the host and stay live)
    or `retire` (they are retired too, each with its event); components go with their host
    whatever department they belong to.
    """
    if components not in RetireComponents.CHOICES:
        raise ValidationError({"components": _("Choose one of: refuse, detach, retire.")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for retiring the asset.")})
    asset = _lock(asset)
    permissions.require_card_change(actor, asset)
    if asset.status not in RETIRABLE:
        raise TransitionNotAllowed(
            _("A card that is “%(status)s” cannot be retired.")
            % {"status": Status(asset.status).label}
        )
    if settings.YIKA_DISPOSAL_APPROVAL:
        # Executing an approved case retires its cards itself (`assets.disposals.services`).
        item = asset.disposal_items.filter(is_open=True).select_related("case").first()
        if item is not None:
            raise DisposalRequired(
                _(
                    "%(tag)s is in disposal case %(number)s: it is retired when the case is executed."
                )
                % {"tag": asset.tag, "number": item.case.number}
            )
        raise DisposalRequired()
    live_children = list(
        Asset.objects.select_for_update()
        .filter(parent=asset)
        .exclude(status=Status.RETIRED)
        .order_by("pk")
    )
    if live_children and components == RetireComponents.REFUSE:
        raise TransitionNotAllowed(
            _(
                "%(tag)s still holds %(count)s live component(s) (%(tags)s): detach or retire "
                "them too."
            )
            % {
                "tag": asset.tag,
                "count": len(live_children),
                "tags": formatting.text_list(c.tag for c in live_children[:10]),
            },
            code="host_has_components",
        )
    if components == RetireComponents.DETACH:
        for child in live_children:
            _nest(
                asset=child,
                actor=actor,
                parent=None,
                embedded=False,
                note="",
                note_code="host_retired_detached",
                note_params={"tag": asset.tag},
                authorise=False,
            )
    elif live_children:
        _retire_live_components(asset=asset, actor=actor, reason=reason.strip())
    before = asset.status
    asset.status = Status.RETIRED
    asset.retired_at = timezone.now()
    asset.retire_reason = reason.strip()
    asset.save()
    record_event(
        asset=asset,
        actor=actor,
        kind=AssetEvent.Kind.RETIRED,
        changes={"status": [before, Status.RETIRED]},
        note=reason.strip(),
    )
    return asset


def _retire_live_components(*, asset: Asset, actor, reason: str) -> None:
    """Retire every live component below `asset` (locked, being retired), each with its event.

    The subtree comes from one recursive query and is walked level by level, never by recursion
    in Python: a 500-deep chain of components once raised RecursionError (issue 15.12). Only
    live components are followed (a retired one holds no live components). A component that
    cannot be retired from its status (lent) goes to pending disposal first, with its event.
    """
    ids = [pk for pk, _depth in selectors.asset_subtree_ids(asset=asset)]
    nodes = _lock_rows(ids)
    by_parent: dict[int, list[Asset]] = {}
    for node in nodes:
        by_parent.setdefault(node.parent_id, []).append(node)
    tags_by_id = {asset.pk: asset.tag, **{node.pk: node.tag for node in nodes}}
    now = timezone.now()
    frontier = [asset.pk]
    while frontier:
        next_frontier = []
        for host_id in frontier:
            for node in by_parent.get(host_id, []):
                if node.status == Status.RETIRED:
                    continue
                next_frontier.append(node.pk)
                host_tag = tags_by_id[host_id]
                if node.status not in RETIRABLE:
                    before = node.status
                    node.status = Status.PENDING_DISPOSAL
                    changes = {"status": [before, node.status]}
                    if node.lent_to:
                        changes["lent_to"] = [node.lent_to, ""]
                        node.lent_to = ""
                    node.save(update_fields=["status", "lent_to", "updated_at"])
                    record_event(
                        asset=node,
                        actor=actor,
                        kind=AssetEvent.Kind.STATUS_CHANGED,
                        changes=changes,
                        note_code="host_retired_with",
                        note_params={"tag": host_tag},
                    )
                node_reason = _("Retired with its host %(tag)s: %(reason)s") % {
                    "tag": host_tag,
                    "reason": reason,
                }
                before = node.status
                node.status = Status.RETIRED
                node.retired_at = now
                node.retire_reason = node_reason
                node.save(update_fields=["status", "retired_at", "retire_reason", "updated_at"])
                record_event(
                    asset=node,
                    actor=actor,
                    kind=AssetEvent.Kind.RETIRED,
                    changes={"status": [before, Status.RETIRED]},
                    note=node_reason,
                )
        frontier = next_frontier


def _lock_rows(ids: list[int]) -> list[Asset]:
    """The cards `ids`, locked in id order (a few statements for a large subtree)."""
    locked: list[Asset] = []
    for chunk in _chunked(sorted(ids)):
        locked.extend(Asset.objects.select_for_update().filter(pk__in=chunk).order_by("pk"))
    return locked


@dataclass(frozen=True)
class Revaluation:
    asset: Asset
    before: Decimal
    after: Decimal


@transaction.atomic
def revalue_asset(
    *, asset: Asset, actor, original_value: Decimal, value_type: str, note: str = ""
) -> Asset:
    """Set a new original value and value type (e.g. 暂估 → 决算) with a `revalued` event.

    The actor may change the card or its project (`permissions.require_card_revaluation`)."""
    if original_value is None or original_value < 0:
        raise ValidationError({"original_value": _("The original value cannot be negative.")})
    if value_type not in Asset.ValueType.values:
        raise ValidationError({"value_type": _("Unknown value type.")})
    asset = _lock(asset)
    permissions.require_card_revaluation(actor, asset)
    changes = {}
    if asset.original_value != original_value:
        changes["original_value"] = [asset.original_value, original_value]
    if asset.value_type != value_type:
        changes["value_type"] = [asset.value_type, value_type]
    if not changes:
        return asset
    asset.original_value = original_value
    asset.value_type = value_type
    asset.save()
    record_event(
        asset=asset, actor=actor, kind=AssetEvent.Kind.REVALUED, changes=changes, note=note
    )
    return asset


@transaction.atomic
def save_user(*, actor, user=None, fields: dict[str, Any], request=None):
    """Create or change an account (admins only, `permissions.require_admin`). A new password, a
    move to another department or a deactivation ends the user's API tokens and their other
    sessions (`assets.credentials`); a deactivation sends the clerks the cards the user still
    holds (`custody.services.announce_leaver`). Role and department changes and deactivations go to the
    security log."""
    from django.contrib.auth.models import Group

    from assets import credentials
    from assets.models import User
    from assets.security.services import Kind as SecurityKind
    from assets.security.services import record_security_event

    permissions.require_admin(actor)
    fields = dict(fields)
    roles = fields.pop("roles", None)
    password = fields.pop("password", None)
    creating = user is None
    if creating:
        if not password:
            raise ValidationError({"password": _("A password is required.")})
        user = User()
    old_department_id, old_active = user.department_id, user.is_active
    old_roles = (
        set() if creating or roles is None else set(user.groups.values_list("name", flat=True))
    )
    for name, value in fields.items():
        setattr(user, name, value)
    if creating:
        user.set_password(password)
    user.save()
    if roles is not None:
        user.groups.set(Group.objects.filter(name__in=roles))
        new_roles = set(user.groups.values_list("name", flat=True))
        if new_roles != old_roles:
            record_user_roles_changed(
                actor=actor, user=user, before=old_roles, after=new_roles, request=request
            )
    if not creating and password:
        user.password = credentials.change_password(
            actor=actor, user=user, password=password, request=request
        ).password
    moved = not creating and user.department_id != old_department_id
    if moved:
        record_security_event(
            kind=SecurityKind.DEPARTMENT_CHANGED,
            user=user,
            request=request,
            detail={
                "by": getattr(actor, "username", ""),
                "from": Department.objects.filter(pk=old_department_id)
                .values_list("code", flat=True)
                .first(),
                "to": user.department.code if user.department_id else None,
            },
        )
    if not creating and old_active and not user.is_active:
        record_security_event(
            kind=SecurityKind.ACCOUNT_DISABLED,
            user=user,
            request=request,
            detail={"by": getattr(actor, "username", "")},
        )
    if moved or (not creating and old_active and not user.is_active):
        credentials.end_tokens(
            user=user, request=request, reason="moved" if moved else "deactivated"
        )
    if not creating and old_active and not user.is_active:
        # A leaver's cards (custodian_user) go to the clerks' list to reassign.
        from assets.custody import services as custody

        custody.announce_leaver(user=user)
    return user


def record_user_roles_changed(*, actor, user, before: set[str], after: set[str], request=None):
    """The security log's entry for a change of `user`'s roles (the API and the admin)."""
    from assets.security.services import Kind as SecurityKind
    from assets.security.services import record_security_event

    return record_security_event(
        kind=SecurityKind.ROLE_CHANGED,
        user=user,
        request=request,
        detail={
            "by": getattr(actor, "username", ""),
            "added": sorted(after - before),
            "removed": sorted(before - after),
        },
    )
