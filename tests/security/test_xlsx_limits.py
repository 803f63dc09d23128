"""Issue 15.13: an XLSX whose shared strings (or a sheet) inflate beyond a limit is refused from
the zip's member sizes, before any of its XML is read.

The attack: a 5 MB workbook whose `sharedStrings.xml` unpacks to 390 MB, within the zip ratio
limit, raised a worker from 342 to 769 MB before being refused. The files are built here.
"""

import io
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from assets import spreadsheets
from assets.models import ImportJob

MB = 1024 * 1024
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_WORKBOOK = (
    f'<workbook xmlns="{_MAIN}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_RELS = (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="http://schemas.openxmlformats'
    '.org/officeDocument/2006/relationships/worksheet"/></Relationships>'
)
_SHEET = (
    f'<worksheet xmlns="{_MAIN}"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row>'
    "</sheetData></worksheet>"
)


def inflating_workbook(*, shared_strings_bytes: int) -> bytes:
    """A valid workbook whose shared strings unpack to about `shared_strings_bytes`, compressed
    about 26:1 (well inside the zip ratio limit), written in blocks so the test holds no more
    than the compressed file."""
    block = b"".join(
        b"<si><t>%s%06d</t></si>" % ("资产名称资产名称资产名称资产名称".encode(), n)
        for n in range(20_000)
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _RELS)
        archive.writestr("xl/worksheets/sheet1.xml", _SHEET)
        with archive.open("xl/sharedStrings.xml", "w") as part:
            part.write(f'<sst xmlns="{_MAIN}">'.encode())
            for _ in range(max(1, shared_strings_bytes // len(block))):
                part.write(block)
            part.write(b"</sst>")
    return out.getvalue()


@pytest.fixture(scope="module")
def bomb():
    return inflating_workbook(shared_strings_bytes=390 * MB)


def test_a_workbook_whose_shared_strings_inflate_to_390_mb_is_refused_before_reading(bomb):
    assert len(bomb) < spreadsheets.MAX_UPLOAD_BYTES  # it passes the upload limit
    info = zipfile.ZipFile(io.BytesIO(bomb)).getinfo("xl/sharedStrings.xml")
    assert info.file_size < info.compress_size * spreadsheets.MAX_COMPRESSION_RATIO
    tracemalloc.start()
    try:
        with pytest.raises(spreadsheets.SpreadsheetError) as refused:
            spreadsheets.read_table(bomb)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert refused.value.code == "shared_strings_too_large"
    assert peak < 5 * MB, f"{peak / MB:.1f} MB allocated before the refusal"


@pytest.mark.django_db
def test_the_import_answers_an_inflating_workbook_with_a_clear_400(api, clerk, bomb):
    response = api.as_user(clerk).post(
        "/api/v1/imports/",
        {"file": SimpleUploadedFile("ledger.xlsx", bomb)},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    assert "64 MB" in response.json()["file"][0]
    assert "拆分" in response.json()["file"][0]
    assert ImportJob.objects.count() == 0


def test_the_shared_strings_limit_is_a_setting(settings):
    workbook = inflating_workbook(shared_strings_bytes=2 * MB)
    settings.YIKA_XLSX_MAX_SHARED_STRINGS_MB = 1
    with pytest.raises(spreadsheets.SpreadsheetError) as refused:
        spreadsheets.read_table(workbook)
    assert refused.value.code == "shared_strings_too_large"
    settings.YIKA_XLSX_MAX_SHARED_STRINGS_MB = 3
    assert spreadsheets.read_table(workbook).headers[0].startswith("资产名称")


def test_a_sheet_that_inflates_beyond_the_limit_is_refused(settings):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["资产名称", "原值"])
    for n in range(40_000):
        sheet.append([n, n * 2])  # numbers: the sheet grows, the shared strings do not
    out = io.BytesIO()
    workbook.save(out)
    settings.YIKA_XLSX_MAX_SHEET_MB = 1
    with pytest.raises(spreadsheets.SpreadsheetError) as refused:
        spreadsheets.read_table(out.getvalue())
    assert refused.value.code == "sheet_too_large"
