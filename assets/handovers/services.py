"""Delegated-build projects (代建) and their handovers (移交): every change, one function each.

A handover moves a project's cards from the builder to the owning department, and only the
receiver's decision moves ownership (DESIGN.md invariant 6): every item gets an explicit result,
accepted items change owner in the same transaction, rejected ones stay with the builder, flagged.
Lock order everywhere: the handover row, then its items by tag, then the cards by id
(`selectors.locked_cards`, as the disposal cases lock them).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assets import documents, history, permissions, refusals, selectors, services, sql, tags
from assets.errors import TransitionNotAllowed
from assets.handovers.certificate import (
    certificate_path as certificate_path,
)  # tests read the stored file
from assets.models import (
    Asset,
    AssetEvent,
    DelegatedProject,
    Department,
    Handover,
    HandoverArchive,
    HandoverItem,
    Location,
)
from config import formatting

State = Handover.State
Result = HandoverItem.Result
FinalAccounts = DelegatedProject.FinalAccountsState

# The handover state machine (移交单). Decided and withdrawn handovers are final.
HANDOVER_TRANSITIONS: dict[str, set[str]] = {
    State.DRAFT: {State.SUBMITTED, State.WITHDRAWN},
    State.SUBMITTED: {State.ACCEPTED, State.PARTIALLY_ACCEPTED, State.REJECTED, State.WITHDRAWN},
    State.ACCEPTED: set(),
    State.PARTIALLY_ACCEPTED: set(),
    State.REJECTED: set(),
    State.WITHDRAWN: set(),
}
OPEN_STATES = {State.DRAFT, State.SUBMITTED}
DECIDED_STATES = {State.ACCEPTED, State.PARTIALLY_ACCEPTED, State.REJECTED}

# Final accounts (竣工财务决算): prepared, submitted, approved; an approval is final.
FINAL_ACCOUNTS_TRANSITIONS: dict[str, set[str]] = {
    FinalAccounts.PENDING: {FinalAccounts.SUBMITTED, FinalAccounts.APPROVED},
    FinalAccounts.SUBMITTED: {FinalAccounts.PENDING, FinalAccounts.APPROVED},
    FinalAccounts.APPROVED: set(),
}

PROJECT_FIELDS = (
    "code",
    "name",
    "builder_department",
    "owner_department",
    "contract_no",
    "budget",
    "accepted_on",
    "acceptance_report_no",
    "handover_due_on",
)
HANDOVER_RELATED = ("project", "from_department", "to_department")
NUMBER_PREFIX = "HANDOVER"  # the counter row's key in TagSequence; never a tag prefix


# ---------------------------------------------------------------------------------------------
# Projects


def add_months(day: date, months: int) -> date:
    """`day` plus whole calendar months; the 31st becomes the month's last day when needed."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def default_handover_due_on(accepted_on: date | None) -> date | None:
    """Completion acceptance + YIKA_HANDOVER_DUE_MONTHS (3 by default; DOMAIN.md §1)."""
    if accepted_on is None:
        return None
    return add_months(accepted_on, settings.YIKA_HANDOVER_DUE_MONTHS)


@transaction.atomic
def save_project(
    *, actor, fields: dict[str, Any], project: DelegatedProject | None = None
) -> DelegatedProject:
    """Create or edit a delegated-build project.

    `handover_due_on` follows `accepted_on` (+ the configured months) unless it is given.
    The actor sets projects up (`permissions.require_project_preparer`) and may change this one
    (`permissions.require_project_change`); the builder must be in the actor's department scope.
    Final accounts change by their own services.
    """
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be set here.") for name in unknown})
    creating = project is None
    if creating:
        permissions.require_project_preparer(actor)
        project = DelegatedProject()
    else:
        project = selectors.locked(project)
        permissions.require_project_change(actor, project)
    accepted_before = project.accepted_on
    for name, value in fields.items():
        setattr(project, name, value)
    if "handover_due_on" not in fields and (creating or project.accepted_on != accepted_before):
        project.handover_due_on = default_handover_due_on(project.accepted_on)
    errors: dict[str, str] = {}
    if not (project.code or "").strip():
        errors["code"] = _("The code is required.")
    if not (project.name or "").strip():
        errors["name"] = _("The name is required.")
    if project.builder_department_id is None:
        errors["builder_department"] = _("The builder department is required.")
    if project.owner_department_id is None:
        errors["owner_department"] = _("The owning department is required.")
    elif project.owner_department_id == project.builder_department_id:
        errors["owner_department"] = _("The owning department must differ from the builder.")
    if project.budget is not None and project.budget < 0:
        errors["budget"] = _("The budget cannot be negative.")
    if (
        project.accepted_on
        and project.handover_due_on
        and (project.handover_due_on < project.accepted_on)
    ):
        errors["handover_due_on"] = _("The handover is due on or after the acceptance date.")
    if (
        project.code
        and DelegatedProject.objects.filter(code=project.code).exclude(pk=project.pk).exists()
    ):
        errors["code"] = _("A project with code %(code)s exists already.") % {"code": project.code}
    if errors:
        raise ValidationError(errors)
    # The system (`permissions.SYSTEM`: demo data, imports) has no scope to keep to.
    if not permissions.may_assign_department(actor, project.builder_department):
        raise ValidationError(
            {"builder_department": _("The builder department is outside your department scope.")}
        )
    project.save()
    return project


