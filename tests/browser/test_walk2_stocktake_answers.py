"""walk2-2 and walk2-14 in the browser: a campaign overlapping an active one says why it cannot
start (no activate button); the scan page answers a card registered after the count started."""

from datetime import date

import pytest

from tests.browser.support import DESK, PHONE, Visit, sign_in
from tests.factories import LocationFactory, make_asset, make_campaign

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def counting(centre, clerk, admin_user):
    room = LocationFactory(code="R101", name="101机房", department=centre)
    make_asset(owner=centre, actor=clerk, location=room, name="台式计算机")
    make_asset(owner=centre, actor=clerk, location=room, name="接入交换机")
    return make_campaign(
        actor=admin_user, departments=[centre], year=2026, due_on=date(2099, 1, 31)
    )


@pytest.mark.parametrize("device", ["phone", "desk"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_an_overlapping_campaign_says_why_it_cannot_start(
    language, device, base_url, new_context, counting, centre, admin_user
):
    second = make_campaign(
        actor=admin_user, departments=[centre], name="运维部专项盘点", year=2026, activate=False
    )
    visit = Visit(
        new_context(language, **(PHONE if device == "phone" else DESK)), language=language
    )
    page = visit.page
    sign_in(visit, base_url, "admin")
    visit.goto(f"{base_url}/stocktakes/{second.pk}/")
    note = page.inner_text(".campaign-action [role=alert]")
    assert counting.name in note and "2" in note
    assert page.locator(f"form[action='/stocktakes/{second.pk}/activate/']").count() == 0
    visit.check(f"stocktake-overlap-{device}", full_page=True)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_scanning_a_card_registered_after_the_start_says_so(
    language, base_url, new_context, counting, centre, clerk
):
    new = make_asset(owner=centre, actor=clerk, name="新购服务器")
    visit = Visit(new_context(language, **PHONE), language=language)
    page = visit.page
    sign_in(visit, base_url, "clerk")
    visit.goto(f"{base_url}/stocktakes/{counting.pk}/scan")
    page.fill("#scan-code", new.tag)
    page.press("#scan-code", "Enter")
    page.wait_for_selector(".scan__result--registered_later")
    assert page.inner_text("#scan-answer") == visit.t("Registered after the count started")
    assert new.tag in page.inner_text("#scan-message")
    visit.check("stocktake-phone-scan-registered-later")
