"""Spreadsheets out: the one writer of every export (the register, a handover's items, the
import template and error report, the stocktake result).

Every text cell that starts with `=`, `+`, `-`, `@`, tab or carriage return gets a leading `'` so
no spreadsheet program runs it as a formula (SECURITY.md test 5, DESIGN.md invariant 7); numbers
stay numbers (negatives too), and in XLSX dates and money keep their types. No XLSX cell is ever
a formula. CSV is UTF-8 with a BOM (Excel opens Chinese text correctly) and RFC 4180 quoting.
Each app keeps its own columns; reading uploads is the import's business (`assets.spreadsheets`).

Usage::

    columns = [Column("tag", _("Tag")), Column("value", _("Original value"), MONEY)]
    return xlsx_response("assets.xlsx", columns, rows, sheet_title=_("Assets"))
    return csv_response("assets.csv", columns, rows)

`rows` is any iterable of dicts (keyed by `Column.key`) or of sequences in column order.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

TEXT = "text"
INTEGER = "integer"
MONEY = "money"
DATE = "date"
DATETIME = "datetime"
BOOLEAN = "boolean"

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIME = "text/csv; charset=utf-8"
# The most characters a spreadsheet cell holds (Excel's limit), written and read.
MAX_CELL_CHARS = 32_767


@dataclass(frozen=True)
class Column:
    """One export column: the row key, its header (translated at write time), its kind."""

    key: str
    header: Any
    kind: str = TEXT
    width: int | None = None
    # An XLSX number format for this column's numbers (e.g. '"¥"#,##0.00'); None: by kind.
    number_format: str | None = None


def neutralise(value: str) -> str:
    """A text cell that a spreadsheet could read as a formula, made literal with a leading `'`."""
    if value and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _illegal_xml_chars():
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE


def cell_value(value: Any, kind: str = TEXT) -> Any:
    """The typed value a cell gets: numbers and dates keep their type, text is neutralised."""
    if value is None:
        return None
    if isinstance(value, bool):
        if kind == BOOLEAN:
            return _("Yes") if value else _("No")
        return value
    if isinstance(value, int | float | Decimal | datetime | date):
        return value
    return neutralise(str(value))


def _row_values(columns: Sequence[Column], row: Any) -> list[Any]:
    if isinstance(row, dict):
        return [cell_value(row.get(c.key), c.kind) for c in columns]
    return [cell_value(v, c.kind) for c, v in zip(columns, row, strict=False)]


def write_xlsx(
    out, columns: Sequence[Column], rows: Iterable[Any], *, sheet_title: str = "Sheet1", extra=None
) -> None:
    """Write an XLSX workbook (streaming, write-only) to the binary file object `out`.

    `extra` is an optional list of `(title, columns, rows)` for further sheets.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    illegal = _illegal_xml_chars()
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)

    def add_sheet(title, sheet_columns, sheet_rows):
        sheet = workbook.create_sheet(title=_sheet_title(str(title)))
        for index, column in enumerate(sheet_columns, start=1):
            width = column.width or (12 if column.kind in (DATE, MONEY, INTEGER) else 18)
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "A2"
        header = []
        for column in sheet_columns:
            cell = WriteOnlyCell(sheet, value=neutralise(str(column.header)))
            cell.data_type = "s"
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for row in sheet_rows:
            cells = []
            for column, value in zip(sheet_columns, _row_values(sheet_columns, row), strict=True):
                cells.append(_xlsx_cell(WriteOnlyCell, sheet, column, value, illegal))
            sheet.append(cells)

    add_sheet(sheet_title, columns, rows)
    for title, sheet_columns, sheet_rows in extra or ():
        add_sheet(title, sheet_columns, sheet_rows)
    workbook.save(out)


def _sheet_title(title: str) -> str:
    for char in "[]:*?/\\":
        title = title.replace(char, " ")
    return title.strip()[:31] or "Sheet1"


def _xlsx_cell(cell_class, sheet, column: Column, value: Any, illegal):
    if isinstance(value, str):
        cell = cell_class(sheet, value=illegal.sub("", value)[:MAX_CELL_CHARS])
        cell.data_type = "s"  # never "f": a string is a string, whatever it starts with
        return cell
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            from django.utils import timezone

            value = timezone.localtime(value).replace(tzinfo=None)
        cell = cell_class(sheet, value=value)
        cell.number_format = "yyyy-mm-dd hh:mm"
        return cell
    if isinstance(value, date):
        cell = cell_class(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    cell = cell_class(sheet, value=value)
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        if column.number_format:
            cell.number_format = column.number_format
        elif column.kind == MONEY:
            cell.number_format = "#,##0.00"
    return cell


def xlsx_bytes(columns, rows, *, sheet_title="Sheet1", extra=None) -> bytes:
    out = io.BytesIO()
    write_xlsx(out, columns, rows, sheet_title=sheet_title, extra=extra)
    return out.getvalue()


class _Echo:
    def write(self, value):
        return value


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        from django.utils import timezone

        if value.tzinfo is not None:
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}" if value == value.quantize(Decimal("0.01")) else str(value)
    return str(value)


def iter_csv(columns: Sequence[Column], rows: Iterable[Any], *, bom: bool = True) -> Iterator[str]:
    """CSV lines (RFC 4180 quoting, CRLF), the header first; a BOM so Excel reads UTF-8."""
    writer = csv.writer(_Echo(), quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    header = writer.writerow([neutralise(str(c.header)) for c in columns])
    yield ("\ufeff" + header) if bom else header
    for row in rows:
        yield writer.writerow([_csv_text(v) for v in _row_values(columns, row)])


def csv_bytes(columns, rows, *, bom: bool = True) -> bytes:
    return "".join(iter_csv(columns, rows, bom=bom)).encode("utf-8")


def _attachment_headers(response, filename: str):
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def csv_response(filename: str, columns, rows) -> StreamingHttpResponse:
    """A streamed CSV download (rows are read lazily, so a big register stays small in memory)."""
    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in iter_csv(columns, rows)), content_type=CSV_MIME
    )
    return _attachment_headers(response, filename)


def xlsx_response(filename: str, columns, rows, *, sheet_title="Sheet1", extra=None):
    """An XLSX download, built in a spooled temporary file (memory up to 8 MB, then disk)."""
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    write_xlsx(out, columns, rows, sheet_title=sheet_title, extra=extra)
    out.seek(0)
    response = FileResponse(out, content_type=XLSX_MIME)
    return _attachment_headers(response, filename)
