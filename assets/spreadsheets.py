"""Spreadsheets in: the one reader of uploaded ledgers (the import and `manage.py import_assets`).

Reading (SECURITY.md test 8): XLSX (checked as a zip before any XML is parsed: entry count,
uncompressed size and compression ratio are bounded, so a zip bomb is refused; the parts are
read with expat, which refuses any DTD) and CSV in UTF-8, UTF-8 with BOM or GB18030 (what
Chinese Excel writes). Anything else is a `SpreadsheetError` naming the problem in plain words,
never a 500. Only imports read spreadsheets, so the reader stays with them in assets; writing is
`config.spreadsheets`, shared by every export.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config import spreadsheets as writer
from config.errors import DomainError

MAX_CELL_CHARS = writer.MAX_CELL_CHARS

# Reader limits. A real 50,000-row ledger is a few MB; these leave ample room and stop bombs.
MAX_UPLOAD_BYTES = 25 * 1024 * 1024
MAX_ROWS = 100_000
MAX_COLUMNS = 200
MAX_ZIP_ENTRIES = 2_000
MAX_UNCOMPRESSED_BYTES = 400 * 1024 * 1024
MAX_COMPRESSION_RATIO = 150
CSV_ENCODINGS = ("utf-8-sig", "gb18030")


class SpreadsheetError(DomainError):
    """The uploaded file cannot be read as a spreadsheet (answered as a 400 on `file`)."""

    status_code = 400
    code = "bad_file"
    default_message = gettext_lazy("The file could not be read as a spreadsheet.")

    def __init__(self, message=None, *, code: str | None = None, field: str | None = "file"):
        super().__init__(message, code=code, field=field)


@dataclass
class Table:
    """A read sheet: its header row and its data rows as `(row_number, values)`.

    `row_number` is the number the user sees in Excel (the header is row 1). Values are str,
    int, float, datetime or None; completely empty rows are skipped.
    """

    headers: list[str]
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)
    kind: str = "xlsx"
    encoding: str | None = None
    header_row: int = 1
    # Merged cell ranges of an XLSX sheet as Excel writes them (`A5:A9`); CSV has none.
    merged: list[str] = field(default_factory=list)


def sniff_kind(data: bytes) -> str:
    """`xlsx`, `csv`, or a SpreadsheetError for anything else (by content, not by file name)."""
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise SpreadsheetError(
            _("This is an old Excel 97-2003 (.xls) file; save it as .xlsx or CSV and try again."),
            code="xls_not_supported",
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SpreadsheetError(
            _(
                "The file is encoded as UTF-16 (Excel's “Unicode text”); save it as CSV in "
                "UTF-8 or GB18030, or as .xlsx."
            ),
            code="bad_encoding",
        )
    if data.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"Rar!")):
        raise SpreadsheetError(
            _("This file is not a spreadsheet; upload an .xlsx or .csv file."),
            code="not_a_spreadsheet",
        )
    if b"\x00" in data[:65536]:
        raise SpreadsheetError(
            _("This file is not a spreadsheet; upload an .xlsx or .csv file."),
            code="not_a_spreadsheet",
        )
    return "csv"


def read_table(data: bytes, *, max_rows: int = MAX_ROWS) -> Table:
    """Read the first sheet of an XLSX file or a CSV file from its bytes."""
    if not data or not data.strip():
        raise SpreadsheetError(_("The file is empty."), code="empty_file")
    if len(data) > MAX_UPLOAD_BYTES:
        raise SpreadsheetError(
            _("The file is larger than %(size)s MB; split it into smaller files.")
            % {"size": MAX_UPLOAD_BYTES // (1024 * 1024)},
            code="file_too_large",
        )
    kind = sniff_kind(data)
    if kind == "xlsx":
        return _read_xlsx(data, max_rows=max_rows)
    return _read_csv(data, max_rows=max_rows)


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes as UTF-8 (with or without BOM) or GB18030; name the encoding used."""
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode(encoding), ("utf-8" if encoding == "utf-8-sig" else encoding)
        except UnicodeDecodeError:
            continue
    raise SpreadsheetError(
        _(
            "The file's text encoding is not UTF-8 or GB18030; save it as CSV UTF-8 (or as .xlsx) "
            "and try again."
        ),
        code="bad_encoding",
    )


def _too_many_rows(max_rows: int):
    return SpreadsheetError(
        _("The file has more than %(max)s rows; split it into smaller files.") % {"max": max_rows},
        code="too_many_rows",
    )


