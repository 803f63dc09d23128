"""The difference register (差异登记 → 说明 → 审批 → 入账/核销): explain, approve, post, treat.

Views, serializers, admin actions and tasks call these; none of them saves a difference.
"""

from __future__ import annotations

import operator
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assets import services as asset_services
from assets.errors import DomainError, TransitionNotAllowed
from assets.models import Asset
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


def _guard_difference(difference: Difference, target: str) -> None:
    if target not in DIFFERENCE_TRANSITIONS.get(difference.state, set()):
        raise TransitionNotAllowed(
            _("A difference cannot go from “%(old)s” to “%(new)s”.")
            % {
                "old": Difference.State(difference.state).label,
                "new": Difference.State(target).label,
            },
            code="difference_transition_not_allowed",
        )


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
    """Book the approved treatment: a surplus gets a draft card (取得方式 盘盈); a shortage or
    damage opens the write-off/disposal case (status 待处置). Cards are never deleted."""
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
    elif difference.kind in (Difference.Kind.SHORTAGE, Difference.Kind.DAMAGED):
        asset = line.asset
        if asset.status not in (Asset.Status.PENDING_DISPOSAL, Asset.Status.RETIRED):
            asset_services.change_status(
                asset=asset,
                actor=actor,
                status=Asset.Status.PENDING_DISPOSAL,
                note=difference.reason,
            )
    difference.state = Difference.State.POSTED
    difference.posted_by = actor
    difference.posted_at = timezone.now()
    difference.save(update_fields=["state", "posted_by", "posted_at", "draft_asset"])
    return difference


# The desk's bulk actions on ticked differences: all of them or none.
DIFFERENCE_ACTIONS = ("explain", "approve", "post")


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
                post_difference(difference=difference, actor=actor)
        except ValidationError as error:
            if action == "explain" and "reason" in error.message_dict:
                raise
            label = difference.line.tag or difference.line.scanned_code
            messages = [m for ms in error.message_dict.values() for m in ms]
            raise ValidationError(
                {"ids": [_("%(tag)s: %(error)s") % {"tag": label, "error": m} for m in messages]}
            ) from error
        except DomainError as error:
            label = difference.line.tag or difference.line.scanned_code
            raise type(error)(
                _("%(tag)s: %(error)s") % {"tag": label, "error": error.message}, code=error.code
            ) from error
    return len(items)
