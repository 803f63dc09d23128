"""Issue 14 walk residuals 2, 5 and 7 in the browser, phone and desk, zh-hans and English: the
card's history names the campaign and says generated notes in the reader's language; the
campaign page names lines without a place and says the year once; the receiver's bell has the
submitted handover and its Open button leads to the review page."""

from datetime import date

import pytest

from assets.handovers import services as handover_services
from inventory.services import campaigns, scanning
from tests.browser.support import DESK, PHONE, Visit, sign_in
from tests.factories import make_asset

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

NAME = "2025年度资产清查（中心）"


@pytest.fixture
def walk(admin_user, clerk, receiver, centre, project):
    card = make_asset(owner=centre, actor=clerk, name="台式计算机")
    campaign = campaigns.create_campaign(
        actor=admin_user,
        name=NAME,
        year=2025,
        reference_date=date(2025, 12, 31),
        due_on=date(2099, 1, 31),
        departments=[centre],
    )
    campaign = campaigns.activate_campaign(campaign=campaign, actor=admin_user)
    scanning.record_scan(campaign=campaign, actor=clerk, code=card.tag)
    campaign = campaigns.close_campaign(campaign=campaign, actor=admin_user)
    items = [
        make_asset(owner=centre, actor=clerk, project=project, name=name)
        for name in ("核心交换机", "防火墙")
    ]
    handover = handover_services.create_handover(actor=clerk, project=project, assets=items)
    handover = handover_services.submit_handover(handover=handover, actor=clerk)
    return {"card": card, "campaign": campaign, "handover": handover}


@pytest.mark.parametrize("device", ["phone", "desk"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_history_campaign_page_and_the_receivers_bell(
    language, device, base_url, new_context, walk
):
    visit = Visit(
        new_context(language, **(PHONE if device == "phone" else DESK)), language=language
    )
    page = visit.page
    suffix = "" if device == "desk" else "-phone"
    sign_in(visit, base_url, "clerk")
    visit.goto(f"{base_url}/assets/{walk['card'].tag}/")
    history = page.inner_text(".timeline")
    assert NAME in history and f"#{walk['campaign'].pk}" not in history
    visit.check(f"card-history-campaign{suffix}", full_page=True)

    visit.goto(f"{base_url}/stocktakes/{walk['campaign'].pk}/")
    assert page.inner_text("h1").count("2025") == 1
    assert visit.t("No location") in page.inner_text("main")
    visit.check(f"campaign-no-location{suffix}", full_page=True)

    page.context.clear_cookies()
    sign_in(visit, base_url, "receiver")
    page.click("a.bell")
    item = page.locator(".timeline__item", has_text=walk["handover"].number).first
    assert visit.t("Handover submitted to you") in item.inner_text()
    visit.check(f"receiver-inbox-handover{suffix}")
    with page.expect_navigation():
        item.locator("button[name=open]").click()
    assert page.url.endswith(f"/handovers/{walk['handover'].number}/review/")
