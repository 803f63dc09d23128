"""The history writers: `record_event` for one card and `record_events` for many write the same
rows for the same change (everything but the id and the time)."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import Case, F, Value, When

from assets import history
from assets.handovers import services as handovers
from assets.models import Asset, AssetEvent
from tests.factories import LocationFactory, make_asset, make_project

pytestmark = pytest.mark.django_db

COMPARED = ("asset_id", "kind", "actor_id", "changes", "note", "handover_id", "campaign_id")


def rows(events) -> list[dict]:
    return sorted(
        (dict(event) for event in events.values(*COMPARED)),
        key=lambda row: (row["asset_id"], row["kind"]),
    )


def written_after(last_id: int):
    return AssetEvent.objects.filter(pk__gt=last_id)


def last_event_id() -> int:
    return AssetEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


@pytest.fixture
def cards(centre, clerk):
    """Three cards whose values differ in every way a change can: set and empty references,
    dates and flags, values with and without cents."""
    room, store = LocationFactory(code="R-101"), LocationFactory(code="S-001")
    return [
        make_asset(
            owner=centre,
            actor=clerk,
            location=room,
            acquired_on=date(2021, 3, 9),
            original_value=Decimal("6000.00"),
        ),
        make_asset(owner=centre, actor=clerk, location=store, original_value=Decimal("1234.56")),
        make_asset(owner=centre, actor=clerk, original_value=Decimal("0.05")),
    ]


def by_hand_and_in_bulk(cards, *, by_hand, in_bulk) -> tuple[list[dict], list[dict]]:
    """The rows `by_hand(card)` writes for each card, then the rows `in_bulk(queryset)` writes."""
    start = last_event_id()
    for card in cards:
        by_hand(Asset.objects.select_related("location").get(pk=card.pk))
    middle = last_event_id()
    written = in_bulk(Asset.objects.filter(pk__in=[card.pk for card in cards]))
    hand, bulk = rows(written_after(start).filter(pk__lte=middle)), rows(written_after(middle))
    assert written == len(bulk) == len(cards)
    return hand, bulk


def test_a_fixed_change_is_written_alike_by_both(cards, bureau, centre, clerk):
    project = make_project(builder=centre, owner=bureau)
    handover = handovers.create_handover(
        actor=clerk, project=project, assets=[make_asset(owner=centre, project=project)]
    )
    moved_to = LocationFactory(code="R-301")
    change = {
        "location": [None, moved_to],
        "original_value": [Decimal("6000"), Decimal("5000.5")],
        "acquired_on": [None, date(2024, 1, 2)],
        "embedded": [False, True],
        "name": ["台式计算机", "服务器"],
        "useful_life_months": [60, 72],
        "custodian_user": [clerk, None],
    }
    common = {
        "actor": clerk,
        "kind": AssetEvent.Kind.UPDATED,
        "changes": change,
        "note": "盘点调整",
        "handover": handover,
        "campaign_id": 42,
    }
    hand, bulk = by_hand_and_in_bulk(
        cards,
        by_hand=lambda card: history.record_event(asset=card, **common),
        in_bulk=lambda assets: history.record_events(assets=assets, **common),
    )
    assert bulk == hand
    assert bulk[0]["changes"]["location"] == [None, "R-301"]
    assert bulk[0]["changes"]["original_value"] == ["6000.00", "5000.50"]
    assert bulk[0]["changes"]["custodian_user"] == [clerk.username, None]


def test_a_change_computed_per_card_is_written_alike_by_both(cards, clerk):
    for card in cards[1:]:
        Asset.objects.filter(pk=card.pk).update(suspected_shortage=True)

    def by_hand(card):
        history.record_event(
            asset=card,
            actor=clerk,
            kind=(
                AssetEvent.Kind.COUNTED
                if card.suspected_shortage
                else AssetEvent.Kind.SHORTAGE_FLAGGED
            ),
            changes={
                "suspected_shortage": [card.suspected_shortage, not card.suspected_shortage],
                "location": [card.location, "R-999"],
                "original_value": [card.original_value, card.original_value * 2],
                "acquired_on": [card.acquired_on, date(2025, 12, 31)],
                "name": [card.name, card.tag],
            },
            campaign_id=7,
        )

    def in_bulk(assets):
        return history.record_events(
            assets=assets,
            actor=clerk,
            kind=Case(
                When(suspected_shortage=True, then=Value(AssetEvent.Kind.COUNTED)),
                default=Value(AssetEvent.Kind.SHORTAGE_FLAGGED),
            ),
            changes={
                "suspected_shortage": [F("suspected_shortage"), ~F("suspected_shortage")],
                "location": [F("location__code"), "R-999"],
                "original_value": [F("original_value"), F("original_value") * 2],
                "acquired_on": [F("acquired_on"), date(2025, 12, 31)],
                "name": [F("name"), F("tag")],
            },
            campaign_id=7,
        )

    hand, bulk = by_hand_and_in_bulk(cards, by_hand=by_hand, in_bulk=in_bulk)
    assert bulk == hand
    assert {row["kind"] for row in bulk} == {"counted", "shortage_flagged"}
    assert [row["changes"]["acquired_on"][0] for row in bulk] == ["2021-03-09", None, None]


def test_applying_a_change_sets_the_cards_and_writes_the_events_record_event_writes(cards, clerk):
    Asset.objects.filter(pk=cards[0].pk).update(suspected_shortage=True)
    expected = {
        card.pk: {"suspected_shortage": [flag, not flag], "custodian": ["", "王工"]}
        for card, flag in zip(cards, [True, False, False], strict=True)
    }
    start = last_event_id()
    written = history.record_events(
        assets=Asset.objects.filter(pk__in=expected),
        actor=clerk,
        kind=AssetEvent.Kind.UPDATED,
        changes={
            "suspected_shortage": [F("suspected_shortage"), ~F("suspected_shortage")],
            "custodian": [F("custodian"), "王工"],
        },
        note="批量",
        apply=True,
    )
    bulk = rows(written_after(start))
    assert written == 3
    assert dict(Asset.objects.filter(pk__in=expected).values_list("pk", "suspected_shortage")) == {
        cards[0].pk: False,
        cards[1].pk: True,
        cards[2].pk: True,
    }
    assert set(Asset.objects.filter(pk__in=expected).values_list("custodian", flat=True)) == {
        "王工"
    }
    middle = last_event_id()
    for card in cards:
        history.record_event(
            asset=card,
            actor=clerk,
            kind=AssetEvent.Kind.UPDATED,
            changes=expected[card.pk],
            note="批量",
        )
    assert rows(written_after(middle)) == bulk


def test_the_system_as_actor_is_written_as_nobody_by_both(cards):
    hand, bulk = by_hand_and_in_bulk(
        cards,
        by_hand=lambda card: history.record_event(
            asset=card, actor=AnonymousUser(), kind=AssetEvent.Kind.COUNTED
        ),
        in_bulk=lambda assets: history.record_events(
            assets=assets, actor=AnonymousUser(), kind=AssetEvent.Kind.COUNTED
        ),
    )
    assert bulk == hand
    assert {row["actor_id"] for row in bulk} == {None}
    assert {str(row["changes"]) for row in bulk} == {"{}"}


def test_a_reference_must_be_given_by_its_natural_key(cards, clerk):
    with pytest.raises(TypeError, match="natural key"):
        history.record_events(
            assets=Asset.objects.all(),
            actor=clerk,
            kind=AssetEvent.Kind.MOVED,
            changes={"location": [F("location"), None]},
        )


def test_apply_sets_only_the_cards_own_columns(cards, clerk):
    with pytest.raises(ValueError, match="own columns"):
        history.record_events(
            assets=Asset.objects.all(),
            actor=clerk,
            kind=AssetEvent.Kind.MOVED,
            changes={"location": [F("location__code"), "R-999"]},
            apply=True,
        )
