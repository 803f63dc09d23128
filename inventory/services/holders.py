"""Holders' confirmations in a count: a card's holder says "I still hold these" on "my assets"
(`assets.custody.services.confirm_holdings`), and each active campaign counting the card shows
it on its line as confirmed by its holder (`holder_confirmed_at`, `holder_confirmed_by`).

A separate count method: the line's physical count (result, method, counter) is not touched, a
later scan counts it as a scan, and the counters still see it in their pending list. At close a
line no scan counted is found by its holder (`VerifyMethod.CUSTODIAN`), not short. Registered in
`InventoryConfig.ready()`: assets imports no other app.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from inventory.models import (
    OPEN_RESULTS,
    LineResult,
    StocktakeCampaign,
    StocktakeLine,
    VerifyMethod,
)

# Book lines of active campaigns not yet confirmed by a holder (a scanned one too: both show).
_UNCONFIRMED = Q(
    kind=StocktakeLine.Kind.BOOK,
    campaign__state=StocktakeCampaign.State.ACTIVE,
    holder_confirmed_at__isnull=True,
)


@transaction.atomic
def record_holder_confirmations(*, actor, assets) -> dict[int, int]:
    """Mark the lines of `assets` (cards `actor` holds) in every active campaign as confirmed by
    `actor`, now; a line confirmed before keeps its first confirmation. Returns {asset id:
    campaign id} for the cards an active campaign counts."""
    ids = [asset.pk for asset in assets]
    if not ids:
        return {}
    lines = StocktakeLine.objects.filter(
        asset_id__in=ids,
        kind=StocktakeLine.Kind.BOOK,
        campaign__state=StocktakeCampaign.State.ACTIVE,
    )
    counted_in = dict(lines.order_by("campaign_id").values_list("asset_id", "campaign_id"))
    StocktakeLine.objects.filter(_UNCONFIRMED, asset_id__in=ids).update(
        holder_confirmed_at=timezone.now(), holder_confirmed_by=actor
    )
    return counted_in


def count_confirmed_open_lines(*, campaign: StocktakeCampaign) -> int:
    """At close (inside `close_campaign`'s transaction): the open lines a holder confirmed and
    no scan counted are found, by their holder, when they confirmed."""
    return StocktakeLine.objects.filter(
        campaign=campaign, result__in=list(OPEN_RESULTS), holder_confirmed_at__isnull=False
    ).update(
        result=LineResult.FOUND,
        counted_quantity=1,
        verify_method=VerifyMethod.CUSTODIAN,
        counted_at=F("holder_confirmed_at"),
        counted_by=F("holder_confirmed_by"),
        counted_location=F("location"),
    )
