"""Disposal cases (资产处置): every change, one function each (DOMAIN.md §8).

Nothing leaves the register without approval by the body its value requires (DESIGN.md
invariant 10): a clerk builds a case (draft), submits it (its cards become pending disposal and
the approval tier is chosen by the total original value and stored), the tier's role approves
or rejects it (rejected cards go back to their status before), and the clerk executes an
approved case (its cards are retired with the case as the reason; a 无偿划转 transfer opens a
handover to the receiving department instead, whose receivers accept item by item).
Every step writes one event on every card of the case, naming the case.
Lock order: the case row, then its cards by id.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from assets import documents, history, permissions, refusals, selectors, services
from assets.errors import NotInScope, TransitionNotAllowed
from assets.models import (
    ApprovalTier,
    Asset,
    AssetEvent,
    DisposalCase,
    DisposalItem,
)
from assets.refusals import MESSAGES, Refusal
from config import formatting

State = DisposalCase.State
Method = DisposalCase.Method
Grounds = DisposalCase.Grounds
Status = Asset.Status

# The disposal case's state machine. Rejected and executed cases are final.
DISPOSAL_TRANSITIONS: dict[str, set[str]] = {
    State.DRAFT: {State.SUBMITTED},
    State.SUBMITTED: {State.APPROVED, State.REJECTED},
    State.APPROVED: {State.EXECUTED},
    State.REJECTED: set(),
    State.EXECUTED: set(),
}
OPEN_STATES = {State.DRAFT, State.SUBMITTED, State.APPROVED}
# Grounds that do not depend on the card's age: below its service life needs no reason.
AGE_INDEPENDENT_GROUNDS = {Grounds.LOSS, Grounds.FORCE_MAJEURE, Grounds.REORGANISATION}
RECEIVING_METHODS = {Method.DONATION, Method.SALE, Method.EXCHANGE}
CASE_FIELDS = (
    "method",
    "grounds",
    "reason",
    "to_department",
    "counterparty",
    "evidence",
    "components",
)
NUMBER_PREFIX = "DISPOSAL"  # the counter row's key in TagSequence; never a tag prefix
MAX_ITEMS = 20000
CASE_RELATED = ("department", "to_department")
CHUNK = 2000


def _guard(case: DisposalCase, target: str) -> None:
    """The one check of the disposal state machine."""
    if target not in DISPOSAL_TRANSITIONS.get(case.state, set()):
        raise TransitionNotAllowed(
            _("Disposal case %(number)s is “%(state)s”; it cannot become “%(target)s”.")
            % {
                "number": case.number,
                "state": State(case.state).label,
                "target": State(target).label,
            }
        )


def _next_number() -> str:
    return services.next_document_number(series=NUMBER_PREFIX, letters="CZ")


def _item_ids(case: DisposalCase) -> list[int]:
    return list(
        DisposalItem.objects.filter(case=case)
        .order_by("asset_id")
        .values_list("asset_id", flat=True)
    )


# ---------------------------------------------------------------------------------------------
# What a case may hold


def _check_fields(fields: dict[str, Any], errors: dict[str, Any]) -> None:
    method = fields.get("method")
    if method not in Method.values:
        errors["method"] = _("Choose a method: %(choices)s.") % {
            "choices": formatting.text_list(Method.values)
        }
    if fields.get("grounds") not in Grounds.values:
        errors["grounds"] = _("Choose the grounds: %(choices)s.") % {
            "choices": formatting.text_list(Grounds.values)
        }
    if fields.get("components", DisposalCase.Components.REFUSE) not in (
        DisposalCase.Components.values
    ):
        errors["components"] = _("Choose one of: refuse, detach.")
    if method == Method.TRANSFER and fields.get("to_department") is None:
        errors["to_department"] = _("A transfer names the receiving department.")
    if method in RECEIVING_METHODS and not (fields.get("counterparty") or "").strip():
        errors["counterparty"] = _("Name who receives the assets.")
    if fields.get("grounds") == Grounds.OTHER and not (fields.get("reason") or "").strip():
        errors["reason"] = _("Explain the grounds.")


def _card_problems(
    *, case: DisposalCase, cards: list[Asset], fields: dict[str, Any]
) -> tuple[list[str], str | None]:
    """Why these cards cannot be in the case (one line per card), and a reason error."""
    problems, reason_error = _problems_by_card(case=case, cards=cards, fields=fields)
    return [str(line) for lines in problems.values() for line in lines], reason_error


def _problems_by_card(
    *, case: DisposalCase, cards: list[Asset], fields: dict[str, Any]
) -> tuple[dict[str, list[Refusal]], str | None]:
    """Why each card cannot be in the case ({tag: refusals}, a host answering for its unlisted
    components), and a reason error for the case."""
    problems: dict[str, list[Refusal]] = {}

    def refuse(tag: str, code: str, **params) -> None:
        problems.setdefault(tag, []).append(Refusal(code, {"tag": tag, **params}))

    ids = [card.pk for card in cards]
    for card in cards:
        if card.status == Status.RETIRED:
            refuse(card.tag, "retired")
        elif card.status == Status.DRAFT:
            refuse(card.tag, "surplus_not_booked")
        if not card.ownership_clear:
            refuse(card.tag, "ownership_unclear")
        if card.owner_department_id != case.department_id:
            refuse(card.tag, "other_owner")
    for tag, elsewhere in refusals.by_card(selectors.open_elsewhere(ids, case=case)).items():
        problems.setdefault(tag, []).extend(elsewhere)
    if fields.get("components", DisposalCase.Components.REFUSE) == DisposalCase.Components.REFUSE:
        for child in selectors.unlisted_components(ids):
            problems.setdefault(child.host_tag, []).append(
                Refusal("live_component", {"host": child.host_tag, "tag": child.tag})
            )
    reason_error = None
    if (
        fields.get("grounds") not in AGE_INDEPENDENT_GROUNDS
        and not (fields.get("reason") or "").strip()
    ):
        today = timezone.localdate()
        young = [
            card.tag
            for card in cards
            if card.in_service_on and card.months_depreciated(today) < card.useful_life_months
        ]
        if young:
            reason_error = _(
                "%(tags)s have not reached their service life: give the reason for disposing of "
                "them early."
            ) % {"tags": formatting.text_list(young, limit=20)}
    return problems, reason_error


def _resolve_cards(*, actor, tags: Sequence[str]) -> list[Asset]:
    """The cards named by `tags`, in the actor's change scope; another scope's is a 404."""
    from assets import tags as tag_codec

    if not tags:
        raise ValidationError({"items": [_("A disposal case needs at least one card.")]})
    if len(tags) > MAX_ITEMS:
        raise ValidationError(
            {"items": [_("At most %(count)s cards per case.") % {"count": MAX_ITEMS}]}
        )
    wanted = [tag_codec.normalise(tag or "") for tag in tags]
    seen: set[str] = set()
    twice = sorted({tag for tag in wanted if tag in seen or seen.add(tag)})
    if twice:
        raise ValidationError(
            {"items": [_("%(tag)s is listed twice.") % {"tag": tag} for tag in twice]}
        )
    found = _cards_in_scope(actor=actor, tags=wanted)
    missing = [tag for tag in wanted if tag not in found]
    if missing:
        raise NotInScope(_("No card you may dispose of has the tag %(tag)s.") % {"tag": missing[0]})
    return [found[tag] for tag in wanted]


def _cards_in_scope(*, actor, tags: Sequence[str]) -> dict[str, Asset]:
    """{tag: card} of the normalised `tags` the actor may change (others are left out)."""
    found: dict[str, Asset] = {}
    for start in range(0, len(tags), CHUNK):
        chunk = tags[start : start + CHUNK]
        queryset = Asset.objects.filter(tag__in=chunk)
        if not permissions.is_system(actor):
            queryset = permissions.changeable_assets(actor, queryset)
        found.update({card.tag: card for card in queryset.only("pk", "tag")})
    return found


def _values(card: Asset, today: date) -> tuple[Decimal, Decimal]:
    return card.original_value, card.net_book_value(today)


def _set_items(*, case: DisposalCase, cards: list[Asset]) -> None:
    """Replace the case's items by `cards` (locked), with their values now."""
    DisposalItem.objects.filter(case=case).delete()
    today = timezone.localdate()
    rows = []
    total_original = total_net = Decimal("0.00")
    for card in cards:
        original, net = _values(card, today)
        total_original += original
        total_net += net
        rows.append(
            DisposalItem(
                case=case,
                asset=card,
                original_value=original,
                net_value=net,
                previous_status=card.status,
            )
        )
    try:
        with transaction.atomic():
            DisposalItem.objects.bulk_create(rows, batch_size=CHUNK)
    except IntegrityError:
        # Another case took one of the cards between our check and our insert.
        raise ValidationError(
            {
                "items": [
                    ValidationError(
                        str(MESSAGES["disposal_card_taken"]), code="disposal_card_taken"
                    )
                ]
            }
        )
    case.total_original_value = total_original
    case.total_net_value = total_net


