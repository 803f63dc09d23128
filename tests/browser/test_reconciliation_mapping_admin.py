"""The finance export's column mapping in the Django admin, in a browser: the administrator
writes the finance system's header for a field shown under its name in the reader's language,
saves it, sees it listed, and clears it with the list's action. Phone and desk, zh and en."""

import pytest

from assets.reconciliations.models import ReconciliationMapping
from tests.browser.support import DESK, PHONE, Visit, sign_in
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(("size", "suffix"), [(PHONE, "-phone"), (DESK, "")])
def test_admin_saves_and_clears_the_column_mapping(
    language, size, suffix, base_url, new_context, bureau
):
    UserFactory(username="admin", department=bureau, roles=["admin"], is_staff=True)
    visit = Visit(new_context(language, **size), language=language, allowed_words={"CW"})
    page = visit.page
    sign_in(visit, base_url, "admin")
    visit.goto(f"{base_url}/admin/assets/reconciliationmapping/add/")
    tag_label = "资产编号" if language == "zh-hans" else "Tag"
    assert tag_label in page.inner_text("label[for=id_map_tag]")
    page.fill("#id_map_tag", "卡片编号")
    page.fill("#id_map_original_value", "账面原值（万元）")
    # Django's own admin pages: photographed, not put through the project's page checks (its
    # breadcrumbs are Django's), as tests/browser/test_admin_pages.py does.
    assert page.get_attribute("html", "lang") == language
    visit.screenshot(f"admin-reconciliation-mapping{suffix}", full_page=True)
    with page.expect_navigation():
        page.click("input[name=_save]")
    assert ReconciliationMapping.objects.get().columns == {
        "tag": "卡片编号",
        "original_value": "账面原值（万元）",
    }
    listed = page.inner_text("#result_list")
    assert "卡片编号" in listed and tag_label in listed
    visit.screenshot(f"admin-reconciliation-mappings{suffix}")
    page.check("input[name=_selected_action]")
    page.select_option("select[name=action]", "clear_mapping")
    with page.expect_navigation():
        page.click("button[name=index]")
    assert ReconciliationMapping.objects.get().columns == {}
    assert "卡片编号" not in page.inner_text("#result_list")
    assert visit.errors == []
