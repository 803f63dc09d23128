"""The asset office at the end of a count: close the campaign through its confirmation, read
the lines and the differences on a phone and at a desk, and treat a shortage through explain →
approve → post on the difference desk; the scan page's own answers to an empty field."""

from datetime import date

import pytest

from assets.models import Asset
from inventory.models import Difference, StocktakeCampaign
from inventory.services import scanning
from tests.browser.support import DESK, PHONE, Visit, sign_in
from tests.factories import LocationFactory, make_asset, make_campaign, retire_directly

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DEVICES = {"phone": PHONE, "desk": {**DESK, "viewport": {"width": 1280, "height": 800}}}


@pytest.fixture
def counting(centre, clerk, admin_user):
    """A count of the centre: four cards on the books, one counted."""
    room = LocationFactory(code="R101", name="101机房", department=centre)
    office = LocationFactory(code="R202", name="202办公室", department=centre)
    found = make_asset(owner=centre, actor=clerk, location=room, name="台式计算机")
    make_asset(owner=centre, actor=clerk, location=room, name="便携式计算机")
    make_asset(owner=centre, actor=clerk, location=office, name="激光打印机")
    make_asset(owner=centre, actor=clerk, location=office, name="接入交换机")
    campaign = make_campaign(
        actor=admin_user, departments=[centre], year=2026, due_on=date(2099, 1, 31)
    )
    scanning.record_scan(campaign=campaign, actor=clerk, code=found.tag, location=room)
    return campaign


def _fits(page, selector: str, width: int) -> bool:
    """Every element matched lies inside the viewport's width (nothing cut or off-screen)."""
    boxes = [
        page.locator(selector).nth(i).bounding_box() for i in range(page.locator(selector).count())
    ]
    return bool(boxes) and all(
        box and box["x"] >= 0 and box["x"] + box["width"] <= width + 1 for box in boxes
    )


