"""The spreadsheet reader of imports (assets/spreadsheets.py): SECURITY.md test 8."""

import io
import zipfile
from datetime import date

import pytest
from openpyxl import Workbook

from assets import spreadsheets as sx

CSV_TEXT = "资产名称,原值\n台式计算机,6000\n"


@pytest.mark.parametrize(
    "encoded",
    [CSV_TEXT.encode("utf-8"), CSV_TEXT.encode("utf-8-sig"), CSV_TEXT.encode("gb18030")],
    ids=["utf-8", "utf-8-bom", "gb18030"],
)
def test_reader_decodes_utf8_bom_and_gb18030_csv(encoded):
    table = sx.read_table(encoded)
    assert table.headers == ["资产名称", "原值"]
    assert table.rows == [(2, ["台式计算机", "6000"])]


def test_reader_refuses_utf16_with_a_clear_message():
    with pytest.raises(sx.SpreadsheetError) as error:
        sx.read_table(CSV_TEXT.encode("utf-16"))
    assert error.value.code == "bad_encoding"


def test_reader_refuses_bytes_that_no_supported_encoding_decodes():
    with pytest.raises(sx.SpreadsheetError) as error:
        sx.read_table(b"name,value\n\x81\x30\xff\xff,1\n")
    assert error.value.code == "bad_encoding"


@pytest.mark.parametrize(
    "data", [b"%PDF-1.7\n...", b"\x89PNG\r\n\x1a\n\x00\x00", b"\x00\x01\x02binary"]
)
def test_reader_refuses_files_that_are_not_spreadsheets(data):
    with pytest.raises(sx.SpreadsheetError) as error:
        sx.read_table(data)
    assert error.value.code == "not_a_spreadsheet"


def test_reader_refuses_a_zip_that_is_not_a_workbook():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(sx.SpreadsheetError) as error:
        sx.read_table(out.getvalue())
    assert error.value.code == "not_a_spreadsheet"


def test_reader_refuses_a_zip_bomb_before_parsing_it():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (50 * 1024 * 1024))
    assert len(out.getvalue()) < 1024 * 1024
    with pytest.raises(sx.SpreadsheetError) as error:
        sx.read_table(out.getvalue())
    assert error.value.code == "zip_bomb"


def test_reader_refuses_more_rows_than_the_limit():
    data = ("a\n" + "x\n" * 11).encode()
    with pytest.raises(sx.SpreadsheetError) as error:
        sx.read_table(data, max_rows=10)
    assert error.value.code == "too_many_rows"


def test_reader_reads_typed_xlsx_cells_and_skips_empty_rows():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["名称", "原值", "日期"])
    sheet.append(["服务器", 12000.5, date(2023, 1, 5)])
    sheet.append([None, None, None])
    sheet.append(["  交换机 ", 800, None])
    out = io.BytesIO()
    workbook.save(out)
    table = sx.read_table(out.getvalue())
    assert table.headers == ["名称", "原值", "日期"]
    assert [number for number, _ in table.rows] == [2, 4]
    assert table.rows[0][1][1] == 12000.5
    assert table.rows[1][1][0] == "交换机"


def test_reader_refuses_an_empty_file():
    with pytest.raises(sx.SpreadsheetError):
        sx.read_table(b"   ")


def test_reader_reads_dates_booleans_rich_text_and_sparse_columns():
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    workbook = Workbook()
    sheet = workbook.active
    sheet["A1"], sheet["B1"], sheet["D1"] = "名称", "日期", "启用"
    sheet["A2"] = CellRichText(["服务", TextBlock(InlineFont(b=True), "器")])
    sheet["B2"] = date(2023, 1, 5)
    sheet["D2"] = True
    sheet["A3"] = "=1+1"  # a formula without a cached value reads as empty
    sheet["B3"] = 7
    out = io.BytesIO()
    workbook.save(out)
    table = sx.read_table(out.getvalue())
    assert table.headers == ["名称", "日期", "", "启用"]
    (row2, values2), (row3, values3) = table.rows
    assert values2[0] == "服务器"
    assert values2[1].date() == date(2023, 1, 5)
    assert values2[3] is True
    assert (row3, values3[:2]) == (3, [None, 7])


def test_reader_refuses_a_workbook_part_with_a_dtd():
    workbook = Workbook()
    workbook.active.append(["a"])
    out = io.BytesIO()
    workbook.save(out)
    patched = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as source:
        with zipfile.ZipFile(patched, "w") as target:
            for item in source.infolist():
                content = source.read(item.filename)
                if item.filename == "xl/worksheets/sheet1.xml":
                    body = content.split(b"?>")[-1]
                    content = b'<!DOCTYPE x [<!ENTITY a "aaaa">]>' + body
                target.writestr(item, content)
    with pytest.raises(sx.SpreadsheetError):
        sx.read_table(patched.getvalue())
