"""Issue 14 walk residual 4, on the phone scan page: "still pending here" lists the chosen
place's cards only (none before a place is chosen), the place list is found by typing (grouped
under its parent) and a refused scan (400) says why on the page."""

from datetime import date

import pytest

from inventory.services import campaigns
from tests.browser.support import DESK, PHONE, Visit, sign_in, texts
from tests.factories import DepartmentFactory, LocationFactory, make_asset

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def counting(centre, clerk, admin_user):
    room = LocationFactory(code="HQ-301", name="301机房", department=centre)
    rack_a = LocationFactory(code="HQ-301-A01", name="A01机柜", department=centre, parent=room)
    rack_b = LocationFactory(code="HQ-301-B06", name="B06机柜", department=centre, parent=room)
    elsewhere = DepartmentFactory(code="ELSE", name="别的单位")
    LocationFactory(code="ELSE-1", name="别处仓库", department=elsewhere)
    here = make_asset(owner=centre, actor=clerk, location=rack_a, name="A01的服务器")
    there = make_asset(owner=centre, actor=clerk, location=rack_b, name="B06的交换机")
    campaign = campaigns.create_campaign(
        actor=admin_user,
        name="2025年度资产清查",
        year=2025,
        due_on=date(2099, 1, 31),
        departments=[centre],
    )
    campaign = campaigns.activate_campaign(campaign=campaign, actor=admin_user)
    campaign.here, campaign.there = here, there
    return campaign


@pytest.mark.parametrize("device", ["phone", "desk"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_pending_here_is_the_chosen_places_and_a_refusal_is_shown(
    language, device, base_url, new_context, counting
):
    visit = Visit(
        new_context(language, **(PHONE if device == "phone" else DESK)), language=language
    )
    page = visit.page
    sign_in(visit, base_url, "clerk")
    visit.goto(f"{base_url}/stocktakes/{counting.pk}/scan")
    page.wait_for_selector("#pending-list li")
    # No place chosen: no "here", so no cards of every rack.
    assert texts(page, "#pending-list li") == [
        visit.t("Choose where you are to see the cards still pending there.")
    ]
    # Only the clerk's places, grouped under their parent; another unit's store is not listed.
    options = texts(page, "#scan-location option")
    assert not any("别处仓库" in option for option in options)
    assert page.locator("#scan-location optgroup[label='301机房']").count() == 1
    # Typing narrows the list and picks the match; pending shows that rack's card only.
    page.fill("#scan-location-filter", "A01")
    page.wait_for_function(
        "(tag) => document.querySelector('#pending-list').textContent.includes(tag)",
        arg=counting.here.tag,
    )
    assert page.input_value("#scan-location") == "HQ-301-A01"
    pending = page.inner_text("#pending-list")
    assert counting.here.tag in pending and counting.there.tag not in pending
    suffix = "" if device == "desk" else "-phone"
    visit.check(f"clerk-scan-places{suffix}")
    # A refused scan (400) is answered on the screen, not only in the console.
    visit.expected_errors.append("400")
    page.fill("#scan-code", "hello world")
    page.press("#scan-code", "Enter")
    page.wait_for_selector("#scan-result:not([hidden])")
    assert page.inner_text("#scan-answer") == visit.t("Not a tag")
    assert "hello world" in page.inner_text("#scan-message")
    visit.check(f"clerk-scan-refused{suffix}")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_batch_refused_as_a_whole_says_why_and_keeps_the_queue(
    language, base_url, new_context, counting, settings
):
    """The old page showed nothing on a 400 for the whole batch (only the browser's console had
    it) and emptied the phone's queue."""
    import uuid

    from django.utils import timezone

    from inventory.services import scanning

    settings.YIKA_STOCKTAKE_SCAN_BATCH_MAX = 5
    visit = Visit(new_context(language, **PHONE), language=language)
    visit.expected_errors.append("400")
    page = visit.page
    sign_in(visit, base_url, "clerk")
    visit.goto(f"{base_url}/stocktakes/{counting.pk}/scan")
    at = timezone.now().isoformat()
    entries = [
        {"code": counting.here.tag, "client_key": str(uuid.uuid4()), "scanned_at": at}
        for _ in range(8)
    ]
    key = f"yika-scan-queue-{counting.pk}"
    page.evaluate(
        "([key, entries]) => { localStorage.setItem(key, JSON.stringify(entries));"
        " window.dispatchEvent(new Event('online')); }",
        [key, entries],
    )
    page.wait_for_selector("#scan-result:not([hidden])")
    with translation_override(language):
        expected = str(scanning.batch_too_large_message(5))
    assert page.inner_text("#scan-message") == expected
    assert page.evaluate("(key) => JSON.parse(localStorage.getItem(key)).length", key) == 8
    visit.check("clerk-scan-batch-refused-phone")


def translation_override(language):
    from django.utils import translation

    return translation.override(language)