def _clean_header(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _read_csv(data: bytes, *, max_rows: int) -> Table:
    text, encoding = decode_text(data)
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample.split("\n", 1)[0], delimiters=",\t;")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    csv.field_size_limit(MAX_CELL_CHARS * 4)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    table = Table(headers=[], kind="csv", encoding=encoding)
    try:
        for row_number, values in enumerate(reader, start=1):
            if len(values) > MAX_COLUMNS:
                values = values[:MAX_COLUMNS]
            if row_number == 1:
                table.headers = [_clean_header(v) for v in values]
                continue
            if not any(v.strip() for v in values):
                continue
            if len(table.rows) >= max_rows:
                raise _too_many_rows(max_rows)
            table.rows.append((row_number, [v if v.strip() else None for v in values]))
    except csv.Error as error:
        raise SpreadsheetError(
            _("The CSV file is malformed: %(error)s") % {"error": str(error)}, code="bad_csv"
        )
    if not any(table.headers):
        raise SpreadsheetError(_("The first row must hold the column headers."), code="no_header")
    return table


def check_zip(data: bytes) -> None:
    """Refuse zip bombs and non-workbooks before any XML is parsed."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise SpreadsheetError(
            _("The file is damaged or not an .xlsx workbook."), code="not_a_spreadsheet"
        )
    if len(infos) > MAX_ZIP_ENTRIES:
        raise SpreadsheetError(_("The workbook has too many parts."), code="zip_bomb")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > 1024 * 1024 and info.compress_size * MAX_COMPRESSION_RATIO < (
            info.file_size
        ):
            raise SpreadsheetError(
                _("The workbook is compressed suspiciously well (a zip bomb?); it was refused."),
                code="zip_bomb",
            )
    if total > MAX_UNCOMPRESSED_BYTES:
        raise SpreadsheetError(
            _("The workbook is too large once unpacked; split it into smaller files."),
            code="zip_bomb",
        )
    _check_part_sizes(infos)
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names:
        raise SpreadsheetError(
            _("This file is a zip archive but not an .xlsx workbook."), code="not_a_spreadsheet"
        )


SHARED_STRINGS_PART = "xl/sharedStrings.xml"


def _check_part_sizes(infos: list[zipfile.ZipInfo]) -> None:
    """Refuse a workbook whose shared strings or any sheet unpack to more than the settings
    allow, from the zip's member sizes, before a byte of XML is read.

    The shared strings are held in memory whole: a 5 MB file whose `sharedStrings.xml` unpacked
    to 390 MB (within the compression ratio limit) raised a worker from 342 to 769 MB before it
    was refused (issue 15.13). The sizes are the zip's own: `zipfile` never unpacks a member
    past its recorded size (it fails the read instead), so a forged size cannot get round this.
    """
    from django.conf import settings

    shared_limit = settings.YIKA_XLSX_MAX_SHARED_STRINGS_MB * 1024 * 1024
    sheet_limit = settings.YIKA_XLSX_MAX_SHEET_MB * 1024 * 1024
    for info in infos:
        name = info.filename.lstrip("/")
        if name == SHARED_STRINGS_PART and info.file_size > shared_limit:
            raise SpreadsheetError(
                _(
                    "The workbook's text unpacks to more than %(size)s MB (the limit); split "
                    "it into smaller files."
                )
                % {"size": settings.YIKA_XLSX_MAX_SHARED_STRINGS_MB},
                code="shared_strings_too_large",
            )
        if name.startswith("xl/worksheets/") and info.file_size > sheet_limit:
            raise SpreadsheetError(
                _(
                    "A sheet of the workbook unpacks to more than %(size)s MB (the limit); split "
                    "it into smaller files."
                )
                % {"size": settings.YIKA_XLSX_MAX_SHEET_MB},
                code="sheet_too_large",
            )


def _read_xlsx(data: bytes, *, max_rows: int) -> Table:
    check_zip(data)
    table = Table(headers=[], kind="xlsx")
    seen_header = False
    scan_limit = 2 * max_rows + 10_000  # empty rows count too, or a sparse sheet spins
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            reader = _XlsxSheetReader(archive)
            for row_number, values in reader.rows():
                if row_number > scan_limit:
                    raise _too_many_rows(max_rows)
                values = [_xlsx_value(v) for v in values]
                if not any(v is not None for v in values):
                    continue
                if not seen_header:
                    table.headers = [_clean_header(v) for v in values]
                    table.header_row = row_number
                    seen_header = True
                    continue
                if len(table.rows) >= max_rows:
                    raise _too_many_rows(max_rows)
                table.rows.append((row_number, values))
            table.merged = reader.merged
    except SpreadsheetError:
        raise
    except Exception:  # a broken part of the workbook, whatever the parser raised
        raise SpreadsheetError(
            _("The file is damaged or not an .xlsx workbook."), code="not_a_spreadsheet"
        )
    if not any(table.headers):
        raise SpreadsheetError(_("The first row must hold the column headers."), code="no_header")
    return table


_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_BUILTIN_DATE_FORMATS = {14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47}


def _expat(handlers: dict):
    """An expat parser that refuses any DTD (XLSX parts never have one: no entity tricks)."""
    from xml.parsers import expat

    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True

    def refuse_dtd(*args):
        raise ValueError("DTD in a workbook part")

    parser.StartDoctypeDeclHandler = refuse_dtd
    parser.EntityDeclHandler = refuse_dtd
    for name, handler in handlers.items():
        setattr(parser, name, handler)
    return parser


def _parse_part(archive: zipfile.ZipFile, name: str, handlers: dict) -> None:
    parser = _expat(handlers)
    with archive.open(name) as part:
        while chunk := part.read(1 << 16):
            parser.Parse(chunk, False)
    parser.Parse(b"", True)


class _XlsxSheetReader:
    """A streaming reader of the first sheet: values as str, int, float, bool, datetime or None.

    openpyxl's read-only mode builds an object per cell and reads the sheet at ~10,000 cells/s on
    a loaded server; this reads the same XML with expat at several times that, which a
    50,000-row ledger needs (bench/import.py).
    """

    def __init__(self, archive: zipfile.ZipFile):
        self.archive = archive
        self.names = set(archive.namelist())
        self.sheet = self._first_sheet()
        self.shared = self._shared_strings()
        self.date_styles, self.epoch1904 = self._styles()
        self.merged: list[str] = []  # filled by `rows` (the ranges follow the sheet's data)

    def _first_sheet(self) -> str:
        sheets: list[str] = []
        rels: dict[str, str] = {}
        flags = {"date1904": False}

        def workbook_start(tag, attrs):
            if tag == f"{_NS_MAIN}}}sheet":
                sheets.append(attrs.get(f"{_NS_REL}}}id", ""))
            elif tag == f"{_NS_MAIN}}}workbookPr":
                flags["date1904"] = attrs.get("date1904") in ("1", "true")

        def rels_start(tag, attrs):
            if tag == f"{_NS_PKG_REL}}}Relationship":
                rels[attrs.get("Id", "")] = attrs.get("Target", "")

        _parse_part(self.archive, "xl/workbook.xml", {"StartElementHandler": workbook_start})
        self.date1904 = flags["date1904"]
        if "xl/_rels/workbook.xml.rels" in self.names:
            _parse_part(
                self.archive, "xl/_rels/workbook.xml.rels", {"StartElementHandler": rels_start}
            )
        if not sheets:
            raise SpreadsheetError(_("The workbook has no sheet."), code="no_header")
        target = rels.get(sheets[0], "worksheets/sheet1.xml").lstrip("/")
        name = target if target.startswith("xl/") else f"xl/{target}"
        if name not in self.names:
            raise SpreadsheetError(
                _("The file is damaged or not an .xlsx workbook."), code="not_a_spreadsheet"
            )
        return name

    def _shared_strings(self) -> list[str]:
        strings: list[str] = []
        name = SHARED_STRINGS_PART
        if name not in self.names:
            return strings
        state = {"parts": [], "in_t": False, "phonetic": 0}

        def start(tag, attrs):
            if tag == f"{_NS_MAIN}}}si":
                state["parts"] = []
            elif tag == f"{_NS_MAIN}}}rPh":
                state["phonetic"] += 1
            elif tag == f"{_NS_MAIN}}}t" and not state["phonetic"]:
                state["in_t"] = True

        def end(tag):
            if tag == f"{_NS_MAIN}}}si":
                strings.append("".join(state["parts"]))
            elif tag == f"{_NS_MAIN}}}rPh":
                state["phonetic"] -= 1
            elif tag == f"{_NS_MAIN}}}t":
                state["in_t"] = False

        def text(data):
            if state["in_t"]:
                state["parts"].append(data)

        _parse_part(
            self.archive,
            name,
            {"StartElementHandler": start, "EndElementHandler": end, "CharacterDataHandler": text},
        )
        return strings

    def _styles(self) -> tuple[set[int], bool]:
        from openpyxl.styles.numbers import is_date_format

        name = "xl/styles.xml"
        if name not in self.names:
            return set(), self.date1904
        custom: dict[int, str] = {}
        xf_formats: list[int] = []
        depth = {"cellXfs": False}

        def start(tag, attrs):
            if tag == f"{_NS_MAIN}}}numFmt":
                custom[int(attrs.get("numFmtId", "0"))] = attrs.get("formatCode", "")
            elif tag == f"{_NS_MAIN}}}cellXfs":
                depth["cellXfs"] = True
            elif tag == f"{_NS_MAIN}}}xf" and depth["cellXfs"]:
                xf_formats.append(int(attrs.get("numFmtId", "0")))

        def end(tag):
            if tag == f"{_NS_MAIN}}}cellXfs":
                depth["cellXfs"] = False

        _parse_part(self.archive, name, {"StartElementHandler": start, "EndElementHandler": end})
        dates = set()
        for index, fmt in enumerate(xf_formats):
            if fmt in _BUILTIN_DATE_FORMATS or (fmt in custom and is_date_format(custom[fmt])):
                dates.add(index)
        return dates, self.date1904

    def rows(self):
        """Yield `(row_number, values)` for each row element, values indexed by column."""
        from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

        epoch = CALENDAR_MAC_1904 if self.epoch1904 else CALENDAR_WINDOWS_1900
        shared, date_styles = self.shared, self.date_styles
        out: list[tuple[int, list[Any]]] = []
        state = {"row": 0, "values": None, "col": 0, "type": "n", "style": 0, "text": None}
        c_tag, v_tag, t_tag, row_tag = (f"{_NS_MAIN}}}{n}" for n in ("c", "v", "t", "row"))
        merge_tag, merged = f"{_NS_MAIN}}}mergeCell", self.merged

        def column_index(ref: str) -> int:
            index = 0
            for char in ref:
                if "A" <= char <= "Z":
                    index = index * 26 + ord(char) - 64
                else:
                    break
            return index - 1

        def start(tag, attrs):
            if tag == row_tag:
                number = attrs.get("r")
                state["row"] = int(number) if number else state["row"] + 1
                state["values"] = []
                state["col"] = 0
            elif tag == c_tag:
                ref = attrs.get("r")
                state["col"] = column_index(ref) if ref else len(state["values"])
                state["type"] = attrs.get("t", "n")
                state["style"] = int(attrs.get("s", "0"))
                state["text"] = None
            elif tag in (v_tag, t_tag) and state["text"] is None:
                state["text"] = ""  # rich inline text has several <t> runs: keep them all
            elif tag == merge_tag and attrs.get("ref"):
                merged.append(attrs["ref"])

        def text(data):
            if state["text"] is not None:
                state["text"] += data

        def end(tag):
            if tag == c_tag:
                col = state["col"]
                if col >= MAX_COLUMNS or state["text"] is None:
                    return
                raw, kind = state["text"], state["type"]
                if kind == "s":
                    value = shared[int(raw)]
                elif kind in ("inlineStr", "str"):
                    value = raw
                elif kind == "b":
                    value = raw.strip() == "1"
                elif kind == "e":
                    value = None
                else:
                    number = float(raw) if raw.strip() else None
                    if number is None:
                        value = None
                    elif state["style"] in date_styles:
                        value = from_excel(number, epoch)
                    elif number.is_integer() and "." not in raw and "E" not in raw.upper():
                        value = int(number)
                    else:
                        value = number
                values = state["values"]
                if col >= len(values):
                    values.extend([None] * (col - len(values) + 1))
                values[col] = value
            elif tag == row_tag:
                out.append((state["row"], state["values"]))

        parser = _expat(
            {"StartElementHandler": start, "EndElementHandler": end, "CharacterDataHandler": text}
        )
        with self.archive.open(self.sheet) as part:
            while chunk := part.read(1 << 16):
                parser.Parse(chunk, False)
                yield from out
                out.clear()
        parser.Parse(b"", True)
        yield from out


def merged_rows(ref: str) -> tuple[int, int]:
    """The first and last row of a merged range such as `A5:B9` (a single cell: that row twice)."""
    numbers = [int("".join(ch for ch in part if ch.isdigit()) or 0) for part in ref.split(":")]
    return min(numbers), max(numbers)


def locate_header(table: Table, score, *, scan: int = 10, minimum: int = 2) -> Table:
    """The table with its header moved to the row that best looks like one.

    Exports often open with a title or the unit's name above the header (a header on row 3).
    `score(values)` says how many of a row's cells are known headers; among the first row and
    the next `scan` rows, the first with the highest score of at least `minimum` becomes the
    header and only the rows after it stay data. When no row scores enough, the table is
    returned as read (the caller reports the missing columns).
    """
    candidates = [(table.header_row, table.headers)]
    candidates += [
        (number, [_clean_header(v) for v in values]) for number, values in table.rows[:scan]
    ]
    best_number, best_values, best_score = table.header_row, table.headers, score(table.headers)
    for number, values in candidates[1:]:
        points = score(values)
        if points > best_score:
            best_number, best_values, best_score = number, values, points
    if best_number == table.header_row or best_score < minimum:
        return table
    return Table(
        headers=best_values,
        rows=[(number, values) for number, values in table.rows if number > best_number],
        kind=table.kind,
        encoding=table.encoding,
        header_row=best_number,
        merged=table.merged,
    )


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value[:MAX_CELL_CHARS] if value else None
    return value
