"""The administrator adds a reminder channel in the admin: a URL pointing into the intranet is
refused with the reason, nothing is saved; a public robot URL is saved (issue 20, "Reminders
where people read")."""

import pytest

from inventory.models import ReminderChannel
from tests.browser.support import DESK, Visit, sign_in
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_admin_adds_a_channel_and_a_private_url_is_refused(
    language, base_url, new_context, bureau, centre, settings
):
    settings.YIKA_WEBHOOK_ALLOWED_ADDRESSES = []
    UserFactory(username="admin", department=bureau, roles=["admin"], is_staff=True)
    visit = Visit(
        new_context(language, **DESK),
        language=language,
        allowed_words=("YIKA_WEBHOOK_ALLOWED_ADDRESSES", "SEC", "HMAC", "WeCom", "DingTalk"),
    )
    page = visit.page
    sign_in(visit, base_url, "admin")
    page.click("a[href='/admin/']")
    page.click("a[href='/admin/inventory/reminderchannel/']")
    page.click("a[href='/admin/inventory/reminderchannel/add/']")
    page.fill("input[name=name]", "数据中心工作群")
    page.select_option("select[name=kind]", "wecom")
    # The department is an autocomplete: open it, type, pick the centre.
    page.click(".field-department .select2-selection")
    page.fill(".select2-search__field", centre.name)
    page.click(f".select2-results__option:has-text('{centre.name}')")
    page.fill("input[name=url]", "http://169.254.169.254/latest/meta-data/")
    with page.expect_navigation():
        page.click("input[name=_save]")
    error = page.inner_text(".field-url .errorlist")
    assert "169.254.169.254" in error and "YIKA_WEBHOOK_ALLOWED_ADDRESSES" in error
    assert not ReminderChannel.objects.exists()
    visit.screenshot("admin-reminder-channel-refused", full_page=True)
