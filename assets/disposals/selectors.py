"""Read queries about disposal cases (pages, API, the application form)."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from assets import permissions
from assets.models import DisposalCase, DisposalItem

CASE_RELATED = (
    "department",
    "to_department",
    "created_by",
    "submitted_by",
    "decided_by",
    "executed_by",
    "handover",
)


def valid_year(text: str) -> bool:
    """Whether `text` is a year the `year` filter takes (a date the database can hold)."""
    return text.isdigit() and 1900 <= int(text) <= 9999


def disposals_visible_to(*, user, filters: dict | None = None) -> QuerySet:
    """Cases `user` may read, with their item count, filtered by state, method, department
    (code) and year (of creation)."""
    filters = filters or {}
    queryset = (
        permissions.visible_disposals(user)
        .select_related(*CASE_RELATED)
        .annotate(item_count=Count("items"))
        .order_by("-created_at", "-id")
    )
    if filters.get("state"):
        queryset = queryset.filter(state=filters["state"])
    if filters.get("method"):
        queryset = queryset.filter(method=filters["method"])
    if filters.get("department"):
        queryset = queryset.filter(department__code=filters["department"])
    if filters.get("year") and valid_year(str(filters["year"])):
        queryset = queryset.filter(created_at__year=filters["year"])
    return queryset


def approver_inbox(*, user) -> QuerySet:
    """Submitted cases waiting for `user`'s approval (their role is the case's tier's)."""
    return permissions.approvable_disposals(user, disposals_visible_to(user=user))


def disposal_items(*, case: DisposalCase) -> QuerySet:
    return (
        DisposalItem.objects.filter(case=case)
        .select_related("asset", "asset__category", "asset__parent")
        .order_by("asset__tag")
    )


def open_cases_of(*, asset_ids) -> dict[int, DisposalCase]:
    """{card id: the open case holding it} for those of `asset_ids` in one (one per card)."""
    items = DisposalItem.objects.filter(asset_id__in=list(asset_ids), is_open=True).select_related(
        "case"
    )
    return {item.asset_id: item.case for item in items}
