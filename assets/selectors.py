"""Read queries shared by the API, web pages, exports and reminders."""

from django.db.models import Q, QuerySet

from assets import permissions
from assets.models import Asset, AssetEvent

ASSET_LIST_RELATED = (
    "category",
    "owner_department",
    "using_department",
    "managing_department",
    "location",
    "parent",
    "project",
    "custodian_user",
)


def assets_visible_to(*, user, filters: dict | None = None) -> QuerySet:
    """The cards `user` may read, with what a list row shows joined in, filtered."""
    queryset = permissions.visible_assets(user).select_related(*ASSET_LIST_RELATED)
    return filter_assets(queryset, filters or {})


def filter_assets(queryset: QuerySet, filters: dict) -> QuerySet:
    """Apply the register's search and filters (shared by list pages, API and exports)."""
    q = (filters.get("q") or "").strip()
    if q:
        queryset = queryset.filter(
            Q(tag__icontains=q)
            | Q(name__icontains=q)
            | Q(model__icontains=q)
            | Q(serial_number__icontains=q)
            | Q(legacy_number__icontains=q)
            | Q(custodian__icontains=q)
        )
    return queryset


def asset_subtree(*, asset: Asset) -> QuerySet:
    """The whole subtree below `asset` in one recursive query, ordered depth-first."""
    return (
        Asset.objects.descendants(asset)
        .with_tree_fields()
        .select_related("category", "location", "owner_department")
        # No .order_by(): without one, django-tree-queries orders depth-first (tree_ordering).
    )


def asset_events(*, asset: Asset) -> QuerySet:
    return AssetEvent.objects.filter(asset=asset).select_related("actor").order_by("-at", "-id")
