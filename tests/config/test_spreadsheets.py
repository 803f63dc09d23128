"""The shared spreadsheet writer (config/spreadsheets.py): SECURITY.md test 5."""

import csv
import io
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook

from config import spreadsheets as sx

INJECTIONS = ['=HYPERLINK("http://evil.example","x")', "+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]
COLUMNS = [
    sx.Column("text", "Text"),
    sx.Column("number", "Number", sx.INTEGER),
    sx.Column("money", "Money", sx.MONEY),
    sx.Column("day", "Day", sx.DATE),
]


def rows():
    return [
        {"text": text, "number": -5, "money": Decimal("-12.50"), "day": date(2024, 3, 1)}
        for text in INJECTIONS
    ]


def read_back_xlsx(data):
    return load_workbook(io.BytesIO(data)).worksheets[0]


def test_xlsx_text_cells_that_look_like_formulas_start_with_a_quote():
    sheet = read_back_xlsx(sx.xlsx_bytes(COLUMNS, rows()))
    texts = [sheet.cell(row=r, column=1).value for r in range(2, 2 + len(INJECTIONS))]
    # The standard library's XML parser reads a stored CR back as LF, lxml (when installed)
    # keeps it; the leading quote is what matters.
    assert [text.replace("\r", "\n") for text in texts] == [
        "'" + text.replace("\r", "\n") for text in INJECTIONS
    ]


def test_xlsx_has_no_formula_cells():
    sheet = read_back_xlsx(sx.xlsx_bytes(COLUMNS, rows()))
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_xlsx_numbers_dates_and_money_keep_their_types():
    sheet = read_back_xlsx(sx.xlsx_bytes(COLUMNS, rows()))
    number, money, day = (sheet.cell(row=2, column=c) for c in (2, 3, 4))
    assert number.value == -5 and number.data_type == "n"
    assert money.value == -12.5 and money.data_type == "n"
    assert money.number_format == "#,##0.00"
    assert day.is_date and day.value.date() == date(2024, 3, 1)


def test_xlsx_header_looking_like_a_formula_is_neutralised():
    sheet = read_back_xlsx(sx.xlsx_bytes([sx.Column("a", "=1+1")], []))
    assert sheet.cell(row=1, column=1).value == "'=1+1"


def test_csv_text_cells_that_look_like_formulas_start_with_a_quote():
    data = sx.csv_bytes(COLUMNS, rows())
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert [row[0] for row in parsed[1:]] == ["'" + text for text in INJECTIONS]


def test_csv_keeps_negative_numbers_as_numbers():
    data = sx.csv_bytes(COLUMNS, rows())
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert parsed[1][1:] == ["-5", "-12.50", "2024-03-01"]


def test_csv_quotes_commas_quotes_and_newlines_per_rfc_4180():
    data = sx.csv_bytes([sx.Column("a", "A")], [{"a": 'x, "y"\nz'}], bom=False)
    assert data == b'A\r\n"x, ""y""\nz"\r\n'


def test_csv_starts_with_a_bom_so_excel_reads_utf8():
    assert sx.csv_bytes([sx.Column("a", "名称")], []).startswith("\ufeff".encode())


def test_csv_response_is_an_attachment_with_nosniff():
    response = sx.csv_response("资产.csv", [sx.Column("a", "A")], [{"a": "1"}])
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
