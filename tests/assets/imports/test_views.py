"""Web pages of the import: upload → preview → apply; the command `import_assets`."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from assets.models import Asset, ImportJob
from tests.assets.imports.test_services import HEADERS, csv_data, ledger, xlsx
from tests.factories import UserFactory


@pytest.fixture
def browser(client, clerk):
    client.force_login(clerk)
    return client


def test_the_upload_page_offers_the_template_and_the_form(browser):
    response = browser.get("/imports/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert b"/api/v1/imports/template.xlsx" in response.content
    assert b'enctype="multipart/form-data"' in response.content


def test_upload_preview_and_apply_through_the_pages(browser):
    response = browser.post(
        "/imports/", {"file": SimpleUploadedFile("l.xlsx", xlsx(ledger(2)))}, follow=True
    )
    assert response.status_code == 200
    job = ImportJob.objects.get()
    assert response.request["PATH_INFO"] == f"/imports/{job.pk}/"
    assert "台式计算机2" in response.content.decode()
    assert Asset.objects.count() == 0
    response = browser.post(f"/imports/{job.pk}/apply/", follow=True)
    assert response.status_code == 200
    assert Asset.objects.count() == 2


def test_the_apply_button_asks_first_saying_what_the_import_will_do(browser):
    """14.6: applying is irreversible; the question gives the rows, new cards and updates."""
    browser.post("/imports/", {"file": SimpleUploadedFile("l.xlsx", xlsx(ledger(3)))})
    job = ImportJob.objects.get()
    body = browser.get(f"/imports/{job.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    button = body.split(f'action="/imports/{job.pk}/apply/"')[1].split("</form>")[0]
    assert (
        'data-confirm="Import 3 row(s): register 3 new card(s), update 0, leave 0 unchanged?'
        in button
    )
    zh = browser.get(f"/imports/{job.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "将导入 3 行：新建 3 张卡片，更新 0 张" in zh


def test_a_bad_file_shows_the_problem_on_the_form(browser):
    response = browser.post(
        "/imports/",
        {"file": SimpleUploadedFile("l.csv", "名称\n".encode("utf-16"))},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "UTF-16" in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_row_errors_are_listed_on_the_preview_page_escaped(browser):
    rows = ledger(2)
    rows[1][4] = "<script>alert(1)</script>"
    browser.post("/imports/", {"file": SimpleUploadedFile("l.xlsx", xlsx(rows))})
    job = ImportJob.objects.get()
    page = browser.get(f"/imports/{job.pk}/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page
    assert "Apply" not in page or job.state == "invalid"


def test_another_users_job_page_is_404(client, clerk, centre):
    client.force_login(clerk)
    client.post("/imports/", {"file": SimpleUploadedFile("l.xlsx", xlsx(ledger(1)))})
    job = ImportJob.objects.get()
    client.force_login(UserFactory(username="someone", department=centre, roles=["clerk"]))
    assert client.get(f"/imports/{job.pk}/").status_code == 404
    assert client.post(f"/imports/{job.pk}/apply/").status_code == 404
    assert Asset.objects.count() == 0


def test_auditors_get_no_import_page(client, auditor):
    client.force_login(auditor)
    assert client.get("/imports/").status_code == 403


def test_the_register_page_has_export_buttons_with_the_filters(browser):
    page = browser.get("/?q=abc").content.decode()
    assert "/api/v1/assets/export.xlsx?q=abc" in page


# --- manage.py import_assets ------------------------------------------------------------------


def test_the_command_dry_run_writes_nothing(tmp_path, centre):
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(xlsx(ledger(3)))
    out = io.StringIO()
    call_command("import_assets", str(path), "--dry-run", stdout=out)
    assert "3 to create" in out.getvalue() or "3" in out.getvalue()
    assert Asset.objects.count() == 0


def test_the_command_imports_every_row_as_the_given_user(tmp_path, clerk):
    path = tmp_path / "ledger.csv"
    path.write_bytes(csv_data(ledger(3), encoding="gb18030"))
    call_command("import_assets", str(path), "--user", clerk.username, stdout=io.StringIO())
    assert Asset.objects.count() == 3
    assert set(Asset.objects.values_list("events__actor__username", flat=True)) == {"clerk"}


def test_the_command_reports_errors_and_imports_nothing(tmp_path, centre):
    rows = ledger(3)
    rows[2][4] = "XX局"
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(xlsx(rows))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_assets", str(path), stdout=io.StringIO(), stderr=err)
    assert "XX局" in err.getvalue()
    assert Asset.objects.count() == 0


def test_the_preview_warns_that_the_templates_example_rows_would_become_real_cards(browser):
    """Uploaded unchanged, the template previews cleanly (14.18) but its rows are examples:
    applying them would register three cards that can never be deleted, so the preview says so."""
    example = ["GD-2019-0003", "台式计算机", "A02010105", "BDC", "BDC", 6200, "2020-03-10"]
    mine = ["MY-0001", "我的台式计算机", "A02010105", "BDC", "BDC", 6200, "2020-03-10"]
    data = xlsx([example, mine])
    browser.post("/imports/", {"file": SimpleUploadedFile("t.xlsx", data)})
    job = ImportJob.objects.get()
    zh = browser.get(f"/imports/{job.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "第 2 行仍是模板中的示例行" in zh, zh
    en = browser.get(f"/imports/{job.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Row 2 is still an example row of the template" in en
    assert "Row 3" not in en.split('id="example-rows"')[1].split("</div>")[0]


def test_an_applied_import_shows_the_created_tags_and_a_reupload_warns_of_nothing(browser):
    """Walk 2 finding 15: after applying, the preview is the record of what was done (the new
    tags, 已新建), and uploading the same file again matches those cards unchanged: no
    "still the template's example rows" warning and nothing to apply."""
    example = ["GD-2019-0003", "台式计算机", "A02010105", "BDC", "BDC", 6200, "2020-03-10"]
    data = xlsx([example])
    browser.post("/imports/", {"file": SimpleUploadedFile("t.xlsx", data)})
    job = ImportJob.objects.get()
    browser.post(f"/imports/{job.pk}/apply/")
    tag = Asset.objects.get().tag
    zh = browser.get(f"/imports/{job.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "待新建" not in zh and "已新建" in zh
    assert f'<td class="mono nowrap" data-label="资产编号">{tag}</td>' in zh
    assert 'id="example-rows"' not in zh
    en = browser.get(f"/imports/{job.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "to create" not in en and "Created" in en

    browser.post("/imports/", {"file": SimpleUploadedFile("t.xlsx", data)})
    again = ImportJob.objects.latest("pk")
    assert again.unchanged_count == 1
    zh = browser.get(f"/imports/{again.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "示例行" not in zh and 'id="example-rows"' not in zh
    assert "无需导入" in zh and f'action="/imports/{again.pk}/apply/"' not in zh


def test_a_failed_upload_names_the_columns_it_did_not_know(browser):
    """A file refused for its columns names the ones it ignored, as a preview does: a missing
    required column is often one of them, misspelt."""
    data = "资产名次,颜色,Colour\n台式计算机,红,red\n".encode()
    response = browser.post(
        "/imports/", {"file": SimpleUploadedFile("l.csv", data)}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 400
    assert not ImportJob.objects.exists()
    page = response.content.decode()
    assert "未导入的列：资产名次、颜色、Colour。" in page
    english = browser.post(
        "/imports/", {"file": SimpleUploadedFile("l.csv", data)}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Columns not imported: 资产名次, 颜色, Colour." in english


def _walk4_file():
    """Walk 4 finding 5: a ten-row file of which some rows are bad, as a new clerk uploads it."""
    from assets import tags

    body = "YK2026000043"
    wrong = next(c for c in "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789" if c != tags.check_character(body))
    headers = [*HEADERS, "资产编号", "启用日期"]
    rows = [[*row, "", ""] for row in ledger(7)]
    rows[2][1] = "长" * 300  # row 4: the name is over its limit
    rows[3][3] = "NOPE"  # row 5: no such department
    rows[4][6] = "2030-01-01"  # row 6: acquired in the future
    rows[5][8] = "2022-01-01"  # row 7: in service before it was acquired
    rows[6][7] = body + wrong  # row 8: a tag with a wrong check character
    return xlsx(rows, headers), body + wrong


def test_the_preview_counts_rows_with_errors_apart_and_says_each_error_like_the_card_form(browser):
    data, bad_tag = _walk4_file()
    browser.post(
        "/imports/", {"file": SimpleUploadedFile("l.xlsx", data)}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    job = ImportJob.objects.get()
    zh = browser.get(f"/imports/{job.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    # Counts are disjoint: 2 to create + 5 rows with errors = 7 rows.
    assert "<strong>7</strong>" in zh and '<strong>2</strong> <span class="muted">待新建' in zh
    assert '<strong>5</strong> <span class="muted">行有错误（共 5 处）' in zh
    # The mistyped tag is named as such, and its row is not shown as a new card.
    assert "不是有效的资产编号：校验位不正确" in zh and "未知资产" not in zh
    preview = zh.split("<h2>预览</h2>")[1]
    row8 = preview.split('data-label="行">8</td>')[1].split("</tr>")[0]
    assert "有错误" in row8 and "新建" not in row8
    # The card form's words, Chinese quotes and punctuation, the bad value shown.
    assert "最多 200 个字，现有 300 个字，请删减。" in zh
    assert "未知部门“NOPE”" in zh
    assert "启用日期早于取得日期。" in zh
    assert 'title="2030-01-01">2030-01-01</td>' in zh
    assert 'title="2022-01-01">2022-01-01</td>' in zh  # the in-service date too
    assert 'class="nowrap" data-label="列">取得日期</td>' in zh
    # The English reader reads the same errors in English.
    en = browser.get(f"/imports/{job.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    errors = en.split("Error list (CSV)")[1].split("</table>")[0]
    assert "At most 200 characters; this text has 300." in errors
    assert "unknown department “NOPE”" in errors
    assert f"“{bad_tag}” is not a valid tag: its check character is wrong" in errors
    assert "the in-service date is before the acquisition date" in errors
    for chinese in ("未知部门", "最多", "校验位", "早于", "晚于今天"):
        assert chinese not in errors


def test_the_upload_page_and_both_guides_say_how_rows_are_matched(browser):
    """Walk 4 finding 13: the page said tag then legacy number; the importer also matches on
    the serial number and lists the rows a re-import matched to no card, as the guides say."""
    from pathlib import Path

    from django.conf import settings

    zh = browser.get("/imports/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "依次按资产编号、原资产编号、产品序列号匹配" in zh and "“未匹配到卡片的行”" in zh
    en = browser.get("/imports/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "else on its legacy number, else on its serial number" in " ".join(en.split())
    assert "Rows not matched to a card" in en
    docs = Path(settings.BASE_DIR) / "docs"
    guide_zh = (docs / "zh" / "clerk.md").read_text()
    assert (
        "依次按资产编号、原资产编号、产品序列号匹配" in guide_zh and "未匹配到卡片的行" in guide_zh
    )
    guide_en = " ".join((docs / "en" / "clerk.md").read_text().split())
    assert "on its tag, else on its legacy number, else on its serial number" in guide_en
    assert "Rows not matched to a card" in guide_en