def _guard_final_accounts(project: DelegatedProject, target: str) -> None:
    if target not in FINAL_ACCOUNTS_TRANSITIONS.get(project.final_accounts_state, set()):
        raise TransitionNotAllowed(
            _("The final accounts cannot go from “%(old)s” to “%(new)s”.")
            % {
                "old": FinalAccounts(project.final_accounts_state).label,
                "new": FinalAccounts(target).label,
            }
        )


@transaction.atomic
def submit_final_accounts(*, project: DelegatedProject, actor) -> DelegatedProject:
    """Record that the final accounts (决算) went to the finance bureau for approval."""
    project = selectors.locked(project)
    permissions.require_project_change(actor, project)
    _guard_final_accounts(project, FinalAccounts.SUBMITTED)
    project.final_accounts_state = FinalAccounts.SUBMITTED
    project.save(update_fields=["final_accounts_state"])
    return project


# Who hears of a handover's steps. assets imports no other app, so the inbox (inventory's
# reminders) registers itself in its AppConfig.ready; each listener is called inside the
# service's transaction as `listener(step=..., handover=...)` with step "submitted" or
# "decided", so a step that rolls back notifies nobody.
_handover_listeners: list = []


def register_handover_listener(listener) -> None:
    """Add a function called on every submit and decision (idempotent per function)."""
    if listener not in _handover_listeners:
        _handover_listeners.append(listener)


def _announce(step: str, handover: Handover) -> None:
    for listener in _handover_listeners:
        listener(step=step, handover=handover)


@dataclass(frozen=True)
class FinalValue:
    """One card's value in the approved final accounts (决算), keyed by its tag."""

    tag: str
    value: Decimal


@transaction.atomic
def approve_final_accounts(
    *,
    project: DelegatedProject,
    actor,
    approved_on: date,
    reference: str,
    values: Sequence[FinalValue] = (),
    confirm_unlisted: bool = False,
) -> list[services.Revaluation]:
    """Approve the final accounts and revalue the project's cards still at 暂估 (provisional).

    Listed cards take their final value; with `confirm_unlisted` the others keep their value as
    final; otherwise they stay provisional and are listed for a later `revalue_project_assets`.
    """
    project = selectors.locked(project)
    permissions.require_project_change(actor, project)
    _guard_final_accounts(project, FinalAccounts.APPROVED)
    if approved_on is None:
        raise ValidationError({"approved_on": _("Give the date of the approval.")})
    if project.accepted_on and approved_on < project.accepted_on:
        raise ValidationError(
            {"approved_on": _("The final accounts cannot be approved before acceptance.")}
        )
    project.final_accounts_state = FinalAccounts.APPROVED
    project.final_accounts_approved_on = approved_on
    project.final_accounts_ref = (reference or "").strip()
    project.save(
        update_fields=[
            "final_accounts_state",
            "final_accounts_approved_on",
            "final_accounts_ref",
        ]
    )
    return _revalue(project=project, actor=actor, values=values, confirm_unlisted=confirm_unlisted)


@transaction.atomic
def revalue_project_assets(
    *,
    project: DelegatedProject,
    actor,
    values: Sequence[FinalValue],
    confirm_unlisted: bool = False,
) -> list[services.Revaluation]:
    """Revalue cards left at 暂估 after the final accounts were approved."""
    project = selectors.locked(project)
    permissions.require_project_change(actor, project)
    if project.final_accounts_state != FinalAccounts.APPROVED:
        raise TransitionNotAllowed(
            _("Cards are revalued once the final accounts are approved."),
            code="final_accounts_not_approved",
        )
    return _revalue(project=project, actor=actor, values=values, confirm_unlisted=confirm_unlisted)


