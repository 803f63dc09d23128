"""Issue 14.4 (stocktake part): the stocktake XLSX and CSV spoke English and raw codes ("Book
original value", "Counted by", `book`, `missing`). Every export speaks the reader's language:
headers translated, codes as words, money a number with a ¥ format in XLSX and a plain decimal in
CSV."""

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from inventory.models import LineResult, StocktakeLine, VerifyMethod
from inventory.services import campaigns, scanning
from tests.factories import make_asset

pytestmark = pytest.mark.django_db

RAW_CODES = (
    {c for c, _label in LineResult.choices}
    | {c for c, _l in VerifyMethod.choices}
    | {c for c, _l in StocktakeLine.Kind.choices}
)


@pytest.fixture
def closed(plan, pc, centre, room, clerk, admin_user):
    make_asset(
        owner=centre,
        actor=clerk,
        location=room,
        name="丢失的显示器",
        original_value=Decimal("12345.60"),
    )
    campaign = campaigns.activate_campaign(campaign=plan(), actor=admin_user)
    scanning.record_scan(campaign=campaign, actor=clerk, code=pc.tag)
    return campaigns.close_campaign(campaign=campaign, actor=admin_user)


def _get(api, user, campaign, suffix, language):
    api.as_user(user)
    response = api.get(f"/api/v1/stocktakes/{campaign.pk}/{suffix}", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response


def _workbook(api, auditor, campaign, language):
    content = _get(api, auditor, campaign, "report.xlsx/", language).content
    return load_workbook(io.BytesIO(content))


def _csv(api, auditor, campaign, language):
    response = _get(api, auditor, campaign, "lines.csv/", language)
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_stocktake_xlsx_in_chinese_has_chinese_headers_and_no_raw_codes(api, auditor, closed):
    workbook = _workbook(api, auditor, closed, "zh-hans")
    assert workbook.sheetnames == ["汇总", "按部门", "按资产分类", "差异明细", "盘点明细"]
    lines = list(workbook["盘点明细"].iter_rows(values_only=True))
    header = lines[0]
    assert {"资产编号", "资产名称", "账面原值", "盘点人", "盘点结果", "核实方式"} <= set(header)
    assert not any(cell and cell.isascii() for cell in header), header
    cells = {cell for row in lines[1:] for cell in row if isinstance(cell, str)}
    assert not cells & RAW_CODES, cells & RAW_CODES
    assert {"账内", "已盘到", "盘亏", "手工输入编号（未扫描标签）"} <= cells
    by_department = list(workbook["按部门"].iter_rows(values_only=True))
    assert {"账面数量", "账面原值", "实盘数量", "盘亏数量", "待盘数量"} <= set(by_department[0])
    differences = list(workbook["差异明细"].iter_rows(values_only=True))
    assert differences[1][:2] == ("盘亏", "待说明")


def test_stocktake_xlsx_money_is_a_number_with_a_yuan_format(api, auditor, closed):
    workbook = _workbook(api, auditor, closed, "zh-hans")
    sheet = workbook["盘点明细"]
    header = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    column = header.index("账面原值")
    values = [row[column] for row in sheet.iter_rows(min_row=2)]
    assert all(isinstance(cell.value, int | float) for cell in values)
    assert sorted(float(cell.value) for cell in values) == [6000.0, 12345.6]
    assert all(cell.number_format == '"¥"#,##0.00' for cell in values)
    total = list(workbook["按部门"].iter_rows(min_row=2))[-1]
    assert total[1].value == "合计"
    assert float(total[3].value) == 18345.6 and total[3].number_format == '"¥"#,##0.00'


def test_stocktake_xlsx_in_english_has_english_headers_and_words(api, auditor, closed):
    workbook = _workbook(api, auditor, closed, "en")
    assert workbook.sheetnames == [
        "Summary",
        "By department",
        "By category",
        "Differences",
        "Lines",
    ]
    lines = list(workbook["Lines"].iter_rows(values_only=True))
    assert {"Tag", "Asset name", "Book original value", "Counted by", "Result"} <= set(lines[0])
    cells = {cell for row in lines[1:] for cell in row if isinstance(cell, str)}
    assert not cells & RAW_CODES
    assert {"On the books", "Found", "Shortage", "Tag typed, no label scanned"} <= cells


def test_stocktake_csv_in_chinese_has_chinese_headers_words_and_plain_decimals(
    api, auditor, closed
):
    rows = _csv(api, auditor, closed, "zh-hans")
    header = rows[0]
    assert header[:3] == ["资产编号", "明细类型", "资产名称"]
    assert not any(cell.isascii() for cell in header)
    records = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    assert sorted(r["账面原值"] for r in records) == ["12345.60", "6000.00"]
    assert sorted(r["盘点结果"] for r in records) == ["已盘到", "盘亏"]
    assert not {cell for row in rows[1:] for cell in row} & RAW_CODES


def test_stocktake_csv_in_english_has_english_headers(api, auditor, closed):
    rows = _csv(api, auditor, closed, "en")
    assert rows[0][:3] == ["Tag", "Line kind", "Asset name"]
    records = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert sorted(r["Result"] for r in records) == ["Found", "Shortage"]


def test_pending_lines_are_waiting_to_be_counted_in_chinese(api, auditor, active):
    rows = _csv(api, auditor, active, "zh-hans")
    assert [dict(zip(rows[0], row, strict=True))["盘点结果"] for row in rows[1:]] == ["待盘"]


@pytest.mark.parametrize(
    "names", [{"display_name": "胡勇丽"}, {"first_name": "勇丽", "last_name": "胡"}]
)
def test_counted_by_is_the_persons_name_not_the_login_name(api, auditor, closed, clerk, names):
    """The walk found 盘点人 given as login names ("clerk_ops") in the CSV and the workbook."""
    for field, value in names.items():
        setattr(clerk, field, value)
    clerk.save()
    rows = _csv(api, auditor, closed, "zh-hans")
    column = rows[0].index("盘点人")
    counted = {row[column] for row in rows[1:] if row[column]}
    assert counted == {str(clerk)} and "clerk" not in counted
    lines = list(_workbook(api, auditor, closed, "zh-hans")["盘点明细"].iter_rows(values_only=True))
    column = lines[0].index("盘点人")
    assert {row[column] for row in lines[1:] if row[column]} == {str(clerk)}


def test_a_user_without_a_name_is_shown_by_login_name(api, auditor, closed, clerk):
    rows = _csv(api, auditor, closed, "zh-hans")
    column = rows[0].index("盘点人")
    assert {row[column] for row in rows[1:] if row[column]} == {"clerk"}