@pytest.mark.parametrize("device", ["phone", "desk"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_admin_closes_through_the_confirmation_and_treats_a_shortage(
    language, device, base_url, new_context, counting, admin_user
):
    campaign = counting
    width = DEVICES[device]["viewport"]["width"]
    visit = Visit(new_context(language, **DEVICES[device]), language=language)
    page = visit.page
    shot = f"stocktake-{device}"
    sign_in(visit, base_url, "admin")
    visit.goto(f"{base_url}/stocktakes/")
    visit.check(f"{shot}-campaigns")
    page.click(f"a[href='/stocktakes/{campaign.pk}/']")
    visit.check(f"{shot}-campaign-active", full_page=True)

    # The close button is not beside the scan button, and it says what it will do.
    toolbar = page.locator(".toolbar").first
    assert toolbar.locator("a[href$='/scan']").count() == 1
    assert toolbar.locator("button").count() == 0
    close = page.locator(f"form[action='/stocktakes/{campaign.pk}/close/'] button")
    note = page.inner_text("#campaign-action-note")
    assert "3" in note and "1" in note

    # Dismissed: nothing changes.
    dialogs = []

    def dismiss(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    close.click()
    page.wait_for_timeout(300)
    assert dialogs and "3" in dialogs[0]
    assert (
        visit.t(
            "Close the count? %(count)s cards not counted yet will be recorded as "
            "shortages, and nobody can scan any more. This cannot be undone."
        )
        != ""
    )
    campaign.refresh_from_db()
    assert campaign.state == StocktakeCampaign.State.ACTIVE

    # Accepted: closed, and the answer names the numbers.
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        close.click()
    campaign.refresh_from_db()
    assert campaign.state == StocktakeCampaign.State.CLOSED
    answer = page.inner_text(".messages")
    if language == "zh-hans":
        assert "已结束盘点：实盘 1 张，盘亏 3 张" in answer
    else:
        assert "1 counted, 3 shortages" in answer
    visit.check(f"{shot}-campaign-closed", full_page=True)

    # The lines: the result is on screen on a phone, nothing cut at a desk.
    visit.goto(f"{base_url}/stocktakes/{campaign.pk}/lines")
    assert _fits(page, "table tbody tr td:nth-child(3) .badge", width)
    assert _fits(page, "table tbody tr td", width) or device == "phone"
    visit.check(f"{shot}-lines", full_page=True)

    # The difference desk: tick the printer's shortage, explain it with one text.
    visit.goto(f"{base_url}/stocktakes/{campaign.pk}/differences")
    visit.check(f"{shot}-differences", full_page=True)
    printer = Difference.objects.get(campaign=campaign, line__name="激光打印机")
    tag = printer.line.tag
    assert page.locator(f"a[href='/assets/{tag}/']").count() == 1
    if device == "desk":
        assert _fits(page, "table thead th", width)
    page.check(f"#d-{printer.pk}")
    page.fill("#bulk-reason", "借给规划发展处使用，未办理借用手续")
    page.fill("#bulk-responsible", "王资产")
    with page.expect_navigation():
        page.click("button[name=action][value=explain]")
    printer.refresh_from_db()
    assert printer.state == Difference.State.EXPLAINED
    assert "1" in page.inner_text(".messages")

    # Approve (confirmed), then post (confirmed): the card goes into a draft write-off case.
    for action, state in (
        ("approve", Difference.State.APPROVED),
        ("post", Difference.State.POSTED),
    ):
        page.check(f"#d-{printer.pk}")
        page.once("dialog", lambda dialog: dialog.accept())
        with page.expect_navigation():
            page.click(f"button[name=action][value={action}]")
        printer.refresh_from_db()
        assert printer.state == state, page.inner_text(".messages")
    case = Asset.objects.get(tag=tag).disposal_items.get(is_open=True).case
    assert case.method == "write_off"
    visit.allowed.append(case.number)
    visit.check(f"{shot}-differences-treated", full_page=True)

    # Its page tells the story; archiving still waits for the other two.
    page.click(f"a[href='/stocktakes/{campaign.pk}/differences/{printer.pk}']")
    assert "借给规划发展处使用" in page.inner_text("#difference-reason")
    visit.check(f"{shot}-difference", full_page=True)
    visit.goto(f"{base_url}/stocktakes/{campaign.pk}/")
    assert page.locator(f"form[action='/stocktakes/{campaign.pk}/archive/']").count() == 0
    assert "2" in page.inner_text("#campaign-action-note")
    assert visit.errors == []


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_scan_page_says_nothing_was_sent_for_an_empty_field(
    language, base_url, new_context, counting, centre, clerk, admin_user
):

    retired = make_asset(owner=centre, actor=clerk, name="旧打印机")
    retire_directly(asset=retired, actor=admin_user, reason="报废")
    visit = Visit(new_context(language, **PHONE), language=language)
    visit.expected_errors.append("400 (Bad Request)")  # the refused "hello world"
    page = visit.page
    sign_in(visit, base_url, "clerk")
    visit.goto(f"{base_url}/stocktakes/{counting.pk}/scan")
    page.fill("#scan-code", "hello world")
    page.press("#scan-code", "Enter")
    page.wait_for_selector(".scan__result--invalid")
    assert "hello world" in page.inner_text("#scan-message")
    assert page.inner_text("#scan-answer") == visit.t("Not a tag")
    page.press("#scan-code", "Enter")
    page.wait_for_selector(".scan__result--empty")
    assert page.inner_text("#scan-answer") == visit.t("Nothing sent")
    visit.check("stocktake-phone-scan-empty")
    assert counting.scans.count() == 1  # the fixture's; nothing from this page

    # A retired card of the clerk's own department says so, not "not in your scope".
    page.fill("#scan-code", retired.tag)
    page.press("#scan-code", "Enter")
    page.wait_for_selector(".scan__result--retired")
    assert page.inner_text("#scan-answer") == visit.t("Retired card")
    assert retired.tag in page.inner_text("#scan-message")
    visit.check("stocktake-phone-scan-retired")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_planning_form_shows_the_reference_date(language, base_url, new_context, clerk):
    visit = Visit(new_context(language, **DEVICES["desk"]), language=language)
    page = visit.page
    sign_in(visit, base_url, "clerk")
    visit.goto(f"{base_url}/stocktakes/new/")
    year = date.today().year
    assert page.input_value("#id_reference_date") == f"{year}-12-31"
    visit.check("stocktake-desk-plan")
