"""Custody reads shared by the "my assets" page, the API, the card page and reminders."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from assets import permissions
from assets.models import Asset, CustodyRecord, HoldingConfirmation


def open_records() -> QuerySet:
    return CustodyRecord.objects.filter(state=CustodyRecord.State.OPEN)


def overdue_records(*, user, today=None) -> QuerySet:
    """Open check-outs and loans past their due date, on cards `user` reads: the dashboard's
    counter and the upkeep page's list (one rule)."""
    return (
        open_records()
        .filter(
            due_on__lt=today or timezone.localdate(),
            asset__in=permissions.visible_assets(user).values("pk"),
        )
        .select_related("asset", "holder")
        .order_by("due_on", "asset__tag")
    )


def held_by(*, user, year: int | None = None) -> QuerySet:
    """The live cards `user` holds, each with `open_custody` (a one-item list: the open
    check-out, if any) and `held_confirmed` (confirmed for `year`'s count)."""
    year = year or timezone.localdate().year
    return (
        permissions.held_assets(user)
        .select_related("location", "category", "owner_department")
        .prefetch_related(
            Prefetch(
                "custody_records",
                queryset=open_records().select_related("holder"),
                to_attr="open_custody",
            )
        )
        .annotate(
            held_confirmed=Exists(
                HoldingConfirmation.objects.filter(asset=OuterRef("pk"), holder=user.pk, year=year)
            )
        )
        .order_by("tag")
    )


def held_by_leavers(*, user) -> QuerySet:
    """The live cards still held (`custodian_user`) by deactivated users, of those `user` may
    change: the clerk's list of cards to check in or reassign, with their open check-out."""
    return (
        permissions.changeable_assets(user)
        .filter(custodian_user__is_active=False)
        .exclude(status=Asset.Status.RETIRED)
        .select_related("custodian_user", "owner_department", "location")
        .prefetch_related(
            Prefetch("custody_records", queryset=open_records(), to_attr="open_custody")
        )
        .order_by("custodian_user__username", "tag")
    )


def open_custody(*, asset: Asset) -> CustodyRecord | None:
    """The card's open check-out or loan, with its holder."""
    return open_records().filter(asset=asset).select_related("holder").first()


def custody_history(*, asset: Asset) -> QuerySet:
    return CustodyRecord.objects.filter(asset=asset).select_related("holder")


def card_context(*, asset: Asset, user) -> dict:
    """What the card page shows of custody and upkeep: the open check-out or loan, the repairs
    and their total against the net value, the contract end, and what the reader may do."""
    from assets.maintenance import selectors as upkeep

    repairs = list(upkeep.repairs_of(asset=asset)[:20])
    total = sum((r.cost for r in repairs), start=Decimal("0.00")) if repairs else None
    if len(repairs) == 20:
        total = upkeep.with_repair_totals(Asset.objects.filter(pk=asset.pk)).get().repair_total
    return {
        "custody": open_custody(asset=asset),
        "repairs": repairs,
        "repair_total": total,
        "repairs_exceed_value": upkeep.repairs_exceed_value(asset, total),
        "contract_end": upkeep.contract_end_for(asset=asset),
        "may_report_fault": permissions.may_report_fault(user, asset),
    }
