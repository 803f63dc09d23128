"""Register lists on a phone and at a desk (14.11): on a phone the asset and handover lists are
cards (tag, name, status, location) under their count, with the filters folded behind one button;
at 1280 px every table of the register, handover and import pages fits without sideways scrolling,
in Chinese and in English."""

from decimal import Decimal

import pytest

from assets.handovers import services as handover_services
from tests.browser.support import DESK, PHONE, Visit, sign_in
from tests.factories import LocationFactory, make_asset

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

FITS_JS = """
() => [...document.querySelectorAll('.table-wrap')].map(
  (wrap) => [wrap.scrollWidth, wrap.clientWidth])
"""


@pytest.fixture
def register(project, clerk, centre):
    room = LocationFactory(code="HQ-B1-F3-301", name="数据中心三层 301 主机房")
    host = make_asset(
        owner=centre,
        actor=clerk,
        name="政务云平台核心交换机（主用）",
        model="CloudEngine S12700E-8 FusionServer",
        location=room,
        project=project,
        original_value=Decimal("24743800.00"),
    )
    for n in range(11):
        make_asset(
            owner=centre,
            actor=clerk,
            name=f"政务服务自助终端 {n + 1} 号机",
            model="BST-ZW01 Self-service Kiosk",
            location=room,
            project=project,
            parent=host if n < 3 else None,
            embedded=n < 3,
        )
    created = handover_services.create_handover(actor=clerk, project=project, assets=[host])
    return handover_services.submit_handover(handover=created, actor=clerk)


def assert_tables_fit(page):
    for scroll, client in page.evaluate(FITS_JS):
        assert scroll <= client + 1, f"{page.url}: a table is {scroll}px wide in {client}px"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_phone_lists_are_cards_under_their_count_with_folded_filters(
    language, base_url, new_context, register, clerk
):
    visit = Visit(
        new_context(language, **PHONE),
        language=language,
        allowed_words={
            register.number,
            register.project.code,
            "BST",
            "ZW01",
            "Kiosk",
            "Self",
            "service",
            "CloudEngine",
            "FusionServer",
        },
    )
    page = visit.page
    sign_in(visit, base_url, "clerk")
    visit.goto(f"{base_url}/")
    count = page.locator(".list-count")
    assert count.is_visible() and count.bounding_box()["y"] < 300
    fold = page.locator("details.filters-fold")
    assert fold.get_attribute("open") is None
    assert not page.locator("form.filters").is_visible()
    # The first card starts on the first screen, and a card shows tag, name, status, location.
    first = page.locator("table.table--cards tbody tr").first
    assert first.bounding_box()["y"] < 844
    assert page.locator("table.table--cards thead").is_hidden()
    for cell in ("td.mono", "td.cell--title", "td .badge", "td[data-label]"):
        assert first.locator(cell).first.is_visible()
    assert first.locator("td.cell--wide-only").first.is_hidden()
    visit.check("lists-assets-phone")
    # The one filter button opens the filters; filtering keeps them open and shows the count.
    page.click("details.filters-fold > summary")
    assert page.locator("form.filters").is_visible()
    page.fill("#id_q", "自助终端 1 号")
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    assert page.locator("details.filters-fold").get_attribute("open") is not None
    assert "1" in page.inner_text(".list-count")
    assert page.locator("table.table--cards tbody tr").count() == 1
    visit.check("lists-assets-filtered-phone")

    visit.goto(f"{base_url}/handovers/")
    assert page.locator(".list-count").is_visible()
    assert page.locator("details.filters-fold").get_attribute("open") is None
    assert register.number in page.inner_text("table.table--cards tbody")
    visit.check("lists-handovers-phone")
    visit.goto(f"{base_url}/handovers/{register.number}/")
    assert page.locator("table.table--cards thead").first.is_hidden()
    visit.check("lists-handover-detail-phone")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_desktop_tables_fit_at_1280_px(language, base_url, new_context, register, clerk):
    visit = Visit(
        new_context(language, **DESK),
        language=language,
        allowed_words={
            register.number,
            register.project.code,
            "BST",
            "ZW01",
            "Kiosk",
            "Self",
            "service",
            "CloudEngine",
            "FusionServer",
        },
    )
    page = visit.page
    sign_in(visit, base_url, "clerk")
    visit.goto(f"{base_url}/")
    assert page.locator("details.filters-fold").get_attribute("open") is not None
    assert page.locator("table.table--cards thead").is_visible()
    headers = page.locator("table.table--cards th").all_inner_texts()
    # The clerk's list starts with the selection column (申请处置 from the ticked cards).
    assert len(headers) == 10
    assert_tables_fit(page)
    visit.check("lists-assets")
    for url, shot in (
        ("/handovers/", "lists-handovers"),
        (f"/handovers/{register.number}/", "lists-handover-detail"),
    ):
        visit.goto(f"{base_url}{url}")
        assert_tables_fit(page)
        visit.check(shot)


@pytest.mark.parametrize("device", ["phone", "desk"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_retiring_a_host_asks_first_saying_what_happens_to_its_components(
    language, device, base_url, new_context, centre, clerk, settings
):
    """14.6: retiring is irreversible: the question names the card and how many components go
    with it; dismissing changes nothing; the answer says what happened."""
    settings.YIKA_DISPOSAL_APPROVAL = False  # retiring directly, as without disposal approval
    from assets.models import Asset

    host = make_asset(owner=centre, actor=clerk, name="机架式服务器")
    for name in ("密码卡", "网卡"):
        make_asset(owner=centre, actor=clerk, name=name, parent=host, embedded=True)
    visit = Visit(
        new_context(language, **(PHONE if device == "phone" else DESK)), language=language
    )
    page = visit.page
    sign_in(visit, base_url, "clerk")
    visit.goto(f"{base_url}/assets/{host.tag}/retire/")
    page.fill("#id_reason", "报废批复 2026-08")
    page.check("input[name=components][value=retire]")
    suffix = "-phone" if device == "phone" else ""
    visit.check(f"clerk-retire{suffix}")
    asked = []

    def dismiss(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.click("button[data-confirm-choice]")
    page.wait_for_timeout(300)
    expected = "共 3 张卡片" if language == "zh-hans" else "(3 cards in all)"
    assert asked and host.tag in asked[0] and expected in asked[0]
    assert Asset.objects.filter(status="retired").count() == 0

    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click("button[data-confirm-choice]")
    assert Asset.objects.filter(status="retired").count() == 3
    answer = page.inner_text(".messages")
    assert host.tag in answer
    assert ("2 个下属设备一并处置" if language == "zh-hans" else "2 component(s) with it") in answer
    visit.check(f"clerk-retired{suffix}")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_overdue_projects_and_import_history_are_cards_on_a_phone(
    language, base_url, new_context, register, clerk
):
    """The overdue projects table ran off a phone's screen (移交期限 out of view, project names one
    character a line); it is a list of cards like the other lists."""
    visit = Visit(new_context(language, **PHONE), language=language)
    page = visit.page
    sign_in(visit, base_url, "clerk")
    visit.goto(f"{base_url}/projects/overdue/")
    assert page.locator("table.table--cards tbody tr").count() >= 1
    assert not page.is_visible("table.table--cards thead")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways ({width} px)"
    due = page.locator("table.table--cards tbody tr").first.locator("td").nth(4)
    assert due.is_visible() and due.inner_text().strip().endswith("2024-06-15")
    visit.check("lists-projects-overdue-phone", full_page=True)
