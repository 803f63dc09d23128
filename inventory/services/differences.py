"""The difference register (差异登记 → 说明 → 审批 → 入账/核销): explain, approve, post, treat.

Views, serializers, admin actions and tasks call these; none of them saves a difference.
"""

from __future__ import annotations

import operator
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assets import refusals
from assets import services as asset_services
from assets.errors import DomainError, TransitionNotAllowed
from assets.models import Asset, DisposalCase
from config import formatting
from inventory import permissions
from inventory.models import Difference

# The difference register (差异登记 → 说明 → 审批 → 入账/核销).
DIFFERENCE_TRANSITIONS: dict[str, set[str]] = {
    Difference.State.RAISED: {Difference.State.EXPLAINED},
    Difference.State.EXPLAINED: {Difference.State.APPROVED, Difference.State.EXPLAINED},
    Difference.State.APPROVED: {Difference.State.POSTED},
    Difference.State.POSTED: set(),
}


# ---------------------------------------------------------------------------- difference register


# What each desk action makes of a difference.
ACTION_TARGETS = {
    "explain": Difference.State.EXPLAINED,
    "approve": Difference.State.APPROVED,
    "post": Difference.State.POSTED,
}


def state_refusal(difference: Difference, target: str) -> str:
    """Why `difference` cannot take the step to `target`, said for a clerk: the state it is in
    and what to do next ('' when it can)."""
    if target in DIFFERENCE_TRANSITIONS.get(difference.state, set()):
        return ""
    State = Difference.State
    if difference.state == State.RAISED:
        return _(
            "This difference is not explained yet: give its reason first, then it can be approved."
        )
    if difference.state == State.EXPLAINED:
        return _("This difference is explained but not approved yet: approve it, then post it.")
    if difference.state == State.APPROVED:
        return _("This difference is approved already: post it next.")
    return _("This difference is posted already: nothing is left to do on it here.")


def _guard_difference(difference: Difference, target: str) -> None:
    refusal = state_refusal(difference, target)
    if refusal:
        raise TransitionNotAllowed(refusal, code="difference_transition_not_allowed")


def bulk_refusal(difference: Difference, action: str) -> str:
    """Why the desk's bulk `action` skips `difference` ('' when it takes it): its state
    (`state_refusal`), or a surplus find to post, whose draft card is registered on its own
    page."""
    refusal = state_refusal(difference, ACTION_TARGETS[action])
    if refusal:
        return refusal
    if action == "post" and difference.kind == Difference.Kind.SURPLUS:
        return _(
            "A surplus find is posted on its own page, where its draft card's category and "
            "department are given."
        )
    return ""


def _lock_difference(difference: Difference) -> Difference:
    return (
        Difference.objects.select_for_update(of=("self",))
        .select_related("line", "campaign", "line__asset")
        .get(pk=difference.pk)
    )


@transaction.atomic
def explain_difference(
    *,
    difference: Difference,
    actor,
    reason: str,
    responsible: str = "",
    treatment: str = "",
    write_back: bool = False,
) -> Difference:
    """Give a difference its cause, responsible person and proposed treatment."""
    permissions.require_difference_role(actor, approve=False)
    difference = _lock_difference(difference)
    _guard_difference(difference, Difference.State.EXPLAINED)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for the difference.")})
    if write_back and difference.kind != Difference.Kind.MISMATCH:
        raise ValidationError(
            {"write_back": _("Only a wrong location can be written back to the card.")}
        )
    difference.reason = reason.strip()
    difference.responsible = (responsible or "").strip()
    difference.treatment = (treatment or "").strip()
    difference.write_back = bool(write_back)
    difference.state = Difference.State.EXPLAINED
    difference.explained_by = actor
    difference.explained_at = timezone.now()
    difference.save()
    return difference