def _revalue(*, project, actor, values, confirm_unlisted) -> list[services.Revaluation]:
    provisional = {
        asset.tag: asset
        for asset in Asset.objects.select_for_update()
        .filter(project=project, value_type=Asset.ValueType.PROVISIONAL)
        .exclude(status=Asset.Status.RETIRED)
        .order_by("tag")
    }
    errors: list[str] = []
    wanted: dict[str, Decimal] = {}
    for line in values:
        tag = tags.normalise(line.tag)
        if tag not in provisional:
            errors.append(
                _("%(tag)s is not a provisionally valued card of this project.") % {"tag": tag}
            )
        elif tag in wanted:
            errors.append(_("%(tag)s is listed twice.") % {"tag": tag})
        elif line.value is None or line.value < 0:
            errors.append(_("%(tag)s: the value cannot be negative.") % {"tag": tag})
        else:
            wanted[tag] = line.value
    if errors:
        raise ValidationError({"values": errors})
    if confirm_unlisted:
        for tag, asset in provisional.items():
            wanted.setdefault(tag, asset.original_value)
    note = _("Final accounts %(ref)s approved on %(date)s.") % {
        "ref": project.final_accounts_ref or "-",
        "date": project.final_accounts_approved_on,
    }
    results = []
    for tag in sorted(wanted):
        asset = provisional[tag]
        before = asset.original_value
        services.revalue_asset(
            asset=asset,
            actor=actor,
            original_value=wanted[tag],
            value_type=Asset.ValueType.FINAL,
            note=note,
        )
        results.append(services.Revaluation(asset=asset, before=before, after=wanted[tag]))
    return results


# ---------------------------------------------------------------------------------------------
# Handovers


def _guard(handover: Handover, target: str) -> None:
    """The one check of the handover state machine."""
    if target not in HANDOVER_TRANSITIONS.get(handover.state, set()):
        if handover.state in DECIDED_STATES:
            message = _("Handover %(number)s has been decided already (%(state)s).")
        else:
            message = _("Handover %(number)s is “%(state)s”; it cannot become “%(target)s”.")
        raise TransitionNotAllowed(
            message
            % {
                "number": handover.number,
                "state": State(handover.state).label,
                "target": State(target).label,
            }
        )


def _next_number() -> str:
    return services.next_document_number(series=NUMBER_PREFIX, letters="YJ")


def _problem(asset: Asset, handover: Handover) -> str | None:
    """Why `asset` cannot be in `handover`, or None."""
    project = handover.project
    if asset.status == Asset.Status.RETIRED:
        return _("%(tag)s is retired and cannot be handed over.") % {"tag": asset.tag}
    if project is None:
        # A transfer (free transfer or internal): the sender owns the card, and owns it for
        # certain: a delegated-build card still with its builder goes by its project's handover.
        if asset.owner_department_id != handover.from_department_id:
            return _("%(tag)s is not owned by the sending department.") % {"tag": asset.tag}
        if not asset.ownership_clear:
            return _(
                "%(tag)s: its ownership is not confirmed; hand it over with its project first."
            ) % {"tag": asset.tag}
        return None
    if asset.project_id != project.pk:
        return _("%(tag)s does not belong to project %(project)s.") % {
            "tag": asset.tag,
            "project": project.code,
        }
    if asset.owner_department_id != handover.from_department_id:
        return _("%(tag)s is owned by %(owner)s, not by the builder %(builder)s.") % {
            "tag": asset.tag,
            "owner": asset.owner_department.code,
            "builder": handover.from_department.code,
        }
    return None


def _embedded_subtree(hosts: Iterable[Asset]) -> dict[int, list[Asset]]:
    """For each host, its live components embedded in it all the way down."""
    result: dict[int, list[Asset]] = {}
    for host in hosts:
        nodes = list(
            Asset.objects.filter(pk__in=[pk for pk, _ in selectors.asset_subtree_ids(asset=host)])
            .filter(install_mode=Asset.InstallMode.EMBEDDED)
            .exclude(status=Asset.Status.RETIRED)
            .select_related("owner_department")
        )
        by_parent: dict[int, list[Asset]] = {}
        for node in nodes:
            by_parent.setdefault(node.parent_id, []).append(node)
        found, frontier = [], [host.pk]
        while frontier:
            children = [c for pk in frontier for c in by_parent.get(pk, [])]
            found.extend(children)
            frontier = [c.pk for c in children]
        result[host.pk] = found
    return result


