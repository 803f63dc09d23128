"""A clerk opens a host that holds another department's component, and a card nested in another
department's host (issue 15.3): the page lists only what they may open, counts the rest, and the
breadcrumb names no host outside their scope."""

import pytest

from tests.browser.support import DESK, PHONE, Visit, sign_in
from tests.factories import LocationFactory, make_asset

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def kiosk(centre, other_bureau, clerk):
    room = LocationFactory(code="R101", name="101机房", department=centre)
    host = make_asset(owner=centre, actor=clerk, location=room, name="政务自助终端")
    foreign = make_asset(
        owner=other_bureau, parent=host, embedded=True, name="医保读卡模块", model="HX-READER-7"
    )
    make_asset(owner=centre, parent=foreign, embedded=True, name="加密芯片")
    screen = make_asset(owner=centre, parent=host, embedded=True, name="触摸显示屏")
    front = make_asset(owner=other_bureau, name="卫健委前置机")
    nic = make_asset(owner=centre, parent=front, name="万兆网卡")
    return {"host": host, "foreign": foreign, "screen": screen, "front": front, "nic": nic}


@pytest.mark.parametrize("device", ["phone", "desk"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_card_page_hides_components_and_hosts_outside_the_clerks_scope(
    new_context, base_url, kiosk, language, device
):
    context = new_context(language, **(PHONE if device == "phone" else DESK))
    visit = Visit(context, language=language)
    sign_in(visit, base_url, "clerk")
    page = visit.page

    visit.goto(f"{base_url}/assets/{kiosk['host'].tag}/")
    visit.check(f"clerk-card-hidden-components-{device}", full_page=True)
    body = page.inner_text("body")
    assert kiosk["foreign"].tag not in body and "医保读卡模块" not in body
    hidden = page.locator("[data-hidden-components]")
    assert hidden.get_attribute("data-hidden-components") == "2"
    expected = "另有 2 项不在您的范围内" if language == "zh-hans" else "2 more components"
    assert expected in hidden.inner_text()

    # The component the clerk may open is a working link.
    with page.expect_navigation():
        page.click(f"a:text-is('{kiosk['screen'].tag}')")
    assert page.url.endswith(f"/assets/{kiosk['screen'].tag}/")
    assert kiosk["host"].tag in page.inner_text("ol.breadcrumb")

    visit.goto(f"{base_url}/assets/{kiosk['nic'].tag}/")
    visit.check(f"clerk-card-host-outside-scope-{device}", full_page=True)
    crumb = page.inner_text("ol.breadcrumb")
    assert kiosk["front"].tag not in crumb and "卫健委前置机" not in page.inner_text("body")
    outside = "（不在您的范围内）" if language == "zh-hans" else "(outside your scope)"
    assert outside in crumb


@pytest.mark.parametrize("device", ["phone", "desk"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_move_page_and_list_hide_components_and_hosts_outside_the_clerks_scope(
    new_context, base_url, kiosk, centre, language, device
):
    LocationFactory(code="R102", name="102机房", department=centre)
    context = new_context(language, **(PHONE if device == "phone" else DESK))
    visit = Visit(context, language=language)
    sign_in(visit, base_url, "clerk")
    page = visit.page

    # The move page names the clerk's own follower and only counts the other two.
    visit.goto(f"{base_url}/assets/{kiosk['host'].tag}/move/")
    visit.check(f"clerk-move-hidden-components-{device}", full_page=True)
    body = page.inner_text("body")
    assert kiosk["screen"].tag in body
    assert kiosk["foreign"].tag not in body and "医保读卡模块" not in body
    assert page.locator("[data-hidden-components]").get_attribute("data-hidden-components") == "2"
    page.select_option("select[name=location]", label="R102 102机房")
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    assert page.url.endswith(f"/assets/{kiosk['host'].tag}/")
    assert "102机房" in page.inner_text("body")

    # The register names no host outside the clerk's scope.
    visit.goto(f"{base_url}/?q={kiosk['nic'].tag}")
    visit.check(f"clerk-list-host-outside-scope-{device}", full_page=True)
    row = page.locator("table tbody tr").first
    outside = "（不在您的范围内）" if language == "zh-hans" else "(outside your scope)"
    # On a phone the host column is left out of the card; its cell still says so to a reader.
    assert outside in row.text_content()
    assert kiosk["front"].tag not in page.content()