@transaction.atomic
def approve_difference(*, difference: Difference, actor) -> Difference:
    """The asset office approves (审批); a wrong location is written back to the card, with an
    event naming the campaign."""
    permissions.require_difference_role(actor, approve=True)
    difference = _lock_difference(difference)
    _guard_difference(difference, Difference.State.APPROVED)
    line = difference.line
    if difference.write_back and line.asset_id and line.counted_location_id:
        asset = line.asset
        if asset.location_id != line.counted_location_id and not asset.embedded:
            asset_services.move_asset(
                asset=asset,
                actor=actor,
                location=line.counted_location,
                note=difference.reason,
                campaign_id=difference.campaign_id,
            )
    difference.state = Difference.State.APPROVED
    difference.approved_by = actor
    difference.approved_at = timezone.now()
    difference.save(update_fields=["state", "approved_by", "approved_at"])
    return difference


@transaction.atomic
def post_difference(
    *, difference: Difference, actor, card_fields: dict | None = None
) -> Difference:
    """Book the approved treatment: a surplus gets a draft card (取得方式 盘盈); a shortage
    joins the campaign's draft write-off case (损失核销) of its department, damage its scrap case
    (报废), opened when there is none. Cards are never deleted."""
    difference = _post(difference=difference, actor=actor, card_fields=card_fields)
    if _finish_posting(actor=actor, posted=[difference]):
        raise DomainError(
            _("%(tag)s is not posted: %(why)s")
            % {"tag": item_label(difference), "why": difference.disposal_problem},
            code="difference_not_disposable",
        )
    return difference


def _finish_posting(*, actor, posted: list[Difference]) -> list[Difference]:
    """Single and bulk posting end here (one rule): the posted shortages and damage go into
    disposal cases in one pass. One whose card can join no case (a host with live components
    not listed, …) is not posted: it stays approved and says why, since a posted difference
    whose card is in no case was closed while nothing wrote the card off (walk4-2). Returns
    those held back."""
    _into_disposal_cases(actor=actor, differences=posted)
    held_back = [
        d
        for d in posted
        if d.kind in DISPOSAL_METHOD
        and d.line.asset_id
        and d.disposal_id is None
        and d.line.asset.status != Asset.Status.RETIRED
    ]
    for difference in held_back:
        difference.state = Difference.State.APPROVED
        difference.posted_by = None
        difference.posted_at = None
    Difference.objects.bulk_update(held_back, ["state", "posted_by", "posted_at"])
    return held_back


def _post(*, difference: Difference, actor, card_fields: dict | None) -> Difference:
    permissions.require_difference_role(actor, approve=True)
    difference = _lock_difference(difference)
    _guard_difference(difference, Difference.State.POSTED)
    line = difference.line
    if difference.kind == Difference.Kind.SURPLUS:
        fields = dict(card_fields or {})
        if not fields.get("category") or not fields.get("owner_department"):
            raise ValidationError(
                {"category": _("A surplus card needs a category and an owning department.")}
            )
        fields.setdefault("name", line.note[:200] or line.scanned_code)
        fields.update(
            status=Asset.Status.DRAFT,
            acquisition_method=Asset.AcquisitionMethod.SURPLUS,
            location=line.counted_location,
        )
        fields.setdefault("original_value", Decimal("1.00"))
        fields.setdefault("value_type", Asset.ValueType.NOMINAL)
        difference.draft_asset = asset_services.register_asset(
            actor=actor, fields=fields, note=difference.reason
        )
    difference.state = Difference.State.POSTED
    difference.posted_by = actor
    difference.posted_at = timezone.now()
    difference.save(update_fields=["state", "posted_by", "posted_at", "draft_asset"])
    return difference


# The disposal method a posted difference ends in (DOMAIN §8): 盘亏 → 损失核销, 毁损 → 报废.
DISPOSAL_METHOD = {
    Difference.Kind.SHORTAGE: DisposalCase.Method.WRITE_OFF,
    Difference.Kind.DAMAGED: DisposalCase.Method.SCRAP,
}


REASON_FOUND = "stocktake_found"


