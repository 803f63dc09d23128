"""Issue 14 walk residual 6: the admin's label template shows its printed fields as ticks (not
JSON), an auditor reads them as words, a campaign without a scope list says 全部/All, and the
类型 column stays on one line on a phone."""

from datetime import date

import pytest

from inventory.services import campaigns
from labels.models import LabelTemplate
from tests.browser.support import DESK, PHONE, Visit, sign_in
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("device", ["phone", "desk"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_label_template_and_campaign_scope_read_as_words(
    language, device, base_url, new_context, bureau
):
    admin_user = UserFactory(username="admin", department=bureau, roles=["admin"], is_staff=True)
    UserFactory(username="auditor", department=bureau, roles=["auditor"], is_staff=True)
    campaign = campaigns.create_campaign(
        actor=admin_user, name="2025年度全面清查", year=2025, due_on=date(2099, 1, 31)
    )
    template = LabelTemplate.objects.get(code="a4-70x40")
    visit = Visit(
        new_context(language, **(PHONE if device == "phone" else DESK)), language=language
    )
    page = visit.page
    suffix = "" if device == "desk" else "-phone"
    sign_in(visit, base_url, "admin")
    visit.goto(f"{base_url}/admin/labels/labeltemplate/")
    cell = page.locator("#result_list td.field-kind").first
    assert cell.evaluate("el => getComputedStyle(el).whiteSpace") == "nowrap"
    visit.goto(f"{base_url}/admin/labels/labeltemplate/{template.pk}/change/")
    ticks = page.locator(".field-fields input[type=checkbox]")
    assert ticks.count() == len(LabelTemplate.Field.values)
    assert page.locator(".field-fields textarea").count() == 0
    assert "[" not in page.inner_text(".field-fields")
    # Untick everything but the name, save, and the template prints the name only.
    for value in LabelTemplate.Field.values:
        page.locator(f".field-fields input[value='{value}']").set_checked(value == "name")
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist")
    template.refresh_from_db()
    assert template.fields == ["name"]
    visit.screenshot(f"admin-label-template{suffix}", full_page=True)
    visit.goto(f"{base_url}/admin/inventory/stocktakecampaign/{campaign.pk}/change/")
    scope = page.inner_text(".field-scope_departments .readonly")
    assert scope == visit.t("All")
    visit.screenshot(f"admin-campaign-scope{suffix}")
    # The auditor reads the printed fields as words.
    page.context.clear_cookies()
    sign_in(visit, base_url, "auditor")
    visit.goto(f"{base_url}/admin/labels/labeltemplate/{template.pk}/change/")
    assert page.inner_text(".field-printed_fields .readonly") == str(
        dict(LabelTemplate.Field.choices)["name"]
    ) or page.inner_text(".field-printed_fields .readonly") == visit.t("Name")
    assert visit.errors == []
