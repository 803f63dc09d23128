"""Explicit filters of the register API (STYLE.md: never Meta.fields alone)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from assets import permissions, selectors, sql
from assets.models import CURRENT_CODE_SYSTEM, Asset, Category, Department, Location


def _subtree_ids(model, **lookup) -> list[int]:
    """Ids of the node found by `lookup` and of everything below it ([] if there is none).

    A list of ids, not the tree's CTE as a subquery: PostgreSQL cannot see into the CTE and
    planned a department filter over 200,000 cards as if it were any four departments; with the
    ids it uses the column's statistics and the owner index (bench/register.py).
    """
    root = model.objects.filter(**lookup).values_list("pk", flat=True).first()
    if root is None:
        return []
    return sql.tree_ids(model, root)


class AssetFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    owner_department = django_filters.CharFilter(
        method="in_department", field_name="owner_department", label=_("Owning department")
    )
    using_department = django_filters.CharFilter(
        method="in_department", field_name="using_department", label=_("Using department")
    )
    # distinct=False: a status is a column of the card, so no row repeats; DISTINCT over every
    # column of 200,000 cards would cost more than the query (bench/register.py).
    status = django_filters.MultipleChoiceFilter(choices=Asset.Status.choices, distinct=False)
    parent = django_filters.CharFilter(method="by_parent", label=_("Host tag"))
    category = django_filters.CharFilter(method="in_category", label=_("Category code"))
    location = django_filters.CharFilter(method="in_location", label=_("Location code"))
    project = django_filters.CharFilter(field_name="project__code", label=_("Project code"))
    label_mode = django_filters.ChoiceFilter(choices=Asset.LabelMode.choices)
    install_mode = django_filters.ChoiceFilter(choices=Asset.InstallMode.choices)
    embedded = django_filters.BooleanFilter(method="by_embedded", label=_("Embedded"))
    ownership_confirmed = django_filters.BooleanFilter()
    suspected_shortage = django_filters.BooleanFilter()

    class Meta:
        model = Asset
        fields: list[str] = []

    def search(self, queryset, name, value):
        return selectors.filter_assets(queryset, {"q": value})

    def in_department(self, queryset, name, value):
        subtree = _subtree_ids(Department, code=value.strip())
        return queryset.filter(**{f"{name}__in": subtree}) if subtree else queryset.none()

    def in_location(self, queryset, name, value):
        subtree = _subtree_ids(Location, code=value.strip())
        return queryset.filter(location__in=subtree) if subtree else queryset.none()

    def in_category(self, queryset, name, value):
        subtree = _subtree_ids(Category, code=value.strip(), code_system=CURRENT_CODE_SYSTEM)
        return queryset.filter(category__in=subtree) if subtree else queryset.none()

    def by_parent(self, queryset, name, value):
        value = value.strip().upper()
        if value in {"", "NULL", "NONE"}:
            return queryset.filter(parent__isnull=True)
        # Only a host the reader may open: otherwise "which of my cards sit in host X?" would
        # tell them which tags exist outside their scope (SECURITY.md §4).
        user = getattr(self.request, "user", None)
        return queryset.filter(
            parent__in=permissions.visible_assets(user, Asset.objects.filter(tag=value))
        )

    def by_embedded(self, queryset, name, value):
        if value:
            return queryset.filter(install_mode=Asset.InstallMode.EMBEDDED)
        return queryset.exclude(install_mode=Asset.InstallMode.EMBEDDED)
