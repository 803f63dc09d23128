"""Upkeep reads shared by the card page, the API, the lists, reminders and the register export."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Exists, Max, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from assets import permissions
from assets.models import Asset, MaintenanceContract, RepairRecord

LIVE = ~Q(status=Asset.Status.RETIRED)


def repairs_of(*, asset: Asset) -> QuerySet:
    return RepairRecord.objects.filter(asset=asset).select_related("reported_by")


def open_repairs(*, user) -> QuerySet:
    """Reported faults not yet sent for repair and repairs under way, on live cards `user`
    reads: the upkeep page's work list, oldest report first."""
    return (
        RepairRecord.objects.filter(
            finished_on__isnull=True,
            asset__in=permissions.visible_assets(user).filter(LIVE).values("pk"),
        )
        .select_related("asset", "reported_by")
        .order_by("reported_on", "id")
    )


def contract_ends(asset_ids) -> dict[int, date]:
    """The last day each card is covered by a maintenance contract: its own contracts, else
    (for an embedded component without one) its host's, up the chain of embedded hosts. Cards
    never covered are absent. One query per level of nesting walked, never per card."""
    ids = set(asset_ids)
    ends = contract_ends_own(ids)
    # Components without their own contract take their host's.
    pending = {
        pk: parent
        for pk, parent in Asset.objects.filter(
            pk__in=ids - set(ends), install_mode=Asset.InstallMode.EMBEDDED
        ).values_list("pk", "parent_id")
        if parent
    }
    seen: set[int] = set()
    while pending:
        hosts = set(pending.values()) - seen
        seen |= hosts
        host_ends = contract_ends_own(hosts)
        for pk, host in list(pending.items()):
            if host in host_ends:
                ends[pk] = host_ends[host]
                del pending[pk]
        # Embedded hosts without a contract pass the question to their own host.
        parents = dict(
            Asset.objects.filter(
                pk__in={h for h in pending.values() if h not in host_ends},
                install_mode=Asset.InstallMode.EMBEDDED,
            ).values_list("pk", "parent_id")
        )
        pending = {
            pk: parents[host]
            for pk, host in pending.items()
            if parents.get(host) and parents[host] not in seen
        }
    return ends


def contract_ends_own(asset_ids) -> dict[int, date]:
    return dict(
        MaintenanceContract.assets.through.objects.filter(asset_id__in=set(asset_ids))
        .values("asset_id")
        .annotate(end=Max("maintenancecontract__ends_on"))
        .values_list("asset_id", "end")
    )


def contract_end_for(*, asset: Asset) -> date | None:
    return contract_ends([asset.pk]).get(asset.pk)


def uncovered_after_warranty(*, user, on: date | None = None) -> list[Asset]:
    """Live cards `user` reads whose warranty ended before `on` (today) and that no contract
    covers on that day (their own, or their host's for an embedded component)."""
    on = on or timezone.localdate()
    candidates = list(
        permissions.visible_assets(user)
        .filter(LIVE, warranty_until__lt=on)
        .select_related("owner_department", "location")
        .order_by("warranty_until", "tag")
    )
    ends = contract_ends([a.pk for a in candidates])
    return [a for a in candidates if ends.get(a.pk) is None or ends[a.pk] < on]


def with_repair_totals(queryset: QuerySet) -> QuerySet:
    return queryset.annotate(repair_total=Sum("repairs__cost"))


def repairs_exceed_value(asset: Asset, total: Decimal | None) -> bool:
    """Whether the repair costs of `asset` add up beyond its net book value (a candidate for
    disposal: 不值得修复, DOMAIN.md §8)."""
    return bool(total) and total > asset.net_book_value()


def costly_to_repair(*, user) -> list[Asset]:
    """Live cards `user` reads whose repair costs exceed their net book value."""
    candidates = with_repair_totals(
        permissions.visible_assets(user)
        .filter(LIVE)
        .filter(Exists(RepairRecord.objects.filter(asset=OuterRef("pk"), cost__gt=0)))
    ).select_related("owner_department")
    return [a for a in candidates.order_by("tag") if repairs_exceed_value(a, a.repair_total)]


def last_repairs(asset_ids) -> dict[int, date]:
    """Each card's latest repair date (finished, else started, else reported)."""
    rows = RepairRecord.objects.filter(asset_id__in=set(asset_ids)).values_list(
        "asset_id", "reported_on", "started_on", "finished_on"
    )
    last: dict[int, date] = {}
    for pk, reported, started, finished in rows:
        day = finished or started or reported
        if pk not in last or day > last[pk]:
            last[pk] = day
    return last


def contracts_ending(*, within_days: int, on: date | None = None) -> QuerySet:
    """Contracts whose last day falls within `within_days` from `on` (today), not yet ended."""
    from datetime import timedelta

    on = on or timezone.localdate()
    return MaintenanceContract.objects.filter(
        ends_on__gte=on, ends_on__lte=on + timedelta(days=within_days)
    ).select_related("department")


def repairer_under_way(asset_id) -> Coalesce:
    """The repairer of the card `asset_id`'s repair under way ("" when none is named), as a
    subquery: `asset_id` is an `OuterRef` to the card's id. A card has at most one."""
    return Coalesce(
        Subquery(
            RepairRecord.objects.filter(
                asset_id=asset_id, started_on__isnull=False, finished_on__isnull=True
            ).values("vendor")[:1]
        ),
        Value(""),
    )
