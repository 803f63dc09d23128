"""Cards handed over during a count (walk 5): a handover accepted while an active campaign still
had the card's line open moves the card's ownership (DOMAIN.md §6: management rights pass on
the handover date). A campaign that covers the card no longer (`selectors.scope_assets`: a unit
outside its departments) lets the line leave its count as handed over (`LineResult.HANDED_OVER`,
naming the handover): not counted, not a shortage at close, not countable by a scan, and out of
the book figures. A line counted before the handover keeps its count: the card was there.

The handover is not refused: its receiver's 3-month clock runs, and the book snapshot exists so
that changes during a count are not mistaken for differences (DOMAIN.md §4). Registered in
`InventoryConfig.ready()` as a handover listener (inside `decide_handover`'s transaction):
assets imports no other app.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory import selectors
from inventory.models import OPEN_RESULTS, LineResult, StocktakeCampaign, StocktakeLine


@transaction.atomic
def leave_counts_when_handed_over(*, step: str, handover) -> int:
    """After a decision: the open book lines of the accepted cards, in every active campaign
    that no longer covers them, become handed over. Returns how many lines left a count."""
    if step != "decided":
        return 0
    accepted = list(handover.items.filter(result="accepted").values_list("asset_id", flat=True))
    if not accepted:
        return 0
    lines = StocktakeLine.objects.filter(
        asset_id__in=accepted,
        kind=StocktakeLine.Kind.BOOK,
        result__in=list(OPEN_RESULTS),
        campaign__state=StocktakeCampaign.State.ACTIVE,
    )
    left = 0
    for campaign in StocktakeCampaign.objects.filter(
        pk__in=lines.values("campaign_id")
    ).select_for_update():
        left += (
            lines.filter(campaign=campaign)
            .exclude(asset_id__in=selectors.scope_assets(campaign=campaign).values("pk"))
            .update(result=LineResult.HANDED_OVER, handover=handover)
        )
    return left


def handed_over_message(line: StocktakeLine) -> str:
    """What a counter is told about a line that left the count: to whom, when, which handover."""
    handover = line.handover
    decided = handover.decided_at or timezone.now()
    return _(
        "%(tag)s (%(name)s) was handed over to %(receiver)s on %(date)s (handover %(number)s): "
        "it left this count and is not counted here."
    ) % {
        "tag": line.tag,
        "name": line.name,
        "receiver": handover.to_department.name,
        "date": f"{timezone.localtime(decided):%Y-%m-%d}",
        "number": handover.number,
    }
