"""What a phone camera opens from a label (`/a/{TAG}`): a stranger sees the tag, the owning unit
and whom to tell (not the name); a clerk of another unit is told whose card it is (not to sign
in); an address that opens too many label pages gets a clear 429 page."""

import pytest

from tests.browser.support import DESK, PHONE, Visit, sign_in
from tests.factories import make_asset

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def card(centre):
    centre.contact = "资产科 0571-12345678"
    centre.save()
    return make_asset(owner=centre, name="核心交换机")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("device", ["phone", "desk"])
def test_public_label_page_for_a_stranger_and_for_another_units_clerk(
    language, device, base_url, new_context, card, other_clerk, settings
):
    settings.YIKA_PUBLIC_SCAN_RATE = "2/min"
    prefix = "phone-" if device == "phone" else ""
    visit = Visit(
        new_context(language, **(PHONE if device == "phone" else DESK)), language=language
    )
    page = visit.page
    visit.goto(f"{base_url}/a/{card.tag}")
    text = page.inner_text("main")
    assert card.tag in text and card.owner_department.name in text and "0571-12345678" in text
    assert "核心交换机" not in text
    assert page.locator("a[href^='/accounts/login/']").count() >= 1
    visit.check(f"{prefix}public-label")

    # Too many label pages from this address: a page that says so, with a Retry-After.
    visit.expected_errors.append("status of 429")
    page.goto(f"{base_url}/a/{card.tag}")
    answer = page.goto(f"{base_url}/a/{card.tag}")
    assert answer.status == 429 and int(answer.headers["retry-after"]) >= 1
    assert visit.t("Too many label pages") in page.inner_text("h1")
    assert "核心交换机" not in page.inner_text("main")
    visit.check(f"{prefix}public-label-throttled")

    # A clerk of another unit, signed in, scans the same label.
    settings.YIKA_PUBLIC_SCAN_RATE = "off"
    clerk_visit = Visit(
        new_context(language, **(PHONE if device == "phone" else DESK)), language=language
    )
    sign_in(clerk_visit, base_url, other_clerk.username)
    clerk_visit.goto(f"{base_url}/a/{card.tag}")
    note = clerk_visit.page.inner_text("#outsider-note")
    assert card.owner_department.name in note and "0571-12345678" in note
    assert clerk_visit.page.locator("a[href^='/accounts/login/']").count() == 0
    clerk_visit.check(f"{prefix}public-label-other-unit")
