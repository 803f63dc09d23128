"""Labels' share of the dashboard (`assets.reports.dashboard`): label coverage by owning
department, registered from `LabelsConfig.ready` (`assets` imports no other app)."""

from django.db.models import Count, FilteredRelation, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assets.models import Asset
from assets.reports import selectors
from assets.reports.dashboard import Panel, register_panel


def label_coverage(user) -> dict:
    """Live cards that should carry their own label, and those without an active one, per owning
    department (one aggregate query)."""
    # At most one active label per card (a partial unique constraint): one outer join, no
    # subquery per card.
    active = FilteredRelation(
        "labels", condition=Q(labels__superseded_at__isnull=True, labels__voided_at__isnull=True)
    )
    cards = Asset.objects.exclude(status=Asset.Status.RETIRED).filter(
        label_mode=Asset.LabelMode.OWN_LABEL
    )
    scope = selectors.scope_of(user)
    if scope is not None:
        cards = cards.filter(owner_department__in=scope)
    rows = (
        cards.alias(active_label=active)
        .values("owner_department__code", "owner_department__name")
        .annotate(total=Count("id"), missing=Count("id", filter=Q(active_label__id__isnull=True)))
        .order_by("-missing", "owner_department__code")
    )
    table = [
        [
            row["owner_department__name"],
            row["total"],
            row["missing"],
            round(100 * (row["total"] - row["missing"]) / row["total"], 1) if row["total"] else 0,
        ]
        for row in rows
    ]
    return {
        "columns": [
            _("Department"),
            _("Cards to label"),
            _("Without an active label"),
            _("Share labelled (per cent)"),
        ],
        "text_columns": 1,
        "money_columns": [],
        "rows": table,
        "chart": {
            "type": "bar",
            "stacked": True,
            "integer": True,
            "labels": [row[0] for row in table],
            "series": [
                {"label": _("Labelled"), "data": [row[1] - row[2] for row in table]},
                {"label": _("Without an active label"), "data": [row[2] for row in table]},
            ],
        },
    }


def register() -> None:
    register_panel(Panel("label_coverage", gettext_lazy("Label coverage"), label_coverage, 50))
