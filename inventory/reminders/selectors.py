"""Read queries of the reminder jobs: who must act on what, across the whole register.

These are system reads (no user scope): a job looks at every department, then addresses each
reminder to the people whose scope it concerns.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from assets import permissions
from assets.handovers.services import add_months
from assets.models import Asset, DelegatedProject, Department, Handover, HandoverItem, User
from inventory.models import OPEN_RESULTS, CounterAssignment, StocktakeCampaign, StocktakeLine
from inventory.permissions import counter_line_q
from labels.models import Label

LIVE = ~Q(status__in=[Asset.Status.RETIRED, Asset.Status.DRAFT])


def _users_with_role(role: str) -> QuerySet:
    return User.objects.filter(is_active=True, groups__name=role).distinct()


def role_holders(department: Department, role: str) -> list[User]:
    """Users with `role` in `department`; when it has none, those of the nearest ancestor that
    has some (whose scope covers the department)."""
    chain = [department.pk] + [
        node.pk for node in reversed(list(Department.objects.ancestors(department)))
    ]
    for department_id in chain:
        users = list(_users_with_role(role).filter(department_id=department_id).order_by("pk"))
        if users:
            return users
    return []


def head_of(department: Department) -> User | None:
    """The department's head, or the nearest ancestor's head when it has none."""
    for node in [department, *reversed(list(Department.objects.ancestors(department)))]:
        if node.head_id and node.head.is_active:
            return node.head
    return None


# Stocktakes


def active_campaigns() -> QuerySet:
    return StocktakeCampaign.objects.filter(state=StocktakeCampaign.State.ACTIVE).order_by("pk")


def _scope_department_ids(campaign: StocktakeCampaign) -> set[int] | None:
    """Departments a campaign covers (with sub-departments); None means the whole register."""
    roots = list(campaign.departments.values_list("pk", flat=True))
    if not roots:
        return None
    ids: set[int] = set()
    for root in roots:
        ids |= set(
            Department.objects.descendants(root, include_self=True).values_list("pk", flat=True)
        )
    return ids


def campaign_counters(campaign: StocktakeCampaign) -> list[User]:
    """The campaign's named counters, or else the clerks of the in-scope departments."""
    assigned = CounterAssignment.objects.filter(campaign=campaign).values("counter")
    if assigned.exists():
        return list(User.objects.filter(pk__in=assigned, is_active=True).order_by("pk"))
    clerks = _users_with_role(permissions.CLERK).filter(department__isnull=False)
    scope = _scope_department_ids(campaign)
    if scope is not None:
        clerks = clerks.filter(department__in=scope)
    return list(clerks.order_by("pk"))


def pending_lines(campaign: StocktakeCampaign, counter: User | None = None) -> QuerySet:
    """Book lines still to count (in the counter's share when one is given), by location."""
    lines = StocktakeLine.objects.filter(
        campaign=campaign, kind=StocktakeLine.Kind.BOOK, result__in=list(OPEN_RESULTS)
    )
    if counter is not None:
        condition = counter_line_q(counter, campaign)
        if condition is not None:
            lines = lines.filter(condition)
    return lines.select_related("location").order_by("location__code", "tag")


def department_progress(campaign: StocktakeCampaign) -> list[dict]:
    """Book lines, done and pending per line department: one grouped query."""
    rows = (
        StocktakeLine.objects.filter(
            campaign=campaign, kind=StocktakeLine.Kind.BOOK, department__isnull=False
        )
        .values("department")
        .annotate(
            total=Count("id"),
            pending=Count("id", filter=Q(result__in=list(OPEN_RESULTS))),
        )
        .order_by("department")
    )
    departments = Department.objects.in_bulk([row["department"] for row in rows])
    return [
        {
            "department": departments[row["department"]],
            "total": row["total"],
            "pending": row["pending"],
            "done": row["total"] - row["pending"],
        }
        for row in rows
    ]


def departments_without_campaign(*, year: int) -> list[Department]:
    """Active departments owning live cards that no started campaign of `year` covers."""
    started = StocktakeCampaign.objects.filter(year=year).exclude(
        state=StocktakeCampaign.State.DRAFT
    )
    covered: set[int] = set()
    for campaign in started.prefetch_related("departments"):
        scope = _scope_department_ids(campaign)
        if scope is None:
            return []
        covered |= scope
    owning = Asset.objects.filter(LIVE, owner_department=OuterRef("pk"))
    return list(
        Department.objects.filter(is_active=True)
        .filter(Exists(owning))
        .exclude(pk__in=covered)
        .order_by("code")
    )


