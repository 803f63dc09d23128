"""The clerk imports a plain ledger (no tag, no legacy number: 14.21): the preview says every row
is a new card, applying asks first with the numbers (14.6: dismiss changes nothing), and a
second round warns of the row it could not match. Phone and desk, zh-hans and English."""

import pytest

from assets.models import Asset, ImportJob
from tests.assets.imports.test_services import PLAIN, plain_ledger, xlsx
from tests.browser.support import DESK, PHONE, Visit, sign_in
from tests.factories import LocationFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def upload(page, path):
    page.set_input_files("input[type=file][name=file]", str(path))
    with page.expect_navigation():
        page.click("form.card button.btn--primary")


@pytest.mark.parametrize("device", ["phone", "desk"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_clerk_imports_a_plain_ledger_through_the_confirmation(
    language, device, base_url, new_context, clerk, tmp_path
):
    LocationFactory(code="HQ-301", name="主楼301")
    first = tmp_path / "ledger.xlsx"
    first.write_bytes(xlsx(plain_ledger(3), PLAIN))
    visit = Visit(
        new_context(language, **(PHONE if device == "phone" else DESK)),
        language=language,
        allowed_words={"ThinkCentre", "SN", "ledger", "xlsx", "M405"},
    )
    page = visit.page
    suffix = "-phone" if device == "phone" else ""
    sign_in(visit, base_url, "clerk")
    visit.goto(f"{base_url}/imports/")
    upload(page, first)
    job = ImportJob.objects.get()
    assert job.state == "ready" and job.create_count == 3
    visit.check(f"clerk-import-preview{suffix}", full_page=True)

    asked = []

    def dismiss(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.click("form[action$='/apply/'] button")
    page.wait_for_timeout(300)
    assert asked, "applying did not ask first"
    assert ("将导入 3 行：新建 3 张卡片" if language == "zh-hans" else "Import 3 row(s)") in asked[
        0
    ]
    assert Asset.objects.count() == 0

    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click("form[action$='/apply/'] button")
    assert Asset.objects.count() == 3
    assert (
        "新登记 3 张卡片" if language == "zh-hans" else "3 cards registered"
    ) in page.inner_text(".messages")
    visit.check(f"clerk-import-applied{suffix}")

    # The second round: the same ledger plus one printer with a serial number not in the register.
    rows = plain_ledger(3)
    rows.append(["打印机", "A02010105", "M405", "SN-NEW", 1800, "2023-02-01", "BDC", "BDC", "", ""])
    second = tmp_path / "ledger2.xlsx"
    second.write_bytes(xlsx(rows, PLAIN))
    visit.goto(f"{base_url}/imports/")
    upload(page, second)
    warning = page.inner_text("#unmatched + .message")
    assert "SN-NEW" in warning
    assert page.locator("tr.row--warning").count() == 1
    if device == "desk":  # the preview table fits at 1280 px
        for scroll, client in page.evaluate(
            "() => [...document.querySelectorAll('.table-wrap')].map("
            "(w) => [w.scrollWidth, w.clientWidth])"
        ):
            assert scroll <= client + 1
    visit.check(f"clerk-import-unmatched{suffix}", full_page=True)


@pytest.mark.parametrize("device", ["phone", "desk"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_error_list_keeps_each_column_name_on_one_line_in_the_readers_language(
    language, device, base_url, new_context, clerk, tmp_path
):
    """Walk 4 finding 5: the 列 column wrapped one character per line, and the English page
    listed the errors in Chinese."""
    from tests.assets.imports.test_views import _walk4_file

    data, bad_tag = _walk4_file()
    path = tmp_path / "bad.xlsx"
    path.write_bytes(data)
    viewport = PHONE if device == "phone" else DESK
    words = {"xlsx", "bad", "NOPE", "GD", "XLSX", "CSV", bad_tag}
    # A Chinese clerk uploads; the reader (Chinese or English) then opens the job.
    uploader = Visit(new_context("zh-hans", **viewport), language="zh-hans", allowed_words=words)
    sign_in(uploader, base_url, "clerk")
    uploader.goto(f"{base_url}/imports/")
    upload(uploader.page, path)
    job = ImportJob.objects.get()
    visit = uploader
    if language != "zh-hans":
        visit = Visit(new_context(language, **viewport), language=language, allowed_words=words)
        sign_in(visit, base_url, "clerk")
    visit.goto(f"{base_url}/imports/{job.pk}/")
    page = visit.page
    visit.check(f"clerk-import-errors{'-phone' if device == 'phone' else ''}", full_page=True)
    cells = page.locator("td[data-label]").filter(has_text="取得日期")
    lines = cells.first.evaluate(
        "td => { const r = document.createRange(); r.selectNodeContents(td);"
        " return new Set([...r.getClientRects()].map(b => Math.round(b.top))).size; }"
    )
    assert lines == 1, lines
    errors = page.inner_text("table")
    assert visit.t("unknown department “%(value)s”") % {"value": "NOPE"} in errors
