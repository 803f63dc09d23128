"""Read queries about delegated-build projects and handovers (pages, API, reminders)."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from assets import permissions
from assets import selectors as asset_selectors
from assets.handovers.services import add_months
from assets.models import (
    Asset,
    AssetEvent,
    DelegatedProject,
    DisposalCase,
    DisposalItem,
    Handover,
    HandoverItem,
)

HANDOVER_RELATED = ("project", "from_department", "to_department", "created_by", "decided_by")


def projects_visible_to(*, user) -> QuerySet:
    return (
        permissions.visible_projects(user)
        .select_related("builder_department", "owner_department")
        .order_by("code")
    )


def handovers_visible_to(*, user, state: str | None = None) -> QuerySet:
    """Handovers `user` may read, with item counts and total value annotated."""
    queryset = (
        permissions.visible_handovers(user)
        .select_related(*HANDOVER_RELATED)
        .annotate(
            item_count=Count("items", distinct=True),
            total_value=Sum("items__asset__original_value"),
            opened_by_disposal=Exists(DisposalCase.objects.filter(handover=OuterRef("pk"))),
        )
        .order_by("-created_at", "-id")
    )
    if state:
        queryset = queryset.filter(state=state)
    return queryset


def receiver_inbox(*, user) -> QuerySet:
    """Submitted handovers waiting for a decision by `user`'s department."""
    return permissions.decidable_handovers(
        user, handovers_visible_to(user=user, state=Handover.State.SUBMITTED)
    )


def handover_items(*, handover: Handover) -> QuerySet:
    return (
        HandoverItem.objects.filter(handover=handover)
        .select_related(
            "asset",
            "asset__parent",
            "asset__category",
            "asset__location",
            "new_using_department",
            "new_location",
        )
        .order_by("asset__tag")
    )


def handover_timeline(*, handover: Handover) -> list[dict]:
    """What happened to the handover, oldest first: created, submitted, decided or withdrawn."""
    steps = [
        {"at": handover.created_at, "what": "created", "who": handover.created_by},
        {"at": handover.submitted_at, "what": "submitted", "who": handover.submitted_by},
        {"at": handover.decided_at, "what": handover.state, "who": handover.decided_by},
        {"at": handover.withdrawn_at, "what": "withdrawn", "who": None},
    ]
    return sorted((s for s in steps if s["at"] is not None), key=lambda s: s["at"])


def handover_events(*, handover: Handover) -> QuerySet:
    """Card events that reference the handover, newest first."""
    return (
        AssetEvent.objects.filter(handover=handover)
        .select_related("asset", "actor")
        .order_by("-at", "-id")
    )


def eligible_assets(*, project: DelegatedProject) -> QuerySet:
    """The project's live cards still with the builder and in no open handover."""
    open_item = HandoverItem.objects.filter(asset=OuterRef("pk"), is_open=True)
    return (
        Asset.objects.filter(project=project, owner_department=project.builder_department_id)
        .exclude(status=Asset.Status.RETIRED)
        .exclude(Exists(open_item))
        .select_related("parent", "category")
        .order_by("tag")
    )


def transferable_assets(*, department, q: str = "") -> QuerySet:
    """The cards an internal transfer from `department` may list (the rule `services._problem`
    keeps for a transfer): live, owned by it for certain (ownership confirmed, not a
    delegated-build card still with its builder), in no open handover or disposal case; `q`
    searches them as the register's search does."""
    open_item = HandoverItem.objects.filter(asset=OuterRef("pk"), is_open=True)
    open_case = DisposalItem.objects.filter(asset=OuterRef("pk"), is_open=True)
    queryset = (
        Asset.objects.filter(owner_department=department, ownership_confirmed=True)
        .exclude(status=Asset.Status.RETIRED)
        .exclude(project__builder_department=F("owner_department"))
        .exclude(Exists(open_item))
        .exclude(Exists(open_case))
        .select_related("parent", "category")
        .order_by("tag")
    )
    return asset_selectors.filter_assets(queryset, {"q": q})


def provisional_assets(*, project: DelegatedProject) -> QuerySet:
    """Cards of the project still at 暂估, to revalue once the final accounts are approved."""
    return (
        Asset.objects.filter(project=project, value_type=Asset.ValueType.PROVISIONAL)
        .exclude(status=Asset.Status.RETIRED)
        .order_by("tag")
    )


def overdue_handover_projects(*, user, today: date | None = None) -> QuerySet:
    """Projects past `handover_due_on` whose builder still owns live cards of them."""
    today = today or timezone.localdate()
    with_builder = Asset.objects.filter(
        project=OuterRef("pk"), owner_department=OuterRef("builder_department")
    ).exclude(status=Asset.Status.RETIRED)
    return (
        projects_visible_to(user=user)
        .filter(handover_due_on__lt=today)
        .annotate(
            builder_assets=Count(
                "assets",
                filter=Q(assets__owner_department=F("builder_department"))
                & ~Q(assets__status=Asset.Status.RETIRED),
            )
        )
        .filter(Exists(with_builder))
        .order_by("handover_due_on", "code")
    )


def final_accounts_overdue_projects(*, user, today: date | None = None) -> QuerySet:
    """Projects accepted more than a year ago whose final accounts (决算) are not approved."""
    today = today or timezone.localdate()
    return (
        projects_visible_to(user=user)
        .filter(accepted_on__isnull=False, accepted_on__lt=add_months(today, -12))
        .exclude(final_accounts_state=DelegatedProject.FinalAccountsState.APPROVED)
        .order_by("accepted_on", "code")
    )


def opening_cases(*, handover: Handover, user) -> list[dict]:
    """The disposal cases whose execution opened this free transfer (无偿划转), each with
    whether `user` may open it: the handover pages link a case only for a reader of it."""
    cases = list(handover.disposal_cases.order_by("number"))
    if not cases:
        return []
    if not permissions.reads_disposals(user):  # the disposal pages answer 403 to this role
        return [{"number": case.number, "may_open": False} for case in cases]
    readable = set(
        permissions.visible_disposals(
            user, handover.disposal_cases.filter(pk__in=[case.pk for case in cases])
        ).values_list("pk", flat=True)
    )
    return [{"number": case.number, "may_open": case.pk in readable} for case in cases]
