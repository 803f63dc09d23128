"""The clerk reconciles the register with the finance export (账账相符): the upload with its
column mapping, the result with counts, totals and the value that differs; the clerk explains
the difference and the administrator approves and posts it to the card, each step asked first
(dismissing changes nothing). Phone and desk, zh-hans and English."""

import pytest

from assets.models import ReconciliationDifference
from tests.assets.reconciliations.conftest import finance_rows, xlsx_bytes
from tests.assets.reconciliations.conftest import register as register  # the fixture
from tests.browser.support import DESK, PHONE, Visit, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("device", ["phone", "desk"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_clerk_reconciles_and_admin_posts_to_the_card(
    language, device, base_url, new_context, clerk, admin_user, register, tmp_path
):
    export = tmp_path / "finance.xlsx"
    export.write_bytes(xlsx_bytes(finance_rows(register, value="55000.00")))
    size = PHONE if device == "phone" else DESK
    suffix = "-phone" if device == "phone" else ""
    words = {card.tag for card in register.values()} | {"GD", "CW", "finance", "xlsx"}
    visit = Visit(new_context(language, **size), language=language, allowed_words=words)
    page = visit.page
    sign_in(visit, base_url, "clerk")
    visit.goto(f"{base_url}/reconciliations/")
    page.click("#mapping summary")
    visit.check(f"clerk-reconciliation-upload{suffix}", full_page=True)
    page.set_input_files("input[type=file][name=file]", str(export))
    with page.expect_navigation():
        page.click("#reconcile-form button.btn--primary")
    assert "/reconciliations/" in page.url and page.locator("#result-counts").count() == 1
    counts = page.inner_text("#result-counts")
    assert "1" in counts
    visit.check(f"clerk-reconciliation-result{suffix}", full_page=True)

    with page.expect_navigation():
        page.click("#result-counts [data-result=value_differs]")
    assert "¥55,000.00" in page.inner_text("#rows")
    with page.expect_navigation():
        page.click("#rows tbody tr a")
    page.fill("textarea[name=reason]", "决算调整，财务已按决算入账")
    page.check("input[name=treatment][value=card]")
    with page.expect_navigation():
        page.click("#explain-form button")
    assert page.inner_text("#difference-reason") == "决算调整，财务已按决算入账"
    visit.check(f"clerk-reconciliation-explained{suffix}")
    difference_url = page.url

    admin = Visit(new_context(language, **size), language=language, allowed_words=words)
    sign_in(admin, base_url, "admin")
    admin.goto(difference_url)
    asked = []

    def dismiss(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    admin.page.once("dialog", dismiss)
    admin.page.click("#approve")
    admin.page.wait_for_timeout(300)
    assert asked, "approving did not ask first"
    difference = ReconciliationDifference.objects.get(kind="value_differs")
    assert difference.state == "explained"
    admin.page.once("dialog", lambda dialog: dialog.accept())
    with admin.page.expect_navigation():
        admin.page.click("#approve")
    assert "¥55,000.00" in admin.page.inner_text("main")
    admin.check(f"admin-reconciliation-post{suffix}", full_page=True)
    admin.page.once("dialog", dismiss)
    admin.page.click("#post")
    admin.page.wait_for_timeout(300)
    assert len(asked) == 2
    register["tag"].refresh_from_db()
    assert str(register["tag"].original_value) == "56000.00"
    admin.page.once("dialog", lambda dialog: dialog.accept())
    with admin.page.expect_navigation():
        admin.page.click("#post")
    register["tag"].refresh_from_db()
    assert str(register["tag"].original_value) == "55000.00"
    difference.refresh_from_db()
    assert difference.state == "posted"
    admin.check()