def _add_items(
    *, handover: Handover, assets: Sequence[Asset], exclude: Sequence[Asset]
) -> list[HandoverItem]:
    """Put `assets` and their embedded subtrees, minus `exclude`, into a new handover."""
    chosen = {asset.pk: asset for asset in assets}
    excluded = {asset.pk: asset for asset in exclude}
    subtree = _embedded_subtree(chosen.values())
    brought = {c.pk: c for components in subtree.values() for c in components}
    errors: list[str] = []
    for pk, asset in excluded.items():
        if pk not in brought:
            errors.append(
                _("%(tag)s is not a component brought along by a listed host.") % {"tag": asset.tag}
            )
        elif pk in chosen:
            errors.append(_("%(tag)s is both listed and excluded.") % {"tag": asset.tag})
    wanted: dict[int, tuple[Asset, bool]] = {}
    for pk, asset in chosen.items():
        wanted[pk] = (asset, False)
    for pk, asset in brought.items():
        if pk not in wanted and pk not in excluded:
            wanted[pk] = (asset, True)
    if not wanted and not errors:
        errors.append(_("Choose at least one asset."))
    locked = {
        card.pk: card
        for card in selectors.locked_cards(list(wanted), "owner_department", "project")
    }
    # Each card's problems together, in tag order: its own, then the open document holding it
    # (the per-card refusals a disposal case gives too); a component brought by its host says so.
    elsewhere = refusals.by_card(selectors.open_elsewhere(list(wanted), handover=handover))
    for pk, (_asset, with_host) in sorted(wanted.items(), key=lambda kv: kv[1][0].tag):
        asset = locked[pk]
        problem = _problem(asset, handover)
        problems = [problem] if problem else []
        problems += [str(refusal) for refusal in elsewhere.get(asset.tag, ())]
        for problem in problems:
            if with_host:
                problem = _("%(problem)s It sits in a listed host; exclude it on purpose.") % {
                    "problem": problem
                }
            errors.append(problem)
    if errors:
        raise ValidationError({"items": errors})
    try:
        with transaction.atomic():
            HandoverItem.objects.bulk_create(
                [
                    HandoverItem(handover=handover, asset=locked[pk], included_with_host=with_host)
                    for pk, (_a, with_host) in wanted.items()
                ]
            )
    except IntegrityError:
        # Another handover took one of the cards between our check and our insert.
        raise ValidationError(
            {"items": [_("One of the assets was just put into another open handover.")]}
        )
    return list(handover.items.select_related("asset"))


@dataclass(frozen=True)
class ArchiveLine:
    """A document handed over with the assets."""

    kind: str
    title: str
    reference: str = ""
    copies: int = 1


def _validate_archive(line: ArchiveLine) -> None:
    if line.kind not in HandoverArchive.Kind.values:
        raise ValidationError(
            {"archives": _("Unknown archive kind “%(kind)s”.") % {"kind": line.kind}}
        )
    if not (line.title or "").strip():
        raise ValidationError({"archives": _("Every archive needs a title.")})
    if line.copies is None or line.copies < 1:
        raise ValidationError({"archives": _("An archive has at least one copy.")})


def internal_transfer_refusal(*, from_department: Department, to_department: Department):
    """Why `from_department` may not hand cards to `to_department` without a project and
    without approval, or None (issue 17).

    The rule: a handover without a project is an internal transfer (内部调拨) inside one unit's
    tree — the receiver is in the same top-level department's tree as the sender (between the
    offices of the centre, or the centre and its bureau) — because the cards stay on the same
    unit's books and no approval is needed. Between units ownership moves only by a free
    transfer (无偿划转) disposal case, approved by the body its value requires (DESIGN.md
    invariant 10), whose execution opens the handover (`open_transfer_handover`).
    """
    if from_department.pk == to_department.pk:
        return _("The receiving department must differ from the sender.")
    if selectors.unit_root_id(from_department) != selectors.unit_root_id(to_department):
        return _(
            "%(to)s is not part of %(from)s’s unit: assets move to another unit only by a free "
            "transfer (无偿划转), through a disposal case with method “Free transfer” that is "
            "approved and executed (Disposals → New disposal case)."
        ) % {"to": to_department.name, "from": from_department.name}
    return None


def missing_receiver_refusal(*, handover: Handover) -> str | None:
    """Why an internal transfer may not be submitted to `handover.to_department`: nobody
    could decide it, because no receiver works in that department or above it
    (`permissions.handover_deciders`); or None. The refusal names the departments of the
    sender's unit that do have a receiver, and who that is. A handover is never rerouted:
    its receiving department is the party that takes ownership."""
    if permissions.handover_deciders(handover.to_department).exists():
        return None
    unit = sql.tree_ids(Department, selectors.unit_root_id(handover.from_department))
    ready = (
        permissions.handover_deciders(unit)
        .select_related("department")
        .order_by("department__code", "username")
    )
    who = formatting.text_list(f"{user.department.name}（{user}）" for user in ready)
    facts = {"to": handover.to_department.name, "ready": who}
    if who:
        return (
            _(
                "Nobody could decide this handover: %(to)s has no receiver (no account with the "
                "receiver role works in it or in a department above it). Ask an administrator "
                "to give someone of %(to)s the receiver role, or hand the cards to a department "
                "that has one: %(ready)s."
            )
            % facts
        )
    return (
        _(
            "Nobody could decide this handover: %(to)s has no receiver (no account with the "
            "receiver role works in it or in a department above it), nor does any department "
            "of your unit. Ask an administrator to give someone of %(to)s the receiver role."
        )
        % facts
    )


