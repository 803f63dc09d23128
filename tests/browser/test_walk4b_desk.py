"""walk4-4: a refused bulk explanation keeps what the clerk ticked and typed, and marks the
missing field (it answered "请填写差异原因。未作任何更改。" with every tick and text cleared)."""

import pytest

from inventory.models import Difference
from inventory.services import campaigns
from tests.browser.support import DESK, PHONE, Visit, sign_in
from tests.factories import LocationFactory, make_asset, make_campaign

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("device", ["phone", "desk"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_refused_bulk_explanation_keeps_the_ticks_and_the_typed_texts(
    language, device, base_url, new_context, centre, clerk, admin_user
):
    room = LocationFactory(code="R101", name="101机房", department=centre)
    for name in ("服务器", "打印机", "显示器"):
        make_asset(owner=centre, actor=clerk, location=room, name=name)
    campaign = make_campaign(actor=admin_user, departments=[centre])
    campaign = campaigns.close_campaign(campaign=campaign, actor=admin_user)
    ticked = list(campaign.differences.filter(kind=Difference.Kind.SHORTAGE).order_by("pk")[:2])
    visit = Visit(
        new_context(language, **(PHONE if device == "phone" else DESK)), language=language
    )
    page = visit.page
    sign_in(visit, base_url, "admin")
    visit.goto(f"{base_url}/stocktakes/{campaign.pk}/differences?kind=shortage")
    for item in ticked:
        page.check(f"#d-{item.pk}")
    page.fill("#bulk-responsible", "李运维")
    page.fill("#bulk-treatment", "报损")
    page.click("button[name=action][value=explain]")
    page.wait_for_load_state()
    assert visit.t("Give the reason for the difference.") in page.inner_text(".messages")
    assert "kind=shortage" in page.url or page.locator("#f-kind").input_value() == "shortage"
    for item in campaign.differences.filter(kind=Difference.Kind.SHORTAGE):
        assert page.is_checked(f"#d-{item.pk}") == (item in ticked), item.pk
    assert page.input_value("#bulk-responsible") == "李运维"
    assert page.input_value("#bulk-treatment") == "报损"
    reason = page.locator("#bulk-reason")
    assert reason.get_attribute("aria-invalid") == "true"
    assert page.locator("#bulk-reason-error").inner_text() == visit.t(
        "Give the reason for the difference."
    )
    # The refusal is the page's own 400 answer, not a broken resource.
    visit.errors = [e for e in visit.errors if "status of 400" not in e]
    visit.check(f"walk4-bulk-refused-{device}", full_page=True)
    # Typing the reason now explains exactly the ticked rows.
    reason.fill("调拨未登记")
    page.click("button[name=action][value=explain]")
    page.wait_for_load_state()
    states = dict(campaign.differences.values_list("pk", "state"))
    assert [states[item.pk] for item in ticked] == ["explained", "explained"]
    assert list(states.values()).count("explained") == 2
