"""walk2-2: a second campaign over cards another active campaign counts is refused at activation,
in the service, the API and the page, naming the other campaign and how many cards."""

import pytest
from django.urls import reverse
from django.utils import translation

from assets.errors import Conflict
from inventory.models import StocktakeCampaign
from inventory.services import campaigns, scanning
from tests.factories import make_asset

pytestmark = pytest.mark.django_db


def test_the_service_refuses_a_campaign_whose_cards_are_counted_elsewhere(
    plan, ops, clerk, room, admin_user, centre
):
    make_asset(owner=ops, actor=clerk, location=room, name="服务器")
    first = campaigns.activate_campaign(campaign=plan(), actor=admin_user)
    scanned = first.lines.get()
    scanning.record_scan(campaign=first, actor=clerk, code=scanned.tag)
    make_asset(owner=ops, actor=clerk, location=room, name="交换机")  # after the first started
    second = plan(name="运维部专项盘点", departments=[ops])
    with translation.override("zh-hans"), pytest.raises(Conflict) as refused:
        campaigns.activate_campaign(campaign=second, actor=admin_user)
    assert refused.value.code == "campaigns_overlap"
    assert "2025年度资产清查" in str(refused.value.message)
    assert "本次盘点有 1 张卡片" in str(refused.value.message)
    second.refresh_from_db()
    assert second.state == StocktakeCampaign.State.DRAFT
    assert not second.lines.exists()
    # Once the first is closed, the second starts and freezes both cards.
    campaigns.close_campaign(campaign=first, actor=admin_user)
    campaigns.activate_campaign(campaign=second, actor=admin_user)
    assert second.lines.count() == 2


def test_disjoint_campaigns_run_side_by_side(plan, ops, sibling, clerk, room, admin_user, pc):
    campaigns.activate_campaign(campaign=plan(), actor=admin_user)
    make_asset(owner=sibling, name="打印机")
    other = plan(name="办公室盘点", departments=[sibling])
    campaigns.activate_campaign(campaign=other, actor=admin_user)
    assert other.lines.count() == 1


def test_the_api_answers_409_naming_the_other_campaign(api, admin_user, plan, ops, clerk, room):
    make_asset(owner=ops, actor=clerk, location=room, name="服务器")
    make_asset(owner=ops, actor=clerk, location=room, name="交换机")
    campaigns.activate_campaign(campaign=plan(), actor=admin_user)
    second = plan(name="运维部专项盘点", departments=[ops])
    api.as_user(admin_user)
    response = api.post(f"/api/v1/stocktakes/{second.pk}/activate/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "campaigns_overlap"
    assert "2 张卡片已在进行中的盘点“2025年度资产清查”（2025）中清点" in body["detail"]
    english = api.post(f"/api/v1/stocktakes/{second.pk}/activate/", HTTP_ACCEPT_LANGUAGE="en")
    assert (
        "2 cards of this campaign are already being counted in the active campaign "
        in (english.json()["detail"])
    )


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("zh-hans", "2 张卡片已在进行中的盘点“2025年度资产清查”（2025）中清点"),
        (
            "en",
            "2 cards of this campaign are already being counted in the active campaign "
            "“2025年度资产清查” (2025).",
        ),
    ],
)
def test_the_page_says_why_and_offers_no_activation(
    client, admin_user, plan, ops, clerk, room, language, said
):
    make_asset(owner=ops, actor=clerk, location=room, name="服务器")
    make_asset(owner=ops, actor=clerk, location=room, name="交换机")
    campaigns.activate_campaign(campaign=plan(), actor=admin_user)
    second = plan(name="运维部专项盘点", departments=[ops])
    client.force_login(admin_user)
    detail = reverse("inventory:campaign-detail", args=[second.pk])
    page = client.get(detail, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert said in page
    activate = reverse("inventory:campaign-action", args=[second.pk, "activate"])
    assert activate not in page
    # A page opened before the other campaign started still gets the reason as its answer.
    answer = client.post(activate, follow=True, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert said in answer
    second.refresh_from_db()
    assert second.state == StocktakeCampaign.State.DRAFT
