"""What an attachment can be attached to: a registry of subject kinds (`asset:TAG`, …).

Each kind names its model, its natural key (what the API writes after the colon), who reads
such subjects (a scoped queryset: the reader of the subject reads its files, nobody else) and who
may attach to one or withdraw from it. The register's own kinds (cards, delegated-build
projects, handovers) are registered below; another package registers its own from its
`AppConfig.ready()` (inventory registers `difference:ID`), so `assets` imports none of them:

    register_subject(
        "repair", model=RepairRecord, key="pk", label=_("Repair record"),
        visible=lambda user: repairs_visible_to(user=user),
        may_attach=lambda user, repair: may_change_card(user, repair.asset),
        asset=lambda repair: repair.asset,     # optional: the card whose history records it
        url=lambda repair: reverse("assets:asset-detail", args=[repair.asset.tag]),  # optional
        card_steps=lambda card: RepairRecord.objects.filter(asset=card).values("pk"),  # optional
    )
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assets import permissions
from config import formatting


@dataclass(frozen=True)
class SubjectKind:
    """One kind of subject: how it is named, found, read and attached to."""

    name: str
    model: type[Model]
    key: str
    label: object
    visible: Callable[[object], QuerySet]
    may_attach: Callable[[object, Model], bool]
    asset: Callable[[Model], Model | None] | None = None
    url: Callable[[Model], str] | None = None
    card_steps: Callable[[Model], QuerySet] | None = None
    # Who may withdraw one file, beyond `may_attach`: a refusal message, or "" to allow.
    withdraw_refusal: Callable[[object, Model, object], str] | None = None

    def reference(self, obj) -> str:
        return f"{self.name}:{getattr(obj, self.key)}"


_KINDS: dict[str, SubjectKind] = {}


def register_subject(
    name: str,
    *,
    model: type[Model],
    key: str,
    label,
    visible: Callable[[object], QuerySet],
    may_attach: Callable[[object, Model], bool],
    asset: Callable[[Model], Model | None] | None = None,
    url: Callable[[Model], str] | None = None,
    card_steps: Callable[[Model], QuerySet] | None = None,
    withdraw_refusal: Callable[[object, Model, object], str] | None = None,
) -> SubjectKind:
    """Register (or re-register, idempotently) the subject kind `name`. `asset` names the card
    whose history records files added to or withdrawn from the subject; `url` the subject's
    page (where the upload form sends the user back); `card_steps(card)` the pks of this kind's
    subjects that are steps of a card (the handovers that brought it), whose files the card's
    page lists under its own; `withdraw_refusal(user, obj, attachment)` why `user` may not
    withdraw that file although they may attach (the other side's file, a decided case)."""
    kind = SubjectKind(
        name, model, key, label, visible, may_attach, asset, url, card_steps, withdraw_refusal
    )
    _KINDS[name] = kind
    return kind


def kinds() -> dict[str, SubjectKind]:
    return dict(_KINDS)


def kind_of(name: str) -> SubjectKind:
    try:
        return _KINDS[name]
    except KeyError:
        raise ValidationError({"subject": _unknown_kind_message()}) from None


def _unknown_kind_message() -> str:
    return _("Name the subject as kind:reference, the kind one of %(kinds)s.") % {
        "kinds": formatting.text_list(sorted(_KINDS))
    }


def parse(reference: str) -> tuple[SubjectKind, str]:
    """The kind and the natural key of `asset:TAG`; 400 on `subject` when malformed."""
    name, colon, value = str(reference or "").strip().partition(":")
    value = value.strip()
    if not colon or not value or len(value) > 100:
        raise ValidationError({"subject": _unknown_kind_message()})
    return kind_of(name.strip().lower()), value


def resolve(*, user, reference: str):
    """The subject `user` reads under `reference`: (kind, object). One they may not read is
    refused exactly like one that does not exist (400 on `subject`, SECURITY.md §4)."""
    kind, value = parse(reference)
    lookup = {kind.key: value}
    if kind.key in ("pk", "id") and not value.isdigit():
        raise ValidationError({"subject": _("Unknown subject “%(ref)s”.") % {"ref": reference}})
    if kind.name == "asset":
        lookup = {"tag": value.upper()}
    obj = kind.visible(user).filter(**lookup).first()
    if obj is None:
        raise ValidationError({"subject": _("Unknown subject “%(ref)s”.") % {"ref": reference}})
    return kind, obj


def readable_q(user) -> Q:
    """The attachments `user` reads: those whose subject they read, kind by kind."""
    condition = Q(pk__in=[])
    for kind in _KINDS.values():
        condition |= Q(subject_kind=kind.name, subject_id__in=kind.visible(user).values("pk"))
    return condition


def subject_of(attachment):
    """The subject object of `attachment` (unscoped: ask `readable_q` first)."""
    kind = _KINDS[attachment.subject_kind]
    return kind, kind.model._default_manager.get(pk=attachment.subject_id)


def reference_of(attachment) -> str:
    return references([attachment])[attachment.pk]


def references(attachments: Iterable) -> dict[int, str]:
    """`kind:ref` of each attachment, one query per subject kind."""
    attachments = list(attachments)
    by_kind: dict[str, set[int]] = {}
    for attachment in attachments:
        by_kind.setdefault(attachment.subject_kind, set()).add(attachment.subject_id)
    keys: dict[tuple[str, int], str] = {}
    for name, ids in by_kind.items():
        kind = _KINDS.get(name)
        if kind is None:
            continue
        field = "pk" if kind.key in ("pk", "id") else kind.key
        for pk, value in kind.model._default_manager.filter(pk__in=ids).values_list("pk", field):
            keys[(name, pk)] = f"{name}:{value}"
    return {
        a.pk: keys.get((a.subject_kind, a.subject_id), f"{a.subject_kind}:?") for a in attachments
    }


# --------------------------------------------------------------- the register's own subjects


def register_builtin_subjects() -> None:
    from django.urls import reverse

    from assets.models import Asset, DelegatedProject, Handover, HandoverItem

    register_subject(
        "asset",
        model=Asset,
        key="tag",
        label=gettext_lazy("Asset card"),
        visible=lambda user: permissions.visible_assets(user),
        may_attach=permissions.may_change_card,
        asset=lambda asset: asset,
        url=lambda asset: reverse("assets:asset-detail", args=[asset.tag]),
    )
    register_subject(
        "project",
        model=DelegatedProject,
        key="code",
        label=gettext_lazy("Delegated-build project"),
        visible=lambda user: permissions.visible_projects(user),
        may_attach=permissions.may_change_project,
    )
    register_subject(
        "handover",
        model=Handover,
        key="number",
        label=gettext_lazy("Handover"),
        visible=lambda user: permissions.visible_handovers(user),
        may_attach=permissions.may_attach_to_handover,
        url=lambda handover: reverse("assets:handover-detail", args=[handover.number]),
        card_steps=lambda card: HandoverItem.objects.filter(asset=card).values("handover_id"),
        withdraw_refusal=_handover_withdraw_refusal,
    )
    # Disposal cases (`disposal:NUMBER`): the approval reply, the technical assessment; the
    # card's page lists the files of the case that retired it.
    from assets.models import DisposalCase, DisposalItem, RepairRecord

    register_subject(
        "disposal",
        model=DisposalCase,
        key="number",
        label=gettext_lazy("Disposal case"),
        visible=lambda user: permissions.visible_disposals(user),
        may_attach=permissions.can_prepare_disposal,
        url=lambda case: reverse("assets:disposal-detail", args=[case.number]),
        card_steps=lambda card: DisposalItem.objects.filter(asset=card).values("case_id"),
        withdraw_refusal=_disposal_withdraw_refusal,
    )
    # Repair records (`repair:ID`): the repair report, the vendor's invoice.
    register_subject(
        "repair",
        model=RepairRecord,
        key="pk",
        label=gettext_lazy("Repair record"),
        visible=lambda user: RepairRecord.objects.filter(
            asset__in=permissions.visible_assets(user).values("pk")
        ),
        may_attach=lambda user, repair: permissions.may_change_card(user, repair.asset),
        asset=lambda repair: repair.asset,
        url=lambda repair: reverse("assets:asset-detail", args=[repair.asset.tag]),
        card_steps=lambda card: RepairRecord.objects.filter(asset=card).values("pk"),
    )


def _handover_withdraw_refusal(user, handover, attachment) -> str:
    """A handover's file is the uploader's side's to withdraw (the builder's or the receiver's),
    and only while the handover is open: the decision was signed on what was there."""
    from assets.models import Handover

    if handover.state not in (Handover.State.DRAFT, Handover.State.SUBMITTED):
        return _("The handover is closed; its files can no longer be withdrawn.")
    uploader = attachment.uploaded_by
    if uploader is None:
        return ""
    for on_side in (permissions.can_prepare_handover, permissions.can_decide_handover):
        if on_side(uploader, handover) and on_side(user, handover):
            return ""
    return _("Only the side that uploaded this file may withdraw it.")


def _disposal_withdraw_refusal(user, case, attachment) -> str:
    """A disposal case's files stay as they were once it is decided (approved, rejected or
    executed): the decision was made on them."""
    from assets.models import DisposalCase

    if case.state not in (DisposalCase.State.DRAFT, DisposalCase.State.SUBMITTED):
        return _("The disposal case is decided; its files can no longer be withdrawn.")
    return ""
