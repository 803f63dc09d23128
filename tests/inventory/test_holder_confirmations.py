"""Holders' "I still hold these" in an active stocktake: a separate count method on the line
(`inventory.services.holders`), never hiding or replacing a physical scan."""

import csv
import io

import pytest
from django.urls import reverse

from assets.custody import services as cs
from assets.models import HoldingConfirmation
from inventory import selectors
from inventory.models import Difference, LineResult, StocktakeLine, VerifyMethod
from inventory.services import campaigns, scanning
from tests.factories import UserFactory, make_asset, make_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def holder(centre):
    return UserFactory(username="zhangsan", display_name="张三", department=centre, roles=["staff"])


@pytest.fixture
def held(centre, clerk, holder):
    """Two cards checked out to the holder, and an active campaign counting them."""
    cards = [make_asset(owner=centre, name=name) for name in ("笔记本电脑", "显示器")]
    for card in cards:
        cs.checkout_asset(asset=card, actor=clerk, holder=holder)
    return cards


@pytest.fixture
def loose(centre):
    """A card nobody holds."""
    return make_asset(owner=centre, name="无人确认的打印机")


@pytest.fixture
def campaign(held, loose, admin_user, centre):
    return make_campaign(actor=admin_user, departments=[centre])


def _line(campaign, card) -> StocktakeLine:
    return StocktakeLine.objects.get(campaign=campaign, asset=card)


def test_confirm_all_shows_on_the_line_as_confirmed_by_the_holder(campaign, held, holder):
    cs.confirm_holdings(actor=holder)
    line = _line(campaign, held[0])
    assert line.holder_confirmed_by == holder and line.holder_confirmed_at is not None
    # The physical count is untouched: the counters still have it to scan.
    assert line.result == LineResult.PENDING and line.verify_method == ""
    confirmation = HoldingConfirmation.objects.get(asset=held[0], holder=holder)
    assert confirmation.campaign_id == campaign.pk


def test_the_progress_counts_them_as_counted_by_holder(campaign, held, holder, admin_user):
    cs.confirm_holdings(actor=holder)
    summary = selectors.progress_summary(
        selectors.progress(campaign=campaign, user=admin_user, by="department")
    )
    assert summary["counted"] == 2 and summary["by_holder"] == 2 and summary["pending"] == 1
    totals = selectors.compute_result(campaign=campaign)["totals"]
    assert totals["counted_count"] == 2 and totals["by_holder_count"] == 2
    assert totals["matched_count"] == 2 and totals["pending_count"] == 1


def test_a_later_scan_still_records_as_a_scan(campaign, held, holder, clerk, admin_user):
    cs.confirm_holdings(actor=holder)
    outcome = scanning.record_scan(campaign=campaign, actor=clerk, code=held[0].tag)
    assert outcome.answer == "found"
    line = _line(campaign, held[0])
    assert line.result == LineResult.FOUND and line.counted_by == clerk
    assert line.verify_method != VerifyMethod.CUSTODIAN
    assert line.holder_confirmed_by == holder  # both shown, neither hides the other
    campaigns.close_campaign(campaign=campaign, actor=admin_user)
    line.refresh_from_db()
    assert line.counted_by == clerk and line.verify_method != VerifyMethod.CUSTODIAN


def test_a_scan_before_the_confirmation_is_not_overwritten(campaign, held, holder, clerk):
    scanning.record_scan(campaign=campaign, actor=clerk, code=held[0].tag)
    cs.confirm_holdings(actor=holder)
    line = _line(campaign, held[0])
    assert line.result == LineResult.FOUND and line.counted_by == clerk
    assert line.verify_method in (VerifyMethod.SCAN_OWN_LABEL, VerifyMethod.TYPED_TAG)


def test_at_close_a_confirmed_unscanned_card_is_found_by_its_holder_not_short(
    campaign, held, loose, holder, admin_user
):
    cs.confirm_holdings(actor=holder)
    campaigns.close_campaign(campaign=campaign, actor=admin_user)
    line = _line(campaign, held[0])
    assert line.result == LineResult.FOUND and line.verify_method == VerifyMethod.CUSTODIAN
    assert line.counted_by == holder and line.counted_at == line.holder_confirmed_at
    held[0].refresh_from_db()
    assert held[0].suspected_shortage is False
    assert not Difference.objects.filter(line__asset__in=held).exists()
    # The card nobody confirmed nor scanned is short.
    assert _line(campaign, loose).result == LineResult.MISSING
    campaign.refresh_from_db()
    totals = campaign.result["totals"]
    assert totals["counted_count"] == 2 and totals["matched_count"] == 2
    assert totals["by_holder_count"] == 2 and totals["shortage_count"] == 1


def test_the_lines_page_shows_and_filters_the_holders_confirmations(
    client, campaign, held, holder, admin_user
):
    cs.confirm_holdings(actor=holder)
    scanning.record_scan(campaign=campaign, actor=admin_user, code=held[1].tag)
    client.force_login(admin_user)
    url = reverse("inventory:line-list", args=[campaign.pk])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert page.count("data-holder-confirmed>") == 2 and "张三" in page
    assert "持有人确认" in page
    only = client.get(url, {"holder": "confirmed"}).content.decode()
    assert only.count("<tr>") == 1 + 2  # the header and the two confirmed cards
    detail = client.get(reverse("inventory:campaign-detail", args=[campaign.pk])).content.decode()
    assert 'data-figure="by-holder"' in detail


def test_the_export_has_the_holders_confirmation(api, campaign, held, holder, auditor):
    cs.confirm_holdings(actor=holder)
    api.as_user(auditor)
    response = api.get(
        f"/api/v1/stocktakes/{campaign.pk}/lines.csv/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert sorted(row["持有人确认"] for row in rows) == ["", "张三", "张三"]
    assert sum(bool(row["持有人确认时间"]) for row in rows) == 2
    body = api.get(f"/api/v1/stocktakes/{campaign.pk}/lines/").json()
    items = body["results"] if isinstance(body, dict) else body
    assert sorted(str(item["holder_confirmed_by"]) for item in items) == [
        "None",
        "zhangsan",
        "zhangsan",
    ]