def internal_scope_problems(*, actor, assets: Sequence[Asset]) -> list[str]:
    """Each listed card of an internal transfer whose owner the actor may not send from
    (`permissions.can_prepare_handover`), named; the form shows them with its other problems."""
    allowed: dict[int, bool] = {}
    problems = []
    for asset in assets:
        owner = asset.owner_department
        if owner.pk not in allowed:
            allowed[owner.pk] = permissions.can_prepare_handover(
                actor, Handover(from_department=owner)
            )
        if not allowed[owner.pk]:
            problems.append(
                _("%(tag)s is owned by %(owner)s, outside your department scope.")
                % {"tag": asset.tag, "owner": owner.name}
            )
    return problems


def _internal_sender(*, actor, assets: Sequence[Asset], to_department: Department | None):
    """The sending department of an internal transfer: the owner of the listed cards."""
    if not assets:
        raise ValidationError({"items": [_("Choose at least one asset.")]})
    if to_department is None:
        raise ValidationError(
            {
                "to_department": _(
                    "A handover without a project is an internal transfer: name the receiving "
                    "department."
                )
            }
        )
    problems = internal_scope_problems(actor=actor, assets=assets)
    if problems:
        raise ValidationError({"items": problems})
    sender = assets[0].owner_department
    refusal = internal_transfer_refusal(from_department=sender, to_department=to_department)
    if refusal:
        raise ValidationError({"to_department": refusal})
    return sender


def project_receiver_ids(project) -> set[int]:
    """The departments a delegated-build project's handover may go to: its owning department
    and that department's offices. `create_handover` refuses others; the form offers only
    these (walk 5.3)."""
    return set(sql.tree_ids(Department, project.owner_department_id))


@transaction.atomic
def create_handover(
    *,
    actor,
    project: DelegatedProject | None,
    assets: Sequence[Asset],
    to_department: Department | None = None,
    exclude: Sequence[Asset] = (),
    note: str = "",
    archives: Sequence[ArchiveLine] = (),
) -> Handover:
    """Open a draft handover (移交单) from the project's builder to its owning department.

    Without a `project` it is an internal transfer (内部调拨) of the sender's own cards to
    `to_department` inside the same unit's tree (`internal_transfer_refusal` says when; to
    another unit: a transfer disposal case). The sender is the listed cards' owner.
    Each listed host brings its embedded components along unless they are in `exclude`.
    Every card must belong to the project (internal transfer: be owned by the sender with its
    ownership confirmed), be owned by the builder, be live, and be in no other open handover or
    disposal case; the refusal names each card. Only the sender's clerks and admins open one
    (`permissions.require_handover_preparer`). Submit, the item-by-item decision, the
    certificate and the reminders are the same for both.
    """
    if project is None:
        from_department = _internal_sender(actor=actor, assets=assets, to_department=to_department)
    else:
        project = selectors.locked(project)
        to_department = to_department or project.owner_department
        if to_department.pk not in project_receiver_ids(project):
            raise ValidationError(
                {
                    "to_department": _(
                        "The receiving department must be the project's owner %(owner)s or one "
                        "of its offices."
                    )
                    % {"owner": project.owner_department.code}
                }
            )
        from_department = project.builder_department
    handover = Handover(
        project=project,
        from_department=from_department,
        to_department=to_department,
        note=(note or "").strip(),
        created_by=actor,
    )
    permissions.require_handover_preparer(actor, handover)
    for line in archives:
        _validate_archive(line)
    handover.number = _next_number()
    handover.save()
    _add_items(handover=handover, assets=assets, exclude=exclude)
    for line in archives:
        HandoverArchive.objects.create(
            handover=handover,
            kind=line.kind,
            title=line.title.strip(),
            reference=(line.reference or "").strip(),
            copies=line.copies,
        )
    return handover


