"""Walk 2, 5 and 6 in the browser (zh-hans and English, phone and desk).

2, 6: an office clerk assigned to count the centre's room reads a posted shortage whose draft
write-off case is the centre's: the number is text, not a link to a 404, and beside it the
case's own state (草稿) and 'not executed yet', no 已入账/核销.
5: a card handed over to another unit mid-count: the scan page answers 已移交 with the receiver,
date and handover number and does not count it; the lines page shows it handed over.
"""

from datetime import date

import pytest

from assets.handovers import services as hs
from inventory.models import Difference, LineResult
from inventory.services import campaigns, differences
from tests.browser.support import DESK, PHONE, Visit, sign_in
from tests.factories import (
    DepartmentFactory,
    LocationFactory,
    UserFactory,
    make_asset,
    make_campaign,
    make_project,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SAID = {
    "zh-hans": {"draft": "草稿", "pending": "尚未执行，卡片仍在账上", "posted": "已入账"},
    "en": {
        "draft": "Draft",
        "pending": "not executed yet: the card is still on the books",
        "posted": "Posted",
    },
}


@pytest.fixture
def posted(bureau, centre, clerk, admin_user):
    office = DepartmentFactory(code="BUREAU-OFF", name="办公室", parent=bureau)
    office_clerk = UserFactory(username="officeclerk", department=office, roles=["clerk"])
    room = LocationFactory(code="R101", name="101机房", department=centre)
    card = make_asset(owner=centre, actor=clerk, location=room, name="服务器")
    campaign = campaigns.create_campaign(
        actor=admin_user,
        name="2025年度资产清查",
        year=2025,
        reference_date=date(2025, 12, 31),
        due_on=date(2026, 1, 31),
        departments=[bureau],
        assignments=[(office_clerk, None, room)],
    )
    campaign = campaigns.activate_campaign(campaign=campaign, actor=admin_user)
    campaign = campaigns.close_campaign(campaign=campaign, actor=admin_user)
    difference = Difference.objects.get(campaign=campaign, line__asset=card)
    for action in ("explain", "approve", "post"):
        differences.treat_differences(
            differences=[difference], actor=admin_user, action=action, reason="盘点未找到"
        )
    difference.refresh_from_db()
    return campaign, difference


@pytest.mark.parametrize("device", ["phone", "desk"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_case_the_reader_cannot_open_is_named_without_a_link_and_says_draft(
    language, device, base_url, new_context, posted
):
    campaign, difference = posted
    case = difference.disposal
    visit = Visit(
        new_context(language, **(PHONE if device == "phone" else DESK)), language=language
    )
    page = visit.page
    sign_in(visit, base_url, "officeclerk")
    visit.goto(f"{base_url}/stocktakes/{campaign.pk}/differences")
    cell = page.locator("[data-disposal-case]").first
    assert case.number in cell.inner_text()
    assert cell.locator("a").count() == 0
    assert SAID[language]["draft"] in cell.inner_text()
    assert SAID[language]["pending"] in cell.inner_text()
    assert "已入账/核销" not in page.inner_text("main")
    visit.check(f"difference-case-unlinked-{device}", full_page=True)
    visit.goto(f"{base_url}/stocktakes/{campaign.pk}/differences/{difference.pk}")
    detail = page.locator("#difference-disposal")
    assert case.number in detail.inner_text() and detail.locator("a").count() == 0
    assert SAID[language]["pending"] in detail.inner_text()
    visit.check(f"difference-detail-case-draft-{device}", full_page=True)


@pytest.fixture
def handed(centre, other_bureau, clerk, receiver, admin_user):
    room = LocationFactory(code="R101", name="101机房", department=centre)
    project = make_project(builder=centre, owner=other_bureau)
    make_asset(owner=centre, actor=clerk, location=room, name="交换机", project=project)
    gone = make_asset(owner=centre, actor=clerk, location=room, name="服务器", project=project)
    campaign = make_campaign(
        actor=admin_user, departments=[centre], year=2026, due_on=date(2099, 1, 31)
    )
    handover = hs.create_handover(actor=clerk, project=project, assets=[gone])
    hs.submit_handover(handover=handover, actor=clerk)
    hs.decide_handover(
        handover=handover,
        actor=receiver,
        decisions=[hs.ItemDecision(tag=gone.tag, result="accepted")],
    )
    return campaign, gone, handover


@pytest.mark.parametrize("device", ["phone", "desk"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_card_handed_over_mid_count_is_answered_so_and_not_counted(
    language, device, base_url, new_context, handed
):
    campaign, gone, handover = handed
    visit = Visit(
        new_context(language, **(PHONE if device == "phone" else DESK)), language=language
    )
    page = visit.page
    sign_in(visit, base_url, "clerk")
    visit.goto(f"{base_url}/stocktakes/{campaign.pk}/scan")
    page.fill("#scan-code", gone.tag)
    page.press("#scan-code", "Enter")
    page.wait_for_selector(".scan__result--handed_over")
    assert page.inner_text("#scan-answer") == visit.t("Handed over")
    message = page.inner_text("#scan-message")
    assert handover.number in message and "市卫健委" in message
    visit.check(f"stocktake-scan-handed-over-{device}")
    assert campaign.lines.get(asset=gone).result == LineResult.HANDED_OVER
    visit.goto(f"{base_url}/stocktakes/{campaign.pk}/lines")
    row = page.locator("table tbody tr", has_text=gone.tag)
    assert visit.t("Handed over") in row.inner_text()
    assert handover.number in row.locator("[data-handed-over]").inner_text()
    visit.check(f"stocktake-lines-handed-over-{device}", full_page=True)
    visit.goto(f"{base_url}/stocktakes/{campaign.pk}/")
    assert page.locator("[data-figure=handed-over]").is_visible()
    visit.check(f"stocktake-campaign-handed-over-{device}", full_page=True)
