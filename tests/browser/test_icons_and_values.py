"""The header's icons draw on a machine without emoji fonts, and the card speaks the reader's
language (issue 14.4/14.5): the clerk opens the menu and the inbox by their icons, on a phone and
a desk PC, in Chinese and English, and reads the card's history and value as words."""

import io
from decimal import Decimal

import pytest
from PIL import Image

from assets import services
from tests.browser.support import DESK, PHONE, Visit, sign_in
from tests.factories import LocationFactory, make_asset

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _ink(element) -> int:
    """How many distinct colours the element's picture has: an icon drawn in strokes has many
    (antialiased edges), an empty box or a missing glyph a handful."""
    image = Image.open(io.BytesIO(element.screenshot())).convert("RGB")
    return len(image.getcolors(maxcolors=image.width * image.height))


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("device", ["phone", "desk"])
def test_clerk_opens_menu_and_inbox_by_their_icons_and_reads_the_card(
    language, device, base_url, new_context, clerk, centre
):
    room = LocationFactory(code="R-301", name="三楼机房", department=centre)
    card = make_asset(owner=centre, actor=clerk, name="核心交换机", original_value=Decimal("1000"))
    services.update_asset(
        asset=card,
        actor=clerk,
        fields={"original_value": Decimal("24743800.00"), "acquisition_method": "exchange"},
    )
    services.move_asset(asset=card, actor=clerk, location=room)
    options = PHONE if device == "phone" else DESK
    visit = Visit(new_context(language, **options), language=language)
    page = visit.page
    sign_in(visit, base_url, "clerk")

    bell = page.locator("a.bell svg.icon--bell")
    assert bell.is_visible()
    box = bell.bounding_box()
    assert box["width"] >= 14 and box["height"] >= 14, box
    assert _ink(bell) > 8, "the bell icon draws nothing"
    if device == "phone":
        toggle = page.locator("button.nav-toggle")
        assert toggle.locator("svg.icon--menu").is_visible()
        assert not page.locator("#site-nav").is_visible()
        toggle.click()
        assert page.locator("#site-nav").is_visible()
        assert page.get_attribute("button.nav-toggle", "aria-expanded") == "true"
    badge = page.locator(".user-menu .badge").first
    page.locator(".user-menu summary").click()
    assert badge.inner_text() == visit.t("Asset clerk")
    visit.check(f"header-icons-{device}")

    page.click("a.bell")
    page.wait_for_url("**/notifications/")
    visit.check()

    visit.goto(f"{base_url}/assets/{card.tag}/")
    history = page.inner_text(".timeline")
    colon = "：" if language == "zh-hans" else ": "  # each language's own colon
    value = f"{visit.t('Original value (CNY)')}{colon}¥1,000.00 → ¥24,743,800.00"
    assert value in history, history
    assert f"{visit.t('Location')}{colon}— → 三楼机房" in history, history
    assert visit.t("Exchange") in history, history
    assert "original_value" not in history and "exchange" not in history
    visit.check(f"card-history-{device}", full_page=True)