@transaction.atomic
def open_transfer_handover(
    *,
    actor,
    from_department: Department,
    to_department: Department,
    assets: Sequence[Asset],
    note: str = "",
    disposal=None,
) -> Handover:
    """Open and submit a free-transfer handover (无偿划转, no project) of `assets` to
    `to_department`, as executing an approved transfer disposal case does (the case is the
    approval; `assets.disposals.services.execute_disposal` calls this in its transaction).

    Each card gets a `handover_submitted` event; the receivers then decide item by item exactly
    as for a delegated-build handover, and ownership moves only on acceptance."""
    if from_department.pk == to_department.pk:
        raise ValidationError(
            {"to_department": _("The receiving department must differ from the sender.")}
        )
    handover = Handover(
        project=None,
        from_department=from_department,
        to_department=to_department,
        note=(note or "").strip(),
        created_by=actor,
    )
    permissions.require_handover_preparer(actor, handover)
    handover.number = _next_number()
    handover.save()
    errors = [p for p in (_problem(asset, handover) for asset in assets) if p]
    if errors:
        raise ValidationError({"items": errors})
    try:
        with transaction.atomic():
            HandoverItem.objects.bulk_create(
                [HandoverItem(handover=handover, asset=asset) for asset in assets],
                batch_size=2000,
            )
    except IntegrityError:
        raise ValidationError(
            {"items": [_("One of the assets was just put into another open handover.")]}
        )
    _guard(handover, State.SUBMITTED)
    handover.state = State.SUBMITTED
    handover.submitted_at = timezone.now()
    handover.submitted_by = actor
    handover.save(update_fields=["state", "submitted_at", "submitted_by"])
    note = _("Submitted to %(to)s for acceptance.") % {"to": to_department.name}
    ids = [asset.pk for asset in assets]
    for start in range(0, len(ids), 2000):
        history.record_events(
            assets=Asset.objects.filter(pk__in=ids[start : start + 2000]),
            actor=actor,
            kind=AssetEvent.Kind.HANDOVER_SUBMITTED,
            changes={"handover": (None, handover.number)},
            note=note,
            handover=handover,
            disposal=disposal,
        )
    return handover


@transaction.atomic
def add_handover_archive(*, handover: Handover, actor, line: ArchiveLine) -> HandoverArchive:
    """List one more document handed over (drafts and submitted handovers)."""
    handover = selectors.locked(handover, *HANDOVER_RELATED)
    permissions.require_handover_preparer(actor, handover)
    if handover.state not in OPEN_STATES:
        raise TransitionNotAllowed(
            _("Archives are listed before the decision."), code="handover_closed"
        )
    _validate_archive(line)
    return HandoverArchive.objects.create(
        handover=handover,
        kind=line.kind,
        title=line.title.strip(),
        reference=(line.reference or "").strip(),
        copies=line.copies,
    )


def _locked_items(handover: Handover) -> list[HandoverItem]:
    items = list(
        HandoverItem.objects.select_for_update()
        .filter(handover=handover)
        .select_related("asset", "asset__owner_department")
        .order_by("asset__tag")
    )
    return items


@transaction.atomic
def submit_handover(*, handover: Handover, actor) -> Handover:
    """Send a draft to the receiving department; each card gets a `handover_submitted` event.

    The builder's side only (`permissions.require_handover_preparer`)."""
    handover = selectors.locked(handover, *HANDOVER_RELATED)
    permissions.require_handover_preparer(actor, handover)
    _guard(handover, State.SUBMITTED)
    items = _locked_items(handover)
    if not items:
        raise ValidationError({"items": [_("An empty handover cannot be submitted.")]})
    if handover.is_internal_transfer:
        # An internal transfer names any office of the unit: one nobody could decide would
        # hold its cards for ever (a project's owner is set up with its receiver; a free
        # transfer's receiving unit was named by the approved disposal case).
        refusal = missing_receiver_refusal(handover=handover)
        if refusal:
            raise ValidationError({"to_department": refusal})
    errors = [p for p in (_problem(item.asset, handover) for item in items) if p]
    if errors:
        raise ValidationError({"items": errors})
    handover.state = State.SUBMITTED
    handover.submitted_at = timezone.now()
    handover.submitted_by = actor
    handover.save(update_fields=["state", "submitted_at", "submitted_by"])
    for item in items:
        history.record_event(
            asset=item.asset,
            actor=actor,
            kind=AssetEvent.Kind.HANDOVER_SUBMITTED,
            changes={"handover": [None, handover.number]},
            note_code="handover_submitted",
            note_params={"to": handover.to_department.name},
            handover=handover,
        )
    _announce("submitted", handover)
    return handover


