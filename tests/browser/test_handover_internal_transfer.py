"""The centre's clerk drafts an internal transfer (no project) to an office of the unit from the
new-handover page (issue 17), on a phone and at a desk; another unit is refused with the
disposal route named."""

import pytest

from assets.models import Handover
from tests.browser.support import DESK, PHONE, Visit, sign_in
from tests.factories import DepartmentFactory, make_asset

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("device", ["phone", "desk"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_clerk_drafts_an_internal_transfer_to_an_office(
    language, device, base_url, new_context, clerk, centre, bureau, other_bureau
):
    office = DepartmentFactory(code="OPS", name="运维科", kind="office", parent=bureau)
    card = make_asset(owner=centre, actor=clerk, name="备用交换机", model="S5735")
    visit = Visit(
        new_context(language, **(PHONE if device == "phone" else DESK)),
        language=language,
        allowed_words={"S5735", "OPS", "HEALTH"},
    )
    page = visit.page
    sign_in(visit, base_url, "clerk")
    visit.goto(f"{base_url}/handovers/new/")
    with page.expect_navigation():
        page.select_option("#pick-project", "internal")  # submits itself
    assert page.locator("[data-internal-transfer]").is_visible()
    page.fill("textarea[name=scanned]", card.tag)

    # Another unit first: refused (the form comes back as a 400), naming the disposal route.
    visit.expected_errors.append("status of 400")
    page.select_option("select[name=to_department]", other_bureau.code)
    with page.expect_navigation():
        page.click("form.form--wide button.btn--primary")
    assert "无偿划转" in page.inner_text(".form-errors")
    assert not Handover.objects.exists()

    page.select_option("select[name=to_department]", office.code)
    suffix = "-phone" if device == "phone" else ""
    visit.check(f"clerk-internal-transfer-new{suffix}", full_page=True)
    with page.expect_navigation():
        page.click("form.form--wide button.btn--primary")
    handover = Handover.objects.get()
    assert page.url.endswith(f"/handovers/{handover.number}/")
    assert handover.project is None and handover.to_department == office
    assert list(handover.items.values_list("asset__tag", flat=True)) == [card.tag]
