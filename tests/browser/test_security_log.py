"""The auditor reads the security log: a failed sign-in shows up with its address, the filter
narrows the list, the export downloads and is itself logged (issue 20, "The security log")."""

import openpyxl
import pytest

from tests.browser.support import DESK, PHONE, Visit, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_auditor_finds_a_failed_sign_in_filters_and_exports(
    language, base_url, new_context, clerk, auditor, tmp_path
):
    # Someone tries the clerk's account with a wrong password.
    intruder = Visit(new_context(language, **PHONE), language=language)
    intruder.goto(f"{base_url}/accounts/login/")
    intruder.page.fill("input[name=username]", "clerk")
    intruder.page.fill("input[name=password]", "wrong-password")
    with intruder.page.expect_navigation():
        intruder.page.click("form [type=submit]")
    assert "/accounts/login/" in intruder.page.url

    visit = Visit(new_context(language, **DESK), language=language, allowed_words=("clerk",))
    page = visit.page
    sign_in(visit, base_url, "auditor")
    page.click(f"nav a:text-is('{visit.t('Security log')}')")
    assert page.url.endswith("/security-log/")
    table = page.inner_text("table tbody")
    assert visit.t("Sign-in failed") in table and "clerk" in table
    assert visit.t("Signed in") in table  # the auditor's own sign-in
    visit.check("auditor-security-log", full_page=True)

    # Only the failed sign-ins.
    page.select_option("select[name=kind]", "sign_in_failed")
    with page.expect_navigation():
        page.click(f"form.filters button:text-is('{visit.t('Filter')}')")
    rows = page.locator("table tbody tr")
    assert rows.count() == 1
    assert visit.t("Sign-in failed") in rows.first.inner_text()
    assert "127.0.0.1" in rows.first.inner_text()
    visit.check()

    # The export: the same filter, in the page's language, and itself in the log.
    with page.expect_download() as download:
        page.click(f"a:text-is('{visit.t('Export XLSX')}')")
    xlsx = tmp_path / "log.xlsx"
    download.value.save_as(xlsx)
    sheet = openpyxl.load_workbook(xlsx).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == visit.t("Time")
    assert [row[1] for row in values[1:]] == [visit.t("Sign-in failed")]
    page.select_option("select[name=kind]", "export")
    with page.expect_navigation():
        page.click(f"form.filters button:text-is('{visit.t('Filter')}')")
    logged = page.inner_text("table tbody")
    assert f"{visit.t('security log')} XLSX" in logged
    assert "kind=sign_in_failed" in logged and "since=" not in logged

    phone = Visit(new_context(language, **PHONE), language=language, allowed_words=("clerk",))
    sign_in(phone, base_url, "auditor")
    phone.goto(f"{base_url}/security-log/")
    phone.check("auditor-security-log-phone", full_page=True)
    assert visit.errors == [] and phone.errors == []


def test_clerk_has_no_security_log(base_url, new_context, clerk):
    visit = Visit(new_context("zh-hans", **DESK), language="zh-hans")
    sign_in(visit, base_url, "clerk")
    assert visit.page.locator("a[href='/security-log/']").count() == 0
    response = visit.page.goto(f"{base_url}/security-log/")
    assert response.status == 403