@transaction.atomic
def withdraw_handover(*, handover: Handover, actor, reason: str = "") -> Handover:
    """The builder takes a handover back before the decision; its cards are free again."""
    handover = selectors.locked(handover, *HANDOVER_RELATED)
    permissions.require_handover_preparer(actor, handover)
    _guard(handover, State.WITHDRAWN)
    items = _locked_items(handover)
    handover.state = State.WITHDRAWN
    handover.withdrawn_at = timezone.now()
    if reason.strip():
        handover.note = "\n".join(filter(None, [handover.note, reason.strip()]))
    handover.save(update_fields=["state", "withdrawn_at", "note"])
    HandoverItem.objects.filter(handover=handover).update(is_open=False)
    for item in items:
        history.record_event(
            asset=item.asset,
            actor=actor,
            kind=AssetEvent.Kind.HANDOVER_WITHDRAWN,
            changes={"handover": [handover.number, None]},
            note=reason.strip(),
            handover=handover,
        )
    return handover


@dataclass(frozen=True)
class ItemDecision:
    """The receiver's result for one card, plus where it goes when accepted."""

    tag: str
    result: str
    reason: str = ""
    using_department: Department | None = None
    custodian: str | None = None
    location: Location | None = None


def _check_decisions(
    items: list[HandoverItem], decisions: Sequence[ItemDecision]
) -> dict[str, ItemDecision]:
    by_tag = {item.asset.tag: item for item in items}
    chosen: dict[str, ItemDecision] = {}
    errors: list[str] = []
    for decision in decisions:
        tag = tags.normalise(decision.tag or "")
        if tag not in by_tag:
            errors.append(_("%(tag)s is not in this handover.") % {"tag": tag or "-"})
            continue
        if tag in chosen:
            errors.append(_("%(tag)s has more than one result.") % {"tag": tag})
            continue
        if decision.result not in (Result.ACCEPTED, Result.REJECTED):
            errors.append(_("%(tag)s: choose accepted or rejected.") % {"tag": tag})
        elif decision.result == Result.REJECTED and not (decision.reason or "").strip():
            errors.append(_("%(tag)s: give the reason for rejecting it.") % {"tag": tag})
        elif (
            decision.result == Result.ACCEPTED
            and decision.location is not None
            and by_tag[tag].asset.install_mode == Asset.InstallMode.EMBEDDED
        ):
            errors.append(
                _("%(tag)s is embedded and goes where its host goes; give no location.")
                % {"tag": tag}
            )
        chosen[tag] = decision
    blank = [tag for tag in by_tag if tag not in chosen]
    if blank:
        errors.append(
            _("No result for %(tags)s: every item needs an explicit result.")
            % {"tags": formatting.text_list(blank)}
        )
    if not errors:
        for item in items:
            parent = item.asset.parent_id
            host = next((i for i in items if i.asset_id == parent), None)
            if (
                item.included_with_host
                and host is not None
                and chosen[item.asset.tag].result == Result.ACCEPTED
                and chosen[host.asset.tag].result == Result.REJECTED
            ):
                errors.append(
                    _("%(tag)s sits in %(host)s, which is rejected; reject it too.")
                    % {"tag": item.asset.tag, "host": host.asset.tag}
                )
    if errors:
        raise ValidationError({"items": errors})
    return chosen