def _prepare(*, case: DisposalCase, actor, fields: dict[str, Any], tags: Sequence[str]):
    unknown = set(fields) - set(CASE_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be set here.") for name in unknown})
    errors: dict[str, Any] = {}
    _check_fields(fields, errors)
    refs = _resolve_cards(actor=actor, tags=tags)
    if errors:
        raise ValidationError(errors)
    cards = selectors.locked_cards([card.pk for card in refs], "project")
    if not case.department_id:
        case.department_id = cards[0].owner_department_id
    problems, reason_error = _card_problems(case=case, cards=cards, fields=fields)
    if problems:
        errors["items"] = problems
    if reason_error:
        errors["reason"] = reason_error
    if errors:
        raise ValidationError(errors)
    _apply_fields(case, fields)
    return cards


def _apply_fields(case: DisposalCase, fields: dict[str, Any]) -> None:
    for name in CASE_FIELDS:
        value = fields.get(name)
        if name in ("reason", "counterparty", "evidence"):
            value = (value or "").strip()
        if name == "components":
            value = value or DisposalCase.Components.REFUSE
        setattr(case, name, value)
    if case.method != Method.TRANSFER:
        case.to_department = None


@transaction.atomic
def create_disposal(
    *,
    actor,
    fields: dict[str, Any],
    tags: Sequence[str],
    evidence: Sequence[tuple[str, Any]] = (),
) -> DisposalCase:
    """Open a draft disposal case (资产处置单) of the cards `tags` (its department's clerk).

    `evidence`: (kind, uploaded file) pairs attached to the case (`disposal:NUMBER`) through
    the attachments service, with the case: a refused file refuses the case.

    `fields`: method, grounds, reason, to_department (transfer), counterparty (donation, sale,
    exchange), evidence, components (`refuse`: a host's live components must be listed too;
    `detach`: unlisted ones leave the host at execution and stay). Refused, naming each card: a
    card out of the actor's scope (404), listed twice, retired, whose ownership is not confirmed,
    in another open case or open handover, of another owner, a host with unlisted live
    components, one below its service life without a reason.
    """
    permissions.require_card_writer(actor)
    case = DisposalCase(created_by=actor)
    cards = _prepare(case=case, actor=actor, fields=fields, tags=tags)
    permissions.require_disposal_preparer(actor, case)
    case.number = _next_number()
    case.save()
    _set_items(case=case, cards=cards)
    case.save(update_fields=["total_original_value", "total_net_value"])
    if evidence:
        from assets.attachments import services as attachment_services

        for kind, upload in evidence:
            attachment_services.add_attachment(
                actor=actor, subject=f"disposal:{case.number}", kind=kind, upload=upload
            )
    return case


@transaction.atomic
def update_disposal(
    *, case: DisposalCase, actor, fields: dict[str, Any], tags: Sequence[str] | None = None
) -> DisposalCase:
    """Edit a draft: its fields and, when `tags` is given, its cards (same checks as create)."""
    case = selectors.locked(case, *CASE_RELATED)
    permissions.require_disposal_preparer(actor, case)
    if case.state != State.DRAFT:
        raise TransitionNotAllowed(str(MESSAGES["disposal_not_draft"]), code="disposal_not_draft")
    merged = {name: getattr(case, name) for name in CASE_FIELDS}
    if "reason" in fields and (fields["reason"] or "").strip() not in (
        case.reason,
        case.reason_shown,
    ):
        # A person rewrote the system's reason: it is theirs now, as written.
        case.reason_code, case.reason_params = "", {}
    elif "reason" in fields:
        fields = {**fields, "reason": case.reason}  # the system's, kept as stored
    merged.update(fields)
    if tags is None:
        tags = list(case.items.order_by("asset__tag").values_list("asset__tag", flat=True))
    cards = _prepare(case=case, actor=actor, fields=merged, tags=tags)
    _set_items(case=case, cards=cards)
    case.save()
    return case


@transaction.atomic
def gather_disposal(
    *,
    actor,
    tags: Sequence[str],
    fields: dict[str, Any] | None = None,
    case: DisposalCase | None = None,
    reason_code: str = "",
    reason_params: dict[str, Any] | None = None,
) -> tuple[DisposalCase | None, dict[str, list[Refusal]]]:
    """Put the cards `tags` into the draft `case`, or into a new draft with `fields`, leaving
    out each card that cannot be in it: (the case, {tag: refusals}) — no case when none could;
    a refusal is said in the reader's language whenever it is shown (`assets.refusals`).
    `reason_code` and `reason_params` (a new case only): the reason is the system's
    (`models.REASONS`), said in each reader's language; `fields["reason"]` is its text in the
    writer's.

    For callers that collect cards one source at a time (a stocktake's shortages): the rules
    are `create_disposal`'s, but one refused card does not refuse the others. A card out of
    the actor's scope is left out like the others; the actor must prepare the case
    (PermissionDenied otherwise)."""
    from assets import tags as tag_codec

    permissions.require_card_writer(actor)
    if case is not None:
        case = selectors.locked(case, *CASE_RELATED)
        permissions.require_disposal_preparer(actor, case)
        if case.state != State.DRAFT:
            raise TransitionNotAllowed(
                str(MESSAGES["disposal_not_draft"]), code="disposal_not_draft"
            )
        fields = {name: getattr(case, name) for name in CASE_FIELDS}
        kept = set(_item_ids(case))
    else:
        fields = dict(fields or {})
        errors: dict[str, Any] = {}
        _check_fields(fields, errors)
        if errors:
            raise ValidationError(errors)
        case = DisposalCase(created_by=actor)
        kept = set()
    wanted = list(dict.fromkeys(tag_codec.normalise(tag or "") for tag in tags))
    found = _cards_in_scope(actor=actor, tags=wanted)
    refused: dict[str, list[Refusal]] = {
        tag: [Refusal("not_disposable_by_you", {"tag": tag})] for tag in wanted if tag not in found
    }
    new_ids = {found[tag].pk for tag in wanted if tag in found} - kept
    cards = selectors.locked_cards([*kept, *new_ids], "project")
    if not case.department_id:
        fresh = [card for card in cards if card.pk in new_ids]
        if not fresh:
            return None, refused
        case.department_id = fresh[0].owner_department_id
    permissions.require_disposal_preparer(actor, case)
    problems, reason_error = _problems_by_card(case=case, cards=cards, fields=fields)
    if reason_error:
        raise ValidationError({"reason": reason_error})
    for card in cards:
        if card.pk in new_ids and card.tag in problems:
            refused[card.tag] = problems[card.tag]
    joining = [card for card in cards if card.pk in new_ids and card.tag not in refused]
    if not joining:
        return (case if case.pk else None), refused
    if not case.pk:
        _apply_fields(case, fields)
        if reason_code:
            case.reason_code, case.reason_params = reason_code, dict(reason_params or {})
        case.number = _next_number()
        case.save()
    joined = {card.pk for card in joining}
    keep = joined | kept
    _set_items(case=case, cards=[card for card in cards if card.pk in keep])
    case.save(update_fields=["total_original_value", "total_net_value"])
    return case, refused


def choose_tier(total: Decimal) -> ApprovalTier | None:
    """The tier whose band holds `total`: the lowest limit above it, else the one without."""
    return (
        ApprovalTier.objects.filter(Q(up_to__gt=total) | Q(up_to__isnull=True))
        .order_by(F("up_to").asc(nulls_last=True))
        .first()
    )


@transaction.atomic
def submit_disposal(*, case: DisposalCase, actor) -> DisposalCase:
    """Send a draft for approval: the cards become pending disposal (their status before is
    kept) and the approval tier is chosen by the total original value and stored on the case.

    Every rule of `create_disposal` is checked again on the locked cards."""
    case = selectors.locked(case, *CASE_RELATED)
    permissions.require_disposal_preparer(actor, case)
    _guard(case, State.SUBMITTED)
    ids = _item_ids(case)
    if not ids:
        raise ValidationError({"items": [_("An empty case cannot be submitted.")]})
    cards = selectors.locked_cards(ids, "project")
    fields = {name: getattr(case, name) for name in CASE_FIELDS}
    problems, reason_error = _card_problems(case=case, cards=cards, fields=fields)
    errors: dict[str, Any] = {}
    if problems:
        errors["items"] = problems
    if reason_error:
        errors["reason"] = reason_error
    if errors:
        raise ValidationError(errors)
    # The values and the status before, as they are now (the draft may be days old): the
    # items are written again (one insert per chunk; an update per row would cost more).
    _set_items(case=case, cards=cards)
    tier = choose_tier(case.total_original_value)
    if tier is None:
        raise TransitionNotAllowed(
            _(
                "No approval tier covers a total original value of ¥%(total)s: an administrator "
                "sets the tiers up first."
            )
            % {"total": case.total_original_value},
            code="no_approval_tier",
        )
    case.tier = tier
    case.tier_up_to = tier.up_to
    case.approver_role = tier.approver_role
    case.approving_body = tier.body
    case.state = State.SUBMITTED
    case.submitted_at = timezone.now()
    case.submitted_by = actor
    case.save()
    note = _("Submitted for disposal in case %(number)s, approved by %(body)s.") % {
        "number": case.number,
        "body": tier.body,
    }
    changing = [card.pk for card in cards if card.status != Status.PENDING_DISPOSAL]
    staying = [card.pk for card in cards if card.status == Status.PENDING_DISPOSAL]
    for start in range(0, len(changing), CHUNK):
        history.record_events(
            assets=Asset.objects.filter(pk__in=changing[start : start + CHUNK]),
            actor=actor,
            kind=AssetEvent.Kind.DISPOSAL_SUBMITTED,
            changes={"status": (F("status"), Status.PENDING_DISPOSAL)},
            note=note,
            disposal=case,
            apply=True,
        )
    for start in range(0, len(staying), CHUNK):
        history.record_events(
            assets=Asset.objects.filter(pk__in=staying[start : start + CHUNK]),
            actor=actor,
            kind=AssetEvent.Kind.DISPOSAL_SUBMITTED,
            note=note,
            disposal=case,
        )
    return case


def _events_on_cards(*, case: DisposalCase, actor, kind: str, note: str) -> None:
    ids = _item_ids(case)
    for start in range(0, len(ids), CHUNK):
        history.record_events(
            assets=Asset.objects.filter(pk__in=ids[start : start + CHUNK]),
            actor=actor,
            kind=kind,
            note=note,
            disposal=case,
        )


@transaction.atomic
def approve_disposal(
    *, case: DisposalCase, actor, approval_no: str, approved_on: date | None, note: str = ""
) -> DisposalCase:
    """Record the approval (批复文号 and date) by the role the case's tier names.

    Refused to whoever prepared the case. Two approvers at once: the second waits for the case
    row and then finds it decided (409)."""
    case = selectors.locked(case, *CASE_RELATED)
    permissions.require_disposal_approver(actor, case)
    _guard(case, State.APPROVED)
    errors = {}
    approval_no = (approval_no or "").strip()
    if not approval_no:
        errors["approval_no"] = _("Give the approval document number (批复文号).")
    elif len(approval_no) > DisposalCase._meta.get_field("approval_no").max_length:
        errors["approval_no"] = _("At most %(count)s characters.") % {
            "count": DisposalCase._meta.get_field("approval_no").max_length
        }
    if approved_on is None:
        errors["approved_on"] = _("Give the date of the approval.")
    elif approved_on > timezone.localdate():
        errors["approved_on"] = _("The approval cannot be dated in the future.")
    elif case.submitted_at and approved_on < timezone.localdate(case.submitted_at):
        errors["approved_on"] = _("The approval cannot be dated before the submission.")
    if errors:
        raise ValidationError(errors)
    case.state = State.APPROVED
    case.approval_no = approval_no
    case.approved_on = approved_on
    case.decision_note = (note or "").strip()
    case.decided_at = timezone.now()
    case.decided_by = actor
    case.save()
    _events_on_cards(
        case=case,
        actor=actor,
        kind=AssetEvent.Kind.DISPOSAL_APPROVED,
        note=_("Disposal case %(number)s approved by %(body)s (%(ref)s, %(date)s).")
        % {
            "number": case.number,
            "body": case.approving_body,
            "ref": approval_no,
            "date": approved_on,
        },
    )
    return case


def _restore_statuses(*, case: DisposalCase, actor, kind: str, note: str, handover=None) -> None:
    """Give every card of the case its status before submission, one event each."""
    stored = DisposalItem.objects.filter(case=case).values_list("previous_status", flat=True)
    for before in sorted(set(stored)):
        previous = before or Status.IN_USE
        changes = (
            {}
            if previous == Status.PENDING_DISPOSAL
            else {"status": (Status.PENDING_DISPOSAL, previous)}
        )
        history.record_events(
            # One statement per status, joined to the case's items (no list of ids to send).
            assets=Asset.objects.filter(
                disposal_items__case=case, disposal_items__previous_status=before
            ),
            actor=actor,
            kind=kind,
            changes=changes,
            note=note,
            disposal=case,
            handover=handover,
            apply=bool(changes),
        )


@transaction.atomic
def reject_disposal(*, case: DisposalCase, actor, reason: str) -> DisposalCase:
    """The tier's role refuses the case (with a reason): its cards go back to their status
    before submission and are free for another case."""
    case = selectors.locked(case, *CASE_RELATED)
    permissions.require_disposal_approver(actor, case)
    _guard(case, State.REJECTED)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for rejecting the case.")})
    selectors.locked_cards(_item_ids(case), "project")
    case.state = State.REJECTED
    case.decision_note = reason
    case.decided_at = timezone.now()
    case.decided_by = actor
    case.save()
    _restore_statuses(
        case=case,
        actor=actor,
        kind=AssetEvent.Kind.DISPOSAL_REJECTED,
        note=_("Disposal case %(number)s rejected: %(reason)s")
        % {"number": case.number, "reason": reason},
    )
    DisposalItem.objects.filter(case=case).update(is_open=False)
    return case


@transaction.atomic
def execute_disposal(*, case: DisposalCase, actor, executed_on: date | None = None) -> DisposalCase:
    """Carry out an approved case on `executed_on` (today by default).

    Its cards are retired (核销) with the case as the reason, one `retired` event each naming
    the case; unlisted live components leave their host first when the case says `detach`
    (a host's listed components are retired with it). A 无偿划转 transfer retires nothing: the
    cards go back to their status before and a handover (no project) to the receiving
    department is opened and submitted, whose receivers accept item by item; ownership moves
    only on acceptance. The case's document is rendered and stored once, with its SHA-256.
    """
    case = selectors.locked(case, *CASE_RELATED)
    permissions.require_disposal_preparer(actor, case)
    _guard(case, State.EXECUTED)
    executed_on = executed_on or timezone.localdate()
    if case.approved_on and executed_on < case.approved_on:
        raise ValidationError(
            {"executed_on": _("A case is executed on or after its approval date.")}
        )
    if executed_on > timezone.localdate():
        raise ValidationError({"executed_on": _("The execution cannot be dated in the future.")})
    cards = selectors.locked_cards(
        DisposalItem.objects.filter(case=case).values("asset_id"), "project"
    )
    ids = [card.pk for card in cards]
    wrong = [card.tag for card in cards if card.status != Status.PENDING_DISPOSAL]
    if wrong:
        raise TransitionNotAllowed(
            _("%(tags)s are no longer pending disposal.")
            % {"tags": formatting.text_list(wrong[:20])},
            code="disposal_cards_changed",
        )
    case.state = State.EXECUTED
    case.executed_on = executed_on
    case.executed_at = timezone.now()
    case.executed_by = actor
    if case.method == Method.TRANSFER:
        _execute_transfer(case=case, actor=actor, cards=cards)
    else:
        _retire_cards(case=case, actor=actor, ids=ids)
    case.save()
    DisposalItem.objects.filter(case=case).update(is_open=False)
    _store_document(case)
    return case


def _retire_cards(*, case: DisposalCase, actor, ids: list[int]) -> None:
    reason = _("Disposal case %(number)s (%(method)s), approved %(ref)s.") % {
        "number": case.number,
        "method": Method(case.method).label,
        "ref": case.approval_no,
    }
    unlisted = selectors.unlisted_components(ids)
    if unlisted and case.components != DisposalCase.Components.DETACH:
        raise TransitionNotAllowed(
            _("%(tags)s sit in cards of the case but are not listed: list them first.")
            % {"tags": formatting.text_list(child.tag for child in unlisted[:20])},
            code="host_has_components",
        )
    detached = Asset.objects.filter(pk__in=[child.pk for child in unlisted])
    for child in detached.select_related("parent").order_by("pk"):
        services._nest(
            asset=child,
            actor=actor,
            parent=None,
            embedded=False,
            note=_("Detached because its host %(tag)s was disposed of in case %(number)s.")
            % {"tag": child.parent.tag, "number": case.number},
            authorise=False,
        )
    now = timezone.now()
    # The case's cards by a join to its items: one statement each, whatever the size.
    cards = Asset.objects.filter(disposal_items__case=case)
    # Status, date and reason in one statement (the row constraint wants them together); then
    # one `retired` event per card, as `retire_asset` writes it, naming the case.
    # A written-off card is no longer "suspected missing" (疑似盘亏): the case settles it, and
    # its `retired` event says so for the cards that carried the flag (walk2-6).
    flagged = list(cards.filter(suspected_shortage=True).values_list("pk", flat=True))
    cards.update(
        status=Status.RETIRED,
        retired_at=now,
        retire_reason=reason,
        suspected_shortage=False,
        updated_at=now,
    )
    retired = (Status.PENDING_DISPOSAL, Status.RETIRED)
    groups = [(cards.exclude(pk__in=flagged) if flagged else cards, {"status": retired})]
    if flagged:  # an empty `pk__in` cannot be written as the statement's SQL
        groups.append(
            (cards.filter(pk__in=flagged), {"status": retired, "suspected_shortage": (True, False)})
        )
    for assets, changes in groups:
        history.record_events(
            assets=assets,
            actor=actor,
            kind=AssetEvent.Kind.RETIRED,
            changes=changes,
            note=reason,
            disposal=case,
            at=now,
        )


def _execute_transfer(*, case: DisposalCase, actor, cards: list[Asset]) -> None:
    from assets.handovers import services as handover_services

    handover = handover_services.open_transfer_handover(
        actor=actor,
        from_department=case.department,
        to_department=case.to_department,
        assets=cards,
        note=_("Free transfer approved in disposal case %(number)s (%(ref)s).")
        % {"number": case.number, "ref": case.approval_no},
    )
    case.handover = handover
    _restore_statuses(
        case=case,
        actor=actor,
        kind=AssetEvent.Kind.DISPOSAL_TRANSFERRED,
        note=_("Transfer of case %(number)s executed: handover %(handover)s to %(to)s.")
        % {"number": case.number, "handover": handover.number, "to": case.to_department.name},
        handover=handover,
    )


def _store_document(case: DisposalCase) -> None:
    """Render the executed case's application form once and keep its bytes and SHA-256."""
    from assets.disposals.document import render_application

    relative, digest = documents.store_pdf(
        folder="disposals", number=case.number, content=render_application(case)
    )
    case.document_file = relative
    case.document_sha256 = digest
    case.save(update_fields=["document_file", "document_sha256"])


# ---------------------------------------------------------------------------------------------
# Approval tiers (administrators)


def validate_tier(tier: ApprovalTier) -> None:
    """The tier's rules, in the user's language: a body, a known role, a positive limit or
    none, one tier per limit (the admin form asks this before `save_tier`)."""
    errors = {}
    tier.body = (tier.body or "").strip()
    if not tier.body:
        errors["body"] = _("Name the approving body.")
    if tier.approver_role not in ApprovalTier.ApproverRole.values:
        errors["approver_role"] = _("Choose one of: %(choices)s.") % {
            "choices": formatting.text_list(ApprovalTier.ApproverRole.values)
        }
    if tier.up_to is not None and tier.up_to <= 0:
        errors["up_to"] = _("The limit is a positive amount, or empty for no limit.")
    same = ApprovalTier.objects.exclude(pk=tier.pk)
    if tier.up_to is None and same.filter(up_to__isnull=True).exists():
        errors["up_to"] = _("There is a tier without a limit already.")
    elif tier.up_to is not None and same.filter(up_to=tier.up_to).exists():
        errors["up_to"] = _("There is a tier with this limit already.")
    if errors:
        raise ValidationError(errors)


def _require_tier_admin(actor) -> None:
    if not permissions.is_system(actor) and not permissions.is_admin(actor):
        raise PermissionDenied(_("Only administrators edit the approval tiers."))


@transaction.atomic
def save_tier(*, actor, fields: dict[str, Any], tier: ApprovalTier | None = None) -> ApprovalTier:
    """Create or edit an approval tier (administrators); cases keep the tier they had."""
    _require_tier_admin(actor)
    tier = (
        ApprovalTier() if tier is None else ApprovalTier.objects.select_for_update().get(pk=tier.pk)
    )
    for name in ("up_to", "approver_role", "body"):
        if name in fields:
            setattr(tier, name, fields[name])
    validate_tier(tier)
    tier.save()
    return tier


@transaction.atomic
def delete_tier(*, actor, tier: ApprovalTier) -> None:
    """Remove a tier; submitted cases keep their copy of it."""
    _require_tier_admin(actor)
    ApprovalTier.objects.filter(pk=tier.pk).delete()


__all__ = [
    "DISPOSAL_TRANSITIONS",
    "approve_disposal",
    "choose_tier",
    "create_disposal",
    "delete_tier",
    "execute_disposal",
    "gather_disposal",
    "reject_disposal",
    "save_tier",
    "submit_disposal",
    "update_disposal",
]


@transaction.atomic
def delete_disposal(*, case: DisposalCase, actor) -> str:
    """Delete a draft (its preparer's side): the case and its list of cards go; the cards
    never changed (a draft touches none) and keep no trace of it. A draft with files attached
    stays (evidence is never deleted: withdraw them and keep the draft, or submit it). Returns
    the deleted case's number."""
    from assets.attachments.models import Attachment

    case = selectors.locked(case, *CASE_RELATED)
    permissions.require_disposal_preparer(actor, case)
    if case.state != State.DRAFT:
        raise TransitionNotAllowed(
            _("Only a draft case can be deleted."), code="disposal_not_draft"
        )
    if Attachment.objects.filter(subject_kind="disposal", subject_id=case.pk).exists():
        raise TransitionNotAllowed(
            _("This draft has files attached, which are kept for good; it cannot be deleted."),
            code="disposal_has_files",
        )
    number = case.number
    case.items.all().delete()
    case.delete()
    return number