def found_reason(params) -> str:
    """The system's reason for a case of a stocktake's differences, in the active language
    (`params`: the campaign's name and the difference kinds' codes)."""
    labels = formatting.text_list(
        str(Difference.Kind(kind).label) for kind in sorted(params["kinds"])
    )
    return _("Stocktake %(campaign)s: %(kind)s found by the count.") % {
        "campaign": params["campaign"],
        "kind": labels,
    }


def reason_params(*, campaign, kinds) -> dict:
    return {"campaign": str(campaign), "kinds": sorted(set(kinds))}


def case_fields(*, campaign, kinds) -> dict:
    """The fields of a case opened for differences of `kinds`: scrap when all are damage,
    else a write-off, on the grounds of a stocktake loss, the campaign named as the reason
    (in the writer's language; the case keeps it as `REASON_FOUND` and `reason_params`)."""
    kinds = set(kinds)
    method = (
        DisposalCase.Method.SCRAP
        if kinds == {Difference.Kind.DAMAGED}
        else DisposalCase.Method.WRITE_OFF
    )
    return {
        "method": method,
        "grounds": DisposalCase.Grounds.LOSS,
        "reason": found_reason(reason_params(campaign=campaign, kinds=kinds)),
    }


def _into_disposal_cases(*, actor, differences: list[Difference]) -> None:
    """Put the cards of posted shortages and damage into disposal cases: the campaign's draft
    case of the method and the card's department, or a new one. A card already in an open
    case stays there (the difference follows that case); a retired card needs none; a card
    that cannot join (a host with live components, another unit's, …) is left out and the
    difference says why, so the rest of the posting stands."""
    from assets.disposals import selectors as disposal_selectors
    from assets.disposals import services as disposal_services

    pending = [
        d
        for d in differences
        if d.kind in DISPOSAL_METHOD and d.line.asset_id and d.disposal_id is None
    ]
    if not pending:
        return
    held = disposal_selectors.open_cases_of(asset_ids=[d.line.asset_id for d in pending])
    groups: dict[tuple[str, int], list[Difference]] = {}
    for difference in pending:
        asset = difference.line.asset
        difference.disposal_refusals = []
        if asset.pk in held:
            difference.disposal = held[asset.pk]
        elif asset.status != Asset.Status.RETIRED:
            key = (DISPOSAL_METHOD[difference.kind], asset.owner_department_id)
            groups.setdefault(key, []).append(difference)
    for (method, department_id), members in sorted(groups.items()):
        campaign = members[0].campaign
        draft = (
            DisposalCase.objects.filter(
                state=DisposalCase.State.DRAFT,
                method=method,
                department_id=department_id,
                stocktake_differences__campaign=campaign,
            )
            .order_by("pk")
            .first()
        )
        fields = case_fields(campaign=campaign, kinds=[members[0].kind])
        tags = [d.line.asset.tag for d in members]
        try:
            case, refused = disposal_services.gather_disposal(
                actor=actor,
                tags=tags,
                fields=fields,
                case=draft,
                # Said in each reader's language, not the poster's.
                reason_code=REASON_FOUND,
                reason_params=reason_params(campaign=campaign, kinds=[members[0].kind]),
            )
        except (PermissionDenied, ValidationError, DomainError) as error:
            # Kept as codes, said in each reader's language (not the poster's).
            why = [refusals.from_error(error).stored()]
            for difference in members:
                difference.disposal_refusals = why
            continue
        for difference in members:
            why = refused.get(difference.line.asset.tag)
            if why:
                difference.disposal_refusals = [refusal.stored() for refusal in why]
            else:
                difference.disposal = case
    Difference.objects.bulk_update(pending, ["disposal", "disposal_refusals"])


