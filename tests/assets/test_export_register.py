"""Register export: same filters and scope as the list; formulas neutralised; types kept."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from tests.api_base import APITestBase
from tests.factories import make_asset


def sheet_of(response):
    return load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]


def csv_rows(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))


def column(sheet, header):
    headers = [cell.value for cell in sheet[1]]
    index = headers.index(header)
    return [row[index] for row in sheet.iter_rows(min_row=2)]


def test_export_xlsx_lists_only_cards_the_user_may_see(api, clerk, centre, other_bureau):
    mine = make_asset(owner=centre, actor=clerk, name="我的")
    make_asset(owner=other_bureau, name="别人的")
    api.as_user(clerk)
    response = api.get("/api/v1/assets/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert [c.value for c in column(sheet_of(response), "资产编号")] == [mine.tag]


def test_export_uses_the_list_filters(api, auditor, centre, other_bureau):
    make_asset(owner=centre, name="在用的", status="in_use")
    make_asset(owner=other_bureau, name="库存的", status="in_stock")
    api.as_user(auditor)
    response = api.get("/api/v1/assets/export.csv?status=in_stock", HTTP_ACCEPT_LANGUAGE="en")
    rows = csv_rows(response)
    names = [row[rows[0].index("Name")] for row in rows[1:]]
    assert names == ["库存的"]


def test_export_with_an_invalid_filter_is_a_400(api, auditor):
    api.as_user(auditor)
    assert api.get("/api/v1/assets/export.xlsx?status=nonsense").status_code == 400


def test_export_neutralises_formulas_in_xlsx_and_keeps_types(api, clerk, centre):
    make_asset(
        owner=centre,
        actor=clerk,
        name='=HYPERLINK("http://evil.example")',
        model="-2+3",
        custodian="@SUM(A1)",
        original_value=Decimal("1234.50"),
        acquired_on=date(2022, 5, 6),
    )
    api.as_user(clerk)
    sheet = sheet_of(api.get("/api/v1/assets/export.xlsx"))
    assert column(sheet, "资产名称")[0].value == '\'=HYPERLINK("http://evil.example")'
    assert column(sheet, "型号")[0].value == "'-2+3"
    assert column(sheet, "使用人")[0].value == "'@SUM(A1)"
    value = column(sheet, "原值")[0]
    assert value.data_type == "n" and value.value == 1234.5
    assert column(sheet, "取得日期")[0].is_date
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_export_neutralises_formulas_in_csv(api, clerk, centre):
    make_asset(owner=centre, actor=clerk, name="+1", custodian="\tx")
    api.as_user(clerk)
    rows = csv_rows(api.get("/api/v1/assets/export.csv", HTTP_ACCEPT_LANGUAGE="en"))
    header = rows[0]
    assert rows[1][header.index("Name")] == "'+1"
    assert rows[1][header.index("Custodian")] == "'\tx"
    assert rows[1][header.index("Original value")] == "6000.00"


def test_anonymous_cannot_export(api, db):
    assert api.get("/api/v1/assets/export.xlsx").status_code in (401, 403)


def test_an_export_re_imports_with_nothing_changed(api, clerk, centre):
    host = make_asset(owner=centre, actor=clerk, name="服务器", legacy_number="H-1")
    make_asset(owner=centre, actor=clerk, name="网卡", parent=host, embedded=True)
    api.as_user(clerk)
    data = b"".join(api.get("/api/v1/assets/export.xlsx").streaming_content)
    response = api.post(
        "/api/v1/imports/", {"file": SimpleUploadedFile("export.xlsx", data)}, format="multipart"
    )
    job = response.json()
    assert job["state"] == "ready", job["errors"]
    assert (job["unchanged_count"], job["create_count"], job["update_count"]) == (2, 0, 0)
    assert job["columns"]["ignored"] == []


def test_the_handover_list_exports_each_item_with_its_result(api, clerk, centre, other_bureau):
    from assets.handovers import services as hs
    from tests.factories import UserFactory, make_project

    project = make_project(builder=centre, owner=other_bureau, code="DJ-X")
    asset = make_asset(owner=centre, actor=clerk, project=project, name="=cmd|' /C calc'!A0")
    handover = hs.create_handover(actor=clerk, project=project, assets=[asset])
    hs.submit_handover(handover=handover, actor=clerk)
    receiver = UserFactory(username="recv-x", department=other_bureau, roles=["receiver"])
    hs.decide_handover(
        handover=handover,
        actor=receiver,
        decisions=[hs.ItemDecision(tag=asset.tag, result="rejected", reason="-缺少资料")],
    )
    api.as_user(clerk)
    response = api.get(f"/api/v1/handovers/{handover.number}/items.xlsx")
    assert response.status_code == 200
    sheet = sheet_of(response)
    assert column(sheet, "资产编号")[0].value == asset.tag
    assert column(sheet, "资产名称")[0].value == "'=cmd|' /C calc'!A0"
    assert column(sheet, "理由")[0].value == "'-缺少资料"
    assert column(sheet, "原值")[0].data_type == "n"
    rows = csv_rows(api.get(f"/api/v1/handovers/{handover.number}/items.csv"))
    assert rows[1][0] == asset.tag


class TestAssetExportAPI(APITestBase):
    """`GET /api/v1/assets/export.xlsx|.csv`: the list's scope, and 401 without a session."""

    url_names = ("asset-export-xlsx", "asset-export-csv")

    @pytest.mark.parametrize("name", url_names)
    def test_anonymous_export_is_401(self, request, name, db):
        assert self.client_for(request, None).get(reverse(name)).status_code == 401

    @pytest.mark.parametrize("name", url_names)
    def test_another_departments_card_is_absent(self, request, name, centre, other_bureau):
        mine = make_asset(owner=centre, name="我的")
        theirs = make_asset(owner=other_bureau, name="别人的")
        response = self.client_for(request, "clerk").get(reverse(name))
        assert response.status_code == 200
        content = b"".join(response.streaming_content)
        if name.endswith("csv"):
            text = content.decode("utf-8-sig")
        else:
            sheet = load_workbook(io.BytesIO(content)).worksheets[0]
            text = "\n".join(str(cell.value) for row in sheet.iter_rows() for cell in row)
        assert mine.tag in text and theirs.tag not in text


class TestHandoverItemsExportAPI(APITestBase):
    """`GET /api/v1/handovers/{number}/items.xlsx|.csv`: another department's handover is a 404,
    like the handover itself."""

    url_names = ("handover-items-xlsx", "handover-items-csv")

    @pytest.fixture
    def theirs(self, other_bureau, other_clerk, wrong_receiver):
        from assets.handovers import services as hs
        from tests.factories import make_project

        project = make_project(
            builder=other_bureau, owner=wrong_receiver.department, code="DJ-WJW-01"
        )
        asset = make_asset(owner=other_bureau, project=project)
        return hs.create_handover(actor=other_clerk, project=project, assets=[asset])

    @pytest.mark.parametrize("name", url_names)
    @pytest.mark.parametrize(("role", "status"), [(None, 401), ("clerk", 404), ("auditor", 200)])
    def test_who_reads_another_departments_list(self, request, theirs, name, role, status):
        url = reverse(name, kwargs={"number": theirs.number})
        assert self.client_for(request, role).get(url).status_code == status
