"""The administrator's pages (Django admin, scoped by role): reachable from the menu, translated,
free of console errors. Their screenshots illustrate the administrators' guide."""

import pytest

from tests.browser.support import DESK, Visit, sign_in
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_admin_reaches_users_and_departments_from_the_menu(
    language, base_url, new_context, bureau, clerk
):
    UserFactory(username="admin", department=bureau, roles=["admin"], is_staff=True)
    visit = Visit(new_context(language, **DESK), language=language)
    page = visit.page
    sign_in(visit, base_url, "admin")
    page.click("a[href='/admin/']")
    assert page.get_attribute("html", "lang") == language
    visit.screenshot("admin-index")
    page.click("a[href='/admin/assets/user/']")
    assert "clerk" in page.inner_text("#result_list")
    visit.screenshot("admin-users")
    page.goto(f"{base_url}/admin/assets/department/")
    assert bureau.code in page.inner_text("#result_list")
    visit.screenshot("admin-departments")
    assert visit.errors == []
