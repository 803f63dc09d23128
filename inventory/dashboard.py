"""Inventory's share of the dashboard (`assets.reports.dashboard`): the open stocktake
differences counter and the current campaign's progress, registered from `InventoryConfig.ready`
(`assets` imports no other app; inventory may import `assets`)."""

from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from assets.reports.dashboard import Counter, Panel, register_counter, register_panel
from inventory import selectors
from inventory.models import Difference, StocktakeCampaign


def open_differences(user) -> int:
    """Differences not yet posted, in the campaigns `user` reads (one query)."""
    campaigns = selectors.campaigns_visible_to(user=user).values("pk")
    return (
        Difference.objects.filter(campaign__in=campaigns)
        .exclude(state=Difference.State.POSTED)
        .count()
    )


# The panel is a glance, not the progress page: a reader of the whole campaign (an auditor, an
# administrator) sees the departments most behind, a clerk or head their own departments, and
# either is told how many more there are, with a link to the campaign's progress by department.
MOST_BEHIND_SHOWN = 10
OWN_SHOWN = 50


def current_campaign(user) -> dict | None:
    """The progress of the latest counting campaign `user` reads: its totals and, by
    department, the reader's own departments (clerks, heads; up to `OWN_SHOWN`) or the
    `MOST_BEHIND_SHOWN` departments with the most lines pending (auditors, administrators)."""
    campaign = (
        selectors.campaigns_visible_to(user=user)
        .filter(state=StocktakeCampaign.State.ACTIVE)
        .order_by("-year", "-id")
        .first()
    )
    if campaign is None:
        return None
    rows = selectors.progress(campaign=campaign, user=user)
    summary = selectors.progress_summary(rows)
    if not summary["total"]:
        # None of its lines is in the reader's share (e.g. a head who counts nothing): a 0 / 0
        # panel would read as "nothing counted"; the campaign page says whose lines these are.
        return None
    link = reverse("inventory:campaign-detail", args=[campaign.pk])
    limit = MOST_BEHIND_SHOWN if selectors.reads_whole_campaign(user) else OWN_SHOWN
    shown = rows
    panel = {}
    if len(rows) > limit:
        shown = sorted(rows, key=lambda row: (-row["pending"], row["code"]))[:limit]
        hidden = len(rows) - limit
        panel["caption"] = _(
            "The %(shown)s departments with the most lines pending, of %(count)s."
        ) % {"shown": limit, "count": f"{len(rows):,}"}
        panel["more"] = format_html(
            ngettext(
                '{count} more department: <a href="{url}">see the progress of all</a>',
                '{count} more departments: <a href="{url}">see the progress of all</a>',
                hidden,
            ),
            count=f"{hidden:,}",
            url=f"{link}#progress-by-department",
        )
    table = [
        [
            row["name"] or row["code"] or _("No department"),
            row["total"],
            row["counted"],
            row["pending"],
            row["percent"],
        ]
        for row in shown
    ]
    return {
        **panel,
        "note": _("%(name)s: %(done)s of %(total)s lines done (%(percent)s%%)")
        % {
            "name": campaign.name,
            "done": summary["done"],
            "total": summary["total"],
            "percent": summary["percent"],
        }
        + " · "
        + _("Shortage %(shortage)s · pending %(pending)s")
        % {"shortage": summary["shortage"], "pending": summary["pending"]},
        "link": link,
        "columns": [
            _("Department"),
            _("Book lines"),
            _("Counted"),
            _("Pending"),
            _("Share done (per cent)"),
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
                {"label": _("Counted"), "data": [row[2] for row in table]},
                {"label": _("Pending"), "data": [row[3] for row in table]},
            ],
        },
    }


def register() -> None:
    register_counter(
        Counter(
            "open_differences",
            gettext_lazy("Stocktake differences not yet posted"),
            open_differences,
            "inventory:campaign-list",
            order=30,
        )
    )
    register_panel(Panel("current_campaign", gettext_lazy("Current stocktake"), current_campaign))
