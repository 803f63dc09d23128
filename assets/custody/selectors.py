"""Custody reads shared by the "my assets" page, the API, the card page and reminders."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from assets import permissions
from assets.models import Asset, CustodyRecord, HoldingConfirmation


def open_records() -> QuerySet:
    return CustodyRecord.objects.filter(state=CustodyRecord.State.OPEN)


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


def open_custody(*, asset: Asset) -> CustodyRecord | None:
    """The card's open check-out or loan, with its holder."""
    return open_records().filter(asset=asset).select_related("holder").first()


def custody_history(*, asset: Asset) -> QuerySet:
    return CustodyRecord.objects.filter(asset=asset).select_related("holder")
