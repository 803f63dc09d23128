"""Labels' share of the dashboard (`assets.reports.dashboard`): label coverage by owning
department, registered from `LabelsConfig.ready` (`assets` imports no other app)."""

from django.db.models import Count, Exists, OuterRef, Q, Subquery, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assets import permissions
from assets.models import Asset, RegisterTally
from assets.reports import selectors
from assets.reports.dashboard import Panel, register_panel
from labels.models import Label, LabelledTally


def label_coverage(user) -> dict:
    """Live cards that should carry their own label, and those without an active one, per owning
    department (one aggregate query over the two tallies, not the cards and their labels, for a
    reader of every card; the tallies know only the owning department, so a department-bound
    reader's cards, owned, used or managed in their scope, are counted from the cards the
    register shows them, `permissions.visible_assets`)."""
    if selectors.scope_of(user) is None:
        labelled = LabelledTally.objects.filter(owner_department=OuterRef("owner_department"))
        tally = RegisterTally.objects.filter(own_label=True).exclude(status=Asset.Status.RETIRED)
        counted = tally.values("owner_department__code", "owner_department__name").annotate(
            total=Sum("cards"), labelled=Subquery(labelled.values("labelled")[:1])
        )
    else:
        active = Label.objects.filter(
            asset=OuterRef("pk"), superseded_at__isnull=True, voided_at__isnull=True
        )
        cards = permissions.visible_assets(
            user, Asset.objects.filter(label_mode=Asset.LabelMode.OWN_LABEL)
        ).exclude(status=Asset.Status.RETIRED)
        counted = (
            cards.alias(has_label=Exists(active))
            .values("owner_department__code", "owner_department__name")
            .annotate(total=Count("pk"), labelled=Count("pk", filter=Q(has_label=True)))
        )
    rows = [
        {**row, "missing": row["total"] - (row["labelled"] or 0)}
        for row in counted.filter(total__gt=0)
    ]
    rows.sort(key=lambda row: (-row["missing"], row["owner_department__code"]))
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
