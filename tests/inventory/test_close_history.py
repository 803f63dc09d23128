"""What closing a campaign writes on the cards (`campaigns.close_campaign`): the 疑似盘亏 flags and
the history, against the ORM definition of the same rows, and the set-based history writer with a
counter and a count time per card writing what `record_event` writes card by card."""

from datetime import date, timedelta

import pytest
from django.db.models import F
from django.utils import timezone
from django.utils.translation import override

from assets import history
from assets.models import Asset, AssetEvent
from inventory.models import COUNTED_RESULTS, OPEN_RESULTS, LineResult, StocktakeLine
from inventory.services import campaigns, scanning
from tests.factories import make_asset

pytestmark = pytest.mark.django_db


def campaign_over(departments, admin_user, name):
    campaign = campaigns.create_campaign(
        actor=admin_user,
        name=name,
        year=2025,
        reference_date=date(2025, 12, 31),
        due_on=date(2026, 1, 31),
        departments=departments,
    )
    return campaigns.activate_campaign(campaign=campaign, actor=admin_user)


def expected_rows(campaign, actor, note):
    """The ORM definition, read before the close: each book line's card flagged when it is
    missing (an open line becomes missing), cleared when counted; `shortage_flagged` by the
    closer on each newly flagged card, `counted` by the counter on each counted card, at the
    count's time (with the cleared flag when it was set). The closer's time is filled in after."""
    flags, events = {}, set()
    for line in StocktakeLine.objects.filter(
        campaign=campaign, kind=StocktakeLine.Kind.BOOK
    ).select_related("asset"):
        missing = line.result in OPEN_RESULTS or line.result == LineResult.MISSING
        counted = line.result in COUNTED_RESULTS
        before = line.asset.suspected_shortage
        flags[line.asset_id] = missing
        if missing and not before:
            changes = (("suspected_shortage", (False, True)),)
            events.add((line.asset_id, "shortage_flagged", "closed_at", actor.pk, changes, note))
        if counted:
            changes = (("suspected_shortage", (True, False)),) if before else ()
            events.add(
                (line.asset_id, "counted", line.counted_at, line.counted_by_id, changes, note)
            )
    return flags, events


def written_rows(campaign, assets):
    flags = dict(Asset.objects.filter(pk__in=assets).values_list("pk", "suspected_shortage"))
    events = {
        (
            event.asset_id,
            event.kind,
            "closed_at" if event.at == campaign.closed_at else event.at,
            event.actor_id,
            tuple((name, tuple(pair)) for name, pair in event.changes.items()),
            event.note,
        )
        for event in AssetEvent.objects.filter(campaign_id=campaign.pk)
    }
    return flags, events


def test_the_close_writes_the_flags_and_events_the_orm_definition_gives(
    centre, other_bureau, room, other_room, clerk, other_clerk, admin_user, monkeypatch
):
    found, flagged_found, elsewhere, damaged, by_hand, missing, flagged_missing = (
        make_asset(owner=centre, location=room) for _ in range(7)
    )
    host = make_asset(owner=centre, location=room, name="服务器")
    module = make_asset(owner=centre, parent=host, embedded=True, category_code="A02010200")
    draft = make_asset(owner=centre, location=room, status=Asset.Status.DRAFT)
    elsewhere_card = make_asset(owner=other_bureau)
    Asset.objects.filter(pk__in=[flagged_found.pk, flagged_missing.pk]).update(
        suspected_shortage=True
    )
    campaign = campaign_over([centre], admin_user, "收尾对照")
    # Another campaign over the same cards too: each card's line of this one only is read.
    # Activation now refuses such an overlap (walk2-2); campaigns started before that rule may
    # still overlap, so the close must still read its own lines only.
    from inventory.services import campaigns as campaign_services

    with monkeypatch.context() as patched:
        patched.setattr(campaign_services, "_refuse_overlap", lambda campaign: None)
        other = campaign_over([other_bureau, centre], admin_user, "别处的盘点")
    earlier = timezone.now() - timedelta(minutes=9)
    scanning.record_scan(campaign=campaign, actor=clerk, code=found.tag, scanned_at=earlier)
    scanning.record_scan(campaign=campaign, actor=clerk, code=flagged_found.tag)
    scanning.record_scan(campaign=campaign, actor=clerk, code=elsewhere.tag, location=other_room)
    scanning.record_scan(campaign=campaign, actor=admin_user, code=damaged.tag, damaged=True)
    scanning.manual_count(campaign=campaign, actor=clerk, tag=by_hand.tag, reason="标签脱落")
    scanning.record_scan(campaign=campaign, actor=clerk, code=host.tag)
    scanning.record_surplus(campaign=campaign, actor=clerk, note="无标签显示器")
    scanning.record_scan(campaign=other, actor=other_clerk, code=elsewhere_card.tag)
    for card in (found, missing):
        scanning.record_scan(campaign=other, actor=admin_user, code=card.tag)
    note = f"Stocktake {campaign.name} (2025)"
    expected_flags, expected_events = expected_rows(campaign, admin_user, note)
    cards = [a.pk for a in (found, flagged_found, elsewhere, damaged, by_hand, missing)] + [
        a.pk for a in (flagged_missing, host, module, draft, elsewhere_card)
    ]
    before = dict(Asset.objects.filter(pk__in=cards).values_list("pk", "suspected_shortage"))
    with override("en"):
        campaign = campaigns.close_campaign(campaign=campaign, actor=admin_user)
    flags, events = written_rows(campaign, cards)
    assert events == expected_events
    assert flags == {**before, **expected_flags}
    counted = {event[0] for event in events if event[1] == "counted"}
    assert counted == {a.pk for a in (found, flagged_found, elsewhere, damaged, by_hand, host)} | {
        module.pk
    }
    assert not AssetEvent.objects.filter(campaign_id=other.pk).exists()


def test_a_counter_and_a_time_per_card_are_written_as_record_event_writes_them(
    plan, centre, room, clerk, admin_user
):
    """The set-based writer with `actor` and `at` read from each card's line, against the same
    events written one by one: every field alike."""
    cards = [make_asset(owner=centre, location=room) for _ in range(3)]
    campaign = campaigns.activate_campaign(campaign=plan(), actor=admin_user)
    for card, actor in zip(cards, (clerk, admin_user, clerk), strict=True):
        scanning.manual_count(campaign=campaign, actor=actor, tag=card.tag, reason="标签脱落")
    lines = {line.asset_id: line for line in campaign.lines.all()}
    for card in cards:
        history.record_event(
            asset=card,
            actor=lines[card.pk].counted_by,
            kind=AssetEvent.Kind.COUNTED,
            note="逐张",
            campaign_id=campaign.pk,
        )
    by_hand = list(AssetEvent.objects.filter(note="逐张").order_by("asset_id"))
    written = history.record_events(
        assets=Asset.objects.filter(stocktake_lines__campaign=campaign),
        actor=F("stocktake_lines__counted_by"),
        at=F("stocktake_lines__counted_at"),
        kind=AssetEvent.Kind.COUNTED,
        note="成批",
        campaign_id=campaign.pk,
    )
    in_bulk = list(AssetEvent.objects.filter(note="成批").order_by("asset_id"))
    assert written == len(in_bulk) == 3
    fields = ("asset_id", "kind", "actor_id", "changes", "handover_id", "campaign_id")
    assert [[getattr(e, f) for f in fields] for e in in_bulk] == [
        [getattr(e, f) for f in fields] for e in by_hand
    ]
    assert [e.at for e in in_bulk] == [lines[e.asset_id].counted_at for e in in_bulk]