def _check_placements(handover: Handover, chosen: dict[str, ItemDecision]) -> None:
    """The receiver places accepted cards only inside the receiving department's tree: a using
    department of it or its sub-departments, a location they are responsible for. Otherwise a
    receiver could hand the cards on to a third bureau, whose clerks would then see and change
    them (issue 15.5)."""
    accepted = [
        (tag, decision)
        for tag, decision in chosen.items()
        if decision.result == Result.ACCEPTED
        and (decision.using_department is not None or decision.location is not None)
    ]
    if not accepted:
        return
    receiver = handover.to_department
    department_ids = permissions.receiving_department_ids(handover)
    location_ids = (
        permissions.location_tree_ids(department_ids)
        if any(decision.location is not None for _tag, decision in accepted)
        else set()
    )
    errors: dict[str, list[str]] = {}
    for tag, decision in accepted:
        department = decision.using_department
        if department is not None and department.pk not in department_ids:
            errors.setdefault("using_department", []).append(
                _("%(tag)s: %(department)s is neither %(receiver)s nor one of its sub-departments.")
                % {"tag": tag, "department": department.name, "receiver": receiver.name}
            )
        location = decision.location
        if location is not None and location.pk not in location_ids:
            errors.setdefault("location", []).append(
                _("%(tag)s: location %(code)s is not one of %(receiver)s’s locations.")
                % {"tag": tag, "code": location.code, "receiver": receiver.name}
            )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def decide_handover(
    *, handover: Handover, actor, decisions: Sequence[ItemDecision], comment: str = ""
) -> Handover:
    """Record the receiver's decision; all or nothing (DESIGN.md invariant 6).

    Refused unless every item has an explicit result (accepted, or rejected with a reason).
    Accepted cards get the receiving department as owner and managing department, and as using
    department unless the receiver names one of its tree (custodian and location where given),
    and `ownership_confirmed`; rejected cards stay with the builder
    with `ownership_confirmed` off (权属待确认). Each card gets an event naming the handover.
    The certificate is rendered and stored once, here. Two receivers at once: the second waits
    for the handover row and then finds it decided (409). Only receivers of the receiving
    department decide (`permissions.require_handover_decider`); they place what they accept.
    """
    handover = selectors.locked(handover, *HANDOVER_RELATED)
    permissions.require_handover_decider(actor, handover)
    _guard(handover, State.ACCEPTED)
    items = _locked_items(handover)
    chosen = _check_decisions(items, decisions)
    _check_placements(handover, chosen)
    receiver = handover.to_department
    receiving_tree = permissions.receiving_department_ids(handover)
    accepted = rejected = 0
    for item in items:
        decision = chosen[item.asset.tag]
        asset = item.asset
        if decision.result == Result.ACCEPTED:
            accepted += 1
            changes: dict[str, list] = {}
            updates = {
                "owner_department": receiver,
                "ownership_confirmed": True,
            }
            # Management passes with ownership (DOMAIN.md §6): a managing or using department
            # left with the sender kept the cards in the sender's scope, whose clerks went on
            # changing another unit's cards (walk 4.3). The receiver's using department wins;
            # one already inside the receiving tree stays.
            if asset.managing_department_id not in receiving_tree:
                updates["managing_department"] = receiver
            if decision.using_department is not None:
                updates["using_department"] = decision.using_department
            elif (
                asset.using_department_id is not None
                and asset.using_department_id not in receiving_tree
            ):
                updates["using_department"] = receiver
            if decision.custodian is not None and decision.custodian.strip():
                updates["custodian"] = decision.custodian.strip()
            for name, value in updates.items():
                before = getattr(asset, name)
                if before != value:
                    changes[name] = [before, value]
                    setattr(asset, name, value)
            # Only these fields: a host moved below may have moved this card's location.
            asset.save(update_fields=[*updates, "updated_at"])
            history.record_event(
                asset=asset,
                actor=actor,
                kind=AssetEvent.Kind.HANDOVER_ACCEPTED,
                changes=changes,
                note_code="handover_accepted",
                note_params={"number": handover.number},
                handover=handover,
            )
            if decision.location is not None:
                services.move_asset(
                    asset=asset,
                    actor=actor,
                    location=decision.location,
                    note_code="handover_placed",
                    note_params={"number": handover.number},
                    handover=handover,
                )
            item.new_using_department = decision.using_department
            item.new_custodian = (decision.custodian or "").strip()
            item.new_location = decision.location
            item.reason = (decision.reason or "").strip()
        else:
            rejected += 1
            changes = {}
            # A rejected transfer item stays with its sender as it was; a rejected 代建 item's
            # ownership is open until the builder and owner settle it.
            if asset.ownership_confirmed and handover.project_id is not None:
                changes["ownership_confirmed"] = [True, False]
                asset.ownership_confirmed = False
                asset.save(update_fields=["ownership_confirmed", "updated_at"])
            item.reason = decision.reason.strip()
            history.record_event(
                asset=asset,
                actor=actor,
                kind=AssetEvent.Kind.HANDOVER_REJECTED,
                changes=changes,
                note=item.reason,
                handover=handover,
            )
        item.result = decision.result
        item.is_open = False
        item.save(
            update_fields=[
                "result",
                "reason",
                "is_open",
                "new_using_department",
                "new_custodian",
                "new_location",
            ]
        )
    if rejected == 0:
        target = State.ACCEPTED
    elif accepted == 0:
        target = State.REJECTED
    else:
        target = State.PARTIALLY_ACCEPTED
    _guard(handover, target)
    handover.state = target
    handover.decided_at = timezone.now()
    handover.decided_by = actor
    handover.decision_comment = (comment or "").strip()
    handover.save(update_fields=["state", "decided_at", "decided_by", "decision_comment"])
    _store_certificate(handover)
    _announce("decided", handover)
    return handover


def _store_certificate(handover: Handover) -> None:
    """Render the certificate once and keep its bytes and SHA-256; it is never regenerated."""
    from assets.handovers.certificate import render_certificate

    relative, digest = documents.store_pdf(
        folder="handovers", number=handover.number, content=render_certificate(handover)
    )
    handover.certificate_file = relative
    handover.certificate_sha256 = digest
    handover.save(update_fields=["certificate_file", "certificate_sha256"])
