"""Reads of reconciliations shared by the API, the pages and the finance office's task list."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from assets import permissions
from assets.reconciliations.models import (
    FinanceRow,
    Reconciliation,
    ReconciliationDifference,
)

MATCHED = "matched"
RESULTS = (MATCHED, *ReconciliationDifference.Kind.values)


def reconciliations_visible_to(*, user) -> QuerySet:
    return permissions.visible_reconciliations(user).select_related("created_by", "department")


def differences_visible_to(*, user, filters: dict | None = None) -> QuerySet:
    """The differences of the reconciliations `user` reads, filtered by `reconciliation` (id),
    `kind` and `state`, oldest row first."""
    filters = filters or {}
    queryset = ReconciliationDifference.objects.filter(
        reconciliation__in=permissions.visible_reconciliations(user).values("pk")
    ).select_related("asset", "finance_row")
    if filters.get("reconciliation"):
        queryset = queryset.filter(reconciliation_id=filters["reconciliation"])
    if filters.get("kind"):
        queryset = queryset.filter(kind=filters["kind"])
    if filters.get("state"):
        queryset = queryset.filter(state=filters["state"])
    return queryset.order_by("reconciliation_id", "kind", "id")


def matched_rows(*, reconciliation: Reconciliation) -> QuerySet:
    """Finance rows matched to a card with no difference (账账相符 for that card)."""
    differs = ReconciliationDifference.objects.filter(finance_row=OuterRef("pk"))
    return (
        FinanceRow.objects.filter(reconciliation=reconciliation, asset__isnull=False)
        .exclude(Exists(differs))
        .select_related("asset")
        .order_by("row_number")
    )


def finance_tasks(*, reconciliation: Reconciliation) -> QuerySet:
    """The finance office's task list: differences approved or posted for the finance books."""
    return (
        ReconciliationDifference.objects.filter(
            reconciliation=reconciliation,
            treatment=ReconciliationDifference.Treatment.FINANCE,
            state__in=[
                ReconciliationDifference.State.APPROVED,
                ReconciliationDifference.State.POSTED,
            ],
        )
        .select_related("asset", "finance_row")
        .order_by("kind", "id")
    )


def counts_of(reconciliation: Reconciliation) -> dict[str, int]:
    return {
        MATCHED: reconciliation.matched_count,
        **{
            kind: getattr(reconciliation, f"{kind}_count")
            for kind in ReconciliationDifference.Kind.values
        },
    }
