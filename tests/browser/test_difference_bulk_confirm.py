"""walk2-11, walk2-33: the difference desk's bulk approve and post ask with the numbers of what is ticked
(differences, cards and their 原值), like the other irreversible dialogs do; on a phone each
row keeps its 原值, department and responsible person. Walk 7: the numbers cover only the ticked
rows the action can take; the confirm says how many ticked are skipped and in which state, and
the answer names them with what to do next."""

from decimal import Decimal

import pytest

from inventory.models import Difference
from inventory.services import campaigns, differences, scanning
from tests.browser.support import DESK, PHONE, Visit, sign_in
from tests.factories import LocationFactory, make_asset, make_campaign

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SAID = {
    "zh-hans": {
        "approve-3": "确定审批所选差异？共 2 条差异，涉及 2 张卡片，原值 ¥1,218,000.50。",
        "skip-approve": "将跳过其中不能审批的 1 条（待说明 1）：只有已说明的差异才能审批。",
        "skip-post": "将跳过其中不能入账的 1 条（待说明 1）",
        "skipped": "已跳过 1 条勾选的差异（盘盈“无标签交换机”）：该差异尚未说明：请先填写原因，"
        "说明后才能审批。",
        "approve-2": "确定审批所选差异？共 2 条差异，涉及 2 张卡片，原值 ¥1,218,000.50。",
        "post-2": "确认将所选差异入账？共 2 条差异，涉及 2 张卡片，原值 ¥1,218,000.50。",
    },
    "en": {
        "approve-3": "Differences: 2 · cards: 2 · original value: ¥1,218,000.50.",
        "skip-approve": "Skipped, as they cannot be approved: 1 of the ticked (Raised 1). Only "
        "explained differences are approved.",
        "skip-post": "Skipped, as they cannot be posted: 1 of the ticked (Raised 1).",
        "skipped": "1 ticked difference skipped (Surplus “无标签交换机”): This difference is "
        "not explained yet: give its reason first, then it can be approved.",
        "approve-2": "Differences: 2 · cards: 2 · original value: ¥1,218,000.50.",
        "post-2": "Post the ticked differences? Differences: 2 · cards: 2 · original value: "
        "¥1,218,000.50.",
    },
}


@pytest.fixture
def closed(centre, clerk, admin_user):
    """A closed count: two explained shortages (¥1,212,000.50 and ¥6,000.00) and a surplus."""
    room = LocationFactory(code="R101", name="101机房", department=centre)
    make_asset(
        owner=centre,
        actor=clerk,
        location=room,
        name="服务器",
        original_value=Decimal("1212000.50"),
    )
    make_asset(owner=centre, actor=clerk, location=room, name="打印机")
    campaign = make_campaign(actor=admin_user, departments=[centre])
    scanning.record_surplus(campaign=campaign, actor=clerk, note="无标签交换机", location=room)
    campaign = campaigns.close_campaign(campaign=campaign, actor=admin_user)
    for shortage in campaign.differences.filter(kind=Difference.Kind.SHORTAGE):
        differences.explain_difference(
            difference=shortage, actor=admin_user, reason="丢失", responsible="王资产"
        )
    return campaign


@pytest.mark.parametrize("device", ["phone", "desk"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_bulk_approve_and_post_ask_with_the_ticked_numbers(
    language, device, base_url, new_context, closed, admin_user
):
    visit = Visit(
        new_context(language, **(PHONE if device == "phone" else DESK)), language=language
    )
    page = visit.page
    sign_in(visit, base_url, "admin")
    desk = f"{base_url}/stocktakes/{closed.pk}/differences"
    visit.goto(desk)
    visit.check(f"difference-bulk-{device}", full_page=True)
    shortages = list(closed.differences.filter(kind=Difference.Kind.SHORTAGE))
    # walk2-33: a phone shows the 原值, department and responsible person the desk shows.
    server = page.locator("table tbody tr", has_text="服务器")
    for column, value in (
        ("Original value", "¥1,212,000.50"),
        ("Department", "市大数据中心"),
        ("Responsible person", "王资产"),
    ):
        cell = server.locator(f"td[data-label='{visit.t(column)}']")
        assert cell.is_visible() and value in cell.inner_text(), column
    surplus = closed.differences.get(kind=Difference.Kind.SURPLUS)
    asked = []

    def answer(accept):
        def handle(dialog):
            asked.append(dialog.message)
            dialog.accept() if accept else dialog.dismiss()

        page.once("dialog", handle)

    for difference in [*shortages, surplus]:
        page.check(f"#d-{difference.pk}")
    answer(False)
    page.click("button[name=action][value=approve]")
    page.wait_for_timeout(300)
    assert SAID[language]["approve-3"] in asked[-1], asked
    assert SAID[language]["skip-approve"] in asked[-1], asked

    # Approved with the unexplained surplus still ticked: the shortages are approved, the
    # surplus is skipped, and the answer says why and what to do.
    answer(True)
    with page.expect_navigation():
        page.click("button[name=action][value=approve]")
    assert SAID[language]["approve-2"] in asked[-1], asked
    assert {d.state for d in closed.differences.filter(kind="shortage")} == {"approved"}
    assert closed.differences.get(pk=surplus.pk).state == "raised"
    assert SAID[language]["skipped"] in page.inner_text("main"), page.inner_text("main")
    visit.check(f"difference-bulk-skipped-{device}", full_page=True)

    for difference in [*shortages, surplus]:
        page.check(f"#d-{difference.pk}")
    answer(False)
    page.click("button[name=action][value=post]")
    page.wait_for_timeout(300)
    assert SAID[language]["post-2"] in asked[-1], asked
    assert SAID[language]["skip-post"] in asked[-1], asked
    assert {d.state for d in closed.differences.filter(kind="shortage")} == {"approved"}
    assert visit.errors == []
