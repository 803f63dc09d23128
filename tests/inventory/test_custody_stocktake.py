"""A card away for repair when the stocktake closes is counted elsewhere, not a shortage."""

import pytest
from django.utils import timezone

from assets.maintenance import services as ms
from inventory.models import Difference, LineResult, StocktakeLine
from inventory.services import campaigns
from tests.factories import make_asset, make_campaign

pytestmark = pytest.mark.django_db


def test_a_card_under_repair_is_counted_elsewhere_at_close(centre, admin_user):
    away = make_asset(owner=centre, name="送修的服务器")
    lost = make_asset(owner=centre, name="找不到的打印机")
    campaign = make_campaign(actor=admin_user, departments=[centre])
    ms.record_repair(
        asset=away,
        actor=admin_user,
        fields={"fault": "电源故障", "started_on": timezone.localdate()},
    )
    campaigns.close_campaign(campaign=campaign, actor=admin_user)
    lines = {line.asset_id: line for line in StocktakeLine.objects.filter(campaign=campaign)}
    assert lines[away.pk].result == LineResult.FOUND_ELSEWHERE
    assert lines[lost.pk].result == LineResult.MISSING
    away.refresh_from_db()
    assert away.suspected_shortage is False
    kinds = dict(Difference.objects.filter(campaign=campaign).values_list("line__asset_id", "kind"))
    assert kinds[away.pk] != Difference.Kind.SHORTAGE


@pytest.mark.parametrize(
    "language, place, method, other",
    [
        ("en", "Away for repair at 华为售后", "Its repair record (away for repair)", "送修在外"),
        ("zh-hans", "送修在外：华为售后", "维修记录（送修在外）", "Away for repair"),
    ],
)
def test_a_card_away_for_repair_is_found_at_its_repairer_in_the_readers_language(
    api, client, centre, room, admin_user, language, place, method, other
):
    """The line counted by the repair record says so in the reader's language (closed by a
    Chinese-speaking clerk or not), with the repairer as its place on the lines page, the
    difference page and the line export."""
    import csv
    import io

    from django.urls import reverse
    from django.utils import translation

    away = make_asset(owner=centre, name="送修的服务器", location=room)
    campaign = make_campaign(actor=admin_user, departments=[centre])
    ms.record_repair(
        asset=away,
        actor=admin_user,
        fields={"fault": "电源故障", "vendor": "华为售后", "started_on": timezone.localdate()},
    )
    with translation.override("zh-hans" if language == "en" else "en"):
        campaigns.close_campaign(campaign=campaign, actor=admin_user)
    line = StocktakeLine.objects.get(campaign=campaign, asset=away)
    assert (line.verify_method, line.away_at, line.note) == ("repair_record", "华为售后", "")
    difference = Difference.objects.get(line=line)
    client.force_login(admin_user)
    client.cookies["django_language"] = language
    for page in (
        reverse("inventory:line-list", args=[campaign.pk]),
        reverse("inventory:difference-detail", args=[campaign.pk, difference.pk]),
        reverse("inventory:difference-list", args=[campaign.pk]) + "?state=",
    ):
        text = client.get(page, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert place in text and other not in text, page
    detail = reverse("inventory:difference-detail", args=[campaign.pk, difference.pk])
    assert method in client.get(detail, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    response = api.as_user(admin_user).get(
        f"/api/v1/stocktakes/{campaign.pk}/lines.csv/", HTTP_ACCEPT_LANGUAGE=language
    )
    rows = list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    )
    (row,) = [row for row in rows if away.tag in row.values()]
    assert place in row.values() and method in row.values()
    lines = api.get(f"/api/v1/stocktakes/{campaign.pk}/lines/").json()["results"]
    assert [(x["verify_method"], x["away_at"]) for x in lines if x["tag"] == away.tag] == [
        ("repair_record", "华为售后")
    ]


def test_the_close_dialog_counts_the_shortages_closing_records(centre, admin_user):
    """Walk 2: the dialog said 191 cards would be shortages, the result said 190 — the card
    away for repair is counted elsewhere, so the dialog must not count it."""
    from inventory import selectors

    away = make_asset(owner=centre, name="送修的服务器")
    make_asset(owner=centre, name="找不到的打印机")
    make_asset(owner=centre, name="找不到的显示器")
    campaign = make_campaign(actor=admin_user, departments=[centre])
    ms.record_repair(
        asset=away,
        actor=admin_user,
        fields={"fault": "电源故障", "started_on": timezone.localdate()},
    )
    announced = selectors.count_summary(campaign=campaign)["open"]
    campaigns.close_campaign(campaign=campaign, actor=admin_user)
    recorded = StocktakeLine.objects.filter(campaign=campaign, result=LineResult.MISSING).count()
    assert announced == recorded == 2


def test_the_dashboard_shows_no_empty_progress_for_a_reader_who_counts_nothing(centre, admin_user):
    """Walk 4: a head whose share of the campaign is empty saw "0 / 0 lines done"."""
    from inventory import dashboard
    from tests.factories import UserFactory

    make_asset(owner=centre, name="在用打印机")
    make_campaign(actor=admin_user, departments=[centre])
    head = UserFactory(username="head", department=centre, roles=["approver"])
    assert dashboard.current_campaign(head) is None
    panel = dashboard.current_campaign(admin_user)
    assert panel is not None and "0 / 1" in panel["note"]


def test_the_migration_turns_a_repair_note_into_the_method_and_the_repairer(centre, admin_user):
    """Lines closed before: the note in the closer's language becomes the repair-record method,
    and the place the repairer of the repair under way when the line was counted."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("inventory.migrations.0017_stocktake_reasons_as_codes")
    away = make_asset(owner=centre, name="送修的服务器")
    campaign = make_campaign(actor=admin_user, departments=[centre])
    ms.record_repair(
        asset=away,
        actor=admin_user,
        fields={"fault": "电源故障", "vendor": "华为售后", "started_on": timezone.localdate()},
    )
    campaigns.close_campaign(campaign=campaign, actor=admin_user)
    StocktakeLine.objects.filter(campaign=campaign, asset=away).update(
        verify_method="", away_at="", note="送修在外（见卡片的维修记录）。"
    )
    migration.repair_notes_to_method(apps, None)
    line = StocktakeLine.objects.get(campaign=campaign, asset=away)
    assert (line.verify_method, line.away_at, line.note) == ("repair_record", "华为售后", "")