# Handovers and delegated-build projects


def undecided_handovers(*, submitted_before: datetime) -> QuerySet:
    """Submitted handovers still waiting for the receiver's decision."""
    return (
        Handover.objects.filter(state=Handover.State.SUBMITTED, submitted_at__lte=submitted_before)
        .select_related("project", "to_department", "from_department")
        .annotate(
            item_count=Count("items"),
            pending_count=Count("items", filter=Q(items__result=HandoverItem.Result.PENDING)),
        )
        .order_by("submitted_at", "pk")
    )


def overdue_handover_projects(*, today: date) -> QuerySet:
    """Projects past `handover_due_on` whose builder still owns live cards of them."""
    with_builder = Asset.objects.filter(
        LIVE, project=OuterRef("pk"), owner_department=OuterRef("builder_department")
    )
    return (
        DelegatedProject.objects.filter(handover_due_on__lt=today)
        .filter(Exists(with_builder))
        .select_related("builder_department", "owner_department")
        .order_by("handover_due_on", "code")
    )


def builder_assets(project: DelegatedProject) -> QuerySet:
    return Asset.objects.filter(
        LIVE, project=project, owner_department=F("project__builder_department")
    ).order_by("tag")


def final_accounts_overdue_projects(*, today: date) -> QuerySet:
    """Projects accepted more than a year ago whose final accounts (决算) are not approved."""
    return (
        DelegatedProject.objects.filter(
            accepted_on__isnull=False, accepted_on__lt=add_months(today, -12)
        )
        .exclude(final_accounts_state=DelegatedProject.FinalAccountsState.APPROVED)
        .select_related("builder_department")
        .order_by("accepted_on", "code")
    )


# 一物一卡 compliance


def _has_active_label() -> Exists:
    return Exists(
        Label.objects.filter(
            asset=OuterRef("pk"), superseded_at__isnull=True, voided_at__isnull=True
        )
    )


def unlabelled_assets() -> QuerySet:
    """Live cards that should carry a printed label (own label, or one kept with the paper
    card) and have no active one. Embedded devices with the default own-label strategy are
    reported by `embedded_without_strategy` instead."""
    embedded_default = Q(install_mode=Asset.InstallMode.EMBEDDED) & Q(
        label_mode=Asset.LabelMode.OWN_LABEL
    )
    return (
        Asset.objects.filter(LIVE)
        .filter(label_mode__in=[Asset.LabelMode.OWN_LABEL, Asset.LabelMode.CARD_LABEL])
        .exclude(embedded_default)
        .exclude(_has_active_label())
    )


def embedded_without_strategy() -> QuerySet:
    """Embedded devices nobody decided how to identify: still on the default own label with
    none printed, or 'listed on the host' with no host."""
    return (
        Asset.objects.filter(LIVE, install_mode=Asset.InstallMode.EMBEDDED)
        .filter(
            (Q(label_mode=Asset.LabelMode.OWN_LABEL) & ~_has_active_label())
            | Q(label_mode=Asset.LabelMode.HOST_LABEL, parent__isnull=True)
        )
        .order_by("tag")
    )


def by_department(assets: QuerySet) -> dict[int, list[Asset]]:
    grouped: dict[int, list[Asset]] = {}
    for asset in assets.order_by("owner_department", "tag"):
        grouped.setdefault(asset.owner_department_id, []).append(asset)
    return grouped


def start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def days_ago(today: date, days: int) -> datetime:
    """The end of the day `days` before `today` (a submission that day counts as `days` old)."""
    return timezone.make_aware(datetime.combine(today - timedelta(days=days), time.max))


def departments(ids: Iterable[int]) -> dict[int, Department]:
    return Department.objects.in_bulk(list(ids))


# Disposal cases (issue 17)


def disposals_waiting(*, state: str, since: datetime) -> QuerySet:
    """Cases submitted (waiting for approval) or approved (waiting for execution) at or before
    `since`, with their item count."""
    from assets.models import DisposalCase

    moved = "submitted_at" if state == DisposalCase.State.SUBMITTED else "decided_at"
    return (
        DisposalCase.objects.filter(state=state, **{f"{moved}__lte": since})
        .select_related("department", "created_by", "submitted_by")
        .annotate(item_count=Count("items"))
        .order_by(moved, "pk")
    )
