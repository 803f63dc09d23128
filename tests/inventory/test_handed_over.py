"""Walk 5: a card handed over to another unit (handover accepted, ownership moved) during the
sender's active count leaves that count as handed over: not countable by a scan (the answer
names the receiver, the date and the handover), not a shortage at close, out of the progress
figures and the result, shown so on the lines page and in the API. A card counted before the
handover keeps its count."""

import pytest
from django.urls import reverse
from django.utils import translation

from assets.errors import DomainError
from assets.handovers import services as hs
from inventory.models import Difference, LineResult
from inventory.services import campaigns, scanning
from tests.factories import make_asset, make_project
from tests.inventory.test_progress_tally import orm_count, tally

pytestmark = pytest.mark.django_db
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def handed(plan, centre, other_bureau, clerk, receiver, room, admin_user):
    """The centre counts two project cards; one is handed over to the health bureau mid-count."""
    project = make_project(builder=centre, owner=other_bureau)
    kept = make_asset(owner=centre, actor=clerk, location=room, name="交换机", project=project)
    gone = make_asset(owner=centre, actor=clerk, location=room, name="服务器", project=project)
    campaign = campaigns.activate_campaign(campaign=plan(), actor=admin_user)
    handover = hs.create_handover(actor=clerk, project=project, assets=[gone])
    hs.submit_handover(handover=handover, actor=clerk)
    hs.decide_handover(
        handover=handover,
        actor=receiver,
        decisions=[hs.ItemDecision(tag=gone.tag, result="accepted")],
    )
    handover.refresh_from_db()
    return campaign, kept, gone, handover


def test_the_line_leaves_the_count_and_the_scan_says_to_whom(handed, clerk):
    campaign, kept, gone, handover = handed
    line = campaign.lines.get(asset=gone)
    assert line.result == LineResult.HANDED_OVER and line.handover == handover
    assert campaign.lines.get(asset=kept).result == LineResult.PENDING
    with translation.override("zh-hans"):
        outcome = scanning.record_scan(campaign=campaign, actor=clerk, code=gone.tag)
    assert outcome.answer == "not_in_scope" and outcome.reason == "handed_over"
    assert "已于" in outcome.message and "移交给市卫健委" in outcome.message
    assert handover.number in outcome.message
    line.refresh_from_db()
    assert line.result == LineResult.HANDED_OVER and not line.counted
    with translation.override("en"):
        outcome = scanning.record_scan(campaign=campaign, actor=clerk, code=gone.tag)
        assert "was handed over to 市卫健委 on" in outcome.message
        with pytest.raises(DomainError) as refused:
            scanning.manual_count(campaign=campaign, actor=clerk, tag=gone.tag, reason="看到了")
    assert refused.value.code == "handed_over"


def test_progress_close_and_result_leave_it_out(handed, clerk, admin_user, api):
    campaign, kept, gone, handover = handed
    api.as_user(admin_user)
    progress = api.get(f"/api/v1/stocktakes/{campaign.pk}/progress/").json()
    summary = progress["summary"]
    assert summary["total"] == 1 and summary["pending"] == 1 and summary["handed_over"] == 1
    # The progress tally the summary is read from agrees with the lines themselves.
    assert tally() == orm_count()
    lines = api.get(f"/api/v1/stocktakes/{campaign.pk}/lines/?result=handed_over").json()
    assert [row["tag"] for row in lines["results"]] == [gone.tag]
    assert lines["results"][0]["handover"] == handover.number
    scanning.record_scan(campaign=campaign, actor=clerk, code=kept.tag)
    closed = campaigns.close_campaign(campaign=campaign, actor=admin_user)
    assert campaign.lines.get(asset=gone).result == LineResult.HANDED_OVER
    assert not Difference.objects.filter(campaign=campaign).exists()
    totals = closed.result["totals"]
    assert totals["book_count"] == 1 and totals["shortage_count"] == 0
    assert totals["handed_over_count"] == 1 and totals["match_rate_count"] == 100.0
    gone.refresh_from_db()
    assert not gone.suspected_shortage


def test_a_card_counted_before_its_handover_keeps_its_count(
    plan, centre, other_bureau, clerk, receiver, room, admin_user
):
    project = make_project(builder=centre, owner=other_bureau)
    card = make_asset(owner=centre, actor=clerk, location=room, name="服务器", project=project)
    campaign = campaigns.activate_campaign(campaign=plan(), actor=admin_user)
    scanning.record_scan(campaign=campaign, actor=clerk, code=card.tag)
    handover = hs.create_handover(actor=clerk, project=project, assets=[card])
    hs.submit_handover(handover=handover, actor=clerk)
    hs.decide_handover(
        handover=handover,
        actor=receiver,
        decisions=[hs.ItemDecision(tag=card.tag, result="accepted")],
    )
    assert campaign.lines.get(asset=card).result == LineResult.FOUND


@pytest.mark.parametrize(
    ("headers", "said", "figure"),
    [
        (ZH, "移交给市卫健委", "1 张卡片已移交至本次盘点范围以外，退出本次盘点"),
        (EN, "to 市卫健委 on", "1 handed over outside this count: left it"),
    ],
)
def test_the_lines_and_campaign_pages_say_handed_over(client, handed, clerk, headers, said, figure):
    campaign, kept, gone, handover = handed
    client.force_login(clerk)
    page = client.get(reverse("inventory:line-list", args=[campaign.pk]), **headers)
    body = page.content.decode()
    assert said in body and handover.number in body
    detail = client.get(reverse("inventory:campaign-detail", args=[campaign.pk]), **headers)
    assert figure in detail.content.decode()