@transaction.atomic
def open_disposal_case(*, actor, differences, fields: dict, tags, evidence=()) -> DisposalCase:
    """The clerk's case for posted shortages and damage that are in no live case (their card
    could not join one when posted, or that case was rejected): `create_disposal` with the
    clerk's fields and cards (all its rules; all or nothing), then each difference whose card
    is in the case follows it."""
    from assets.disposals import services as disposal_services

    items = sorted(differences, key=operator.attrgetter("pk"))
    if not items:
        raise ValidationError({"ids": _("Tick at least one difference.")})
    locked = list(
        Difference.objects.select_for_update(of=("self",))
        .select_related("line", "line__asset", "disposal")
        .filter(pk__in=[d.pk for d in items])
        .order_by("pk")
    )
    wrong = [d.line.tag or d.line.scanned_code for d in locked if not d.needs_disposal_case]
    if wrong:
        raise ValidationError(
            {
                "ids": [
                    _(
                        "%(tag)s: only a posted shortage or damage in no live disposal case is "
                        "put into a new case."
                    )
                    % {"tag": tag}
                    for tag in wrong
                ]
            }
        )
    case = disposal_services.create_disposal(
        actor=actor, fields=fields, tags=tags, evidence=evidence
    )
    listed = set(case.items.values_list("asset_id", flat=True))
    following = [d for d in locked if d.line.asset_id in listed]
    now = timezone.now()
    for difference in following:
        difference.disposal = case
        difference.disposal_refusals = []
        if difference.state == Difference.State.APPROVED:
            # Held back at posting (its card could join no case): in a case now, it is posted.
            difference.state = Difference.State.POSTED
            difference.posted_by = actor
            difference.posted_at = now
    Difference.objects.bulk_update(
        following, ["disposal", "disposal_refusals", "state", "posted_by", "posted_at"]
    )
    return case


# The desk's bulk actions on ticked differences: all of them or none.
DIFFERENCE_ACTIONS = ("explain", "approve", "post")


def item_label(difference: Difference) -> str:
    """How a refusal names a difference: its tag or scanned code, else (a surplus find without
    either) its kind and name, so the message never starts with a bare colon (walk2-10)."""
    line = difference.line
    code = line.tag or line.scanned_code
    if code:
        return code
    kind = Difference.Kind(difference.kind).label
    name = line.name or line.note
    return _("%(kind)s “%(name)s”") % {"kind": kind, "name": name} if name else str(kind)


@transaction.atomic
def treat_differences(
    *,
    differences,
    actor,
    action: str,
    reason: str = "",
    responsible: str = "",
    treatment: str = "",
) -> int:
    """Explain (one text for all), approve or post several differences in one transaction: a
    refusal of any one names its tag and changes none of them."""
    if action not in DIFFERENCE_ACTIONS:
        raise ValidationError({"action": _("Choose explain, approve or post.")})
    permissions.require_difference_role(actor, approve=action != "explain")
    items = sorted(differences, key=operator.attrgetter("pk"))
    if not items:
        raise ValidationError({"ids": _("Tick at least one difference.")})
    posted: list[Difference] = []
    for difference in items:
        try:
            if action == "explain":
                explain_difference(
                    difference=difference,
                    actor=actor,
                    reason=reason,
                    responsible=responsible,
                    treatment=treatment,
                )
            elif action == "approve":
                approve_difference(difference=difference, actor=actor)
            else:
                posted.append(_post(difference=difference, actor=actor, card_fields=None))
        except ValidationError as error:
            if action == "explain" and "reason" in error.message_dict:
                raise
            label = item_label(difference)
            messages = [m for ms in error.message_dict.values() for m in ms]
            raise ValidationError(
                {"ids": [_("%(tag)s: %(error)s") % {"tag": label, "error": m} for m in messages]}
            ) from error
        except DomainError as error:
            label = item_label(difference)
            raise type(error)(
                _("%(tag)s: %(error)s") % {"tag": label, "error": error.message}, code=error.code
            ) from error
    # One pass for all posted shortages and damage: one case per method and department. A row
    # whose card can join no case stays approved (`_finish_posting`): the count is of the posted.
    held_back = _finish_posting(actor=actor, posted=posted)
    return len(items) - len(held_back)
