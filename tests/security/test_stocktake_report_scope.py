"""Issue 15.1: stocktake reports were not scoped to the reader. A clerk of the big data centre read
another bureau's lines (tags, names, serials, custodians, values, differences) in `report/`,
`report.xlsx`, `report.pdf`, `progress/` and the dashboard of a whole-register campaign, while
`lines/` was scoped. Pass: the clerk's report in every format covers their share and says so; the
auditor and the admin read the frozen whole-campaign result."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import load_workbook
from pypdf import PdfReader

from inventory.services import campaigns, scanning
from tests.factories import LocationFactory, make_asset

pytestmark = pytest.mark.django_db

SECRET = "卫健委机密终端"
SECRET_SERIAL = "SN-HEALTH-SECRET"
SECRET_CUSTODIAN = "王秘书"


@pytest.fixture
def whole_register(admin_user, centre, other_bureau, clerk, other_clerk):
    """A whole-register campaign every clerk sees, with one card of each bureau, both counted
    or missing, closed (so there are differences on both sides)."""
    own_room = LocationFactory(code="BDC-101", name="101机房", department=centre)
    their_room = LocationFactory(code="HEALTH-201", name="201机房", department=other_bureau)
    own = make_asset(owner=centre, actor=clerk, location=own_room, name="本中心台式机")
    theirs = make_asset(
        owner=other_bureau,
        actor=other_clerk,
        location=their_room,
        name=SECRET,
        serial_number=SECRET_SERIAL,
        custodian=SECRET_CUSTODIAN,
        original_value=Decimal("98765.43"),
    )
    campaign = campaigns.create_campaign(
        actor=admin_user,
        name="2025年度全面清查",
        year=2025,
        reference_date=date(2025, 12, 31),
        due_on=date(2026, 1, 31),
    )
    campaign = campaigns.activate_campaign(campaign=campaign, actor=admin_user)
    scanning.record_scan(campaign=campaign, actor=clerk, code=own.tag)
    campaign = campaigns.close_campaign(campaign=campaign, actor=admin_user)
    campaign.own, campaign.theirs = own, theirs
    return campaign


def url(campaign, suffix):
    return f"/api/v1/stocktakes/{campaign.pk}/{suffix}"


def _xlsx_text(content: bytes) -> str:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    return "\n".join(
        " ".join("" if cell is None else str(cell) for cell in row)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
    )


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_clerk_report_json_of_a_whole_register_campaign_covers_only_their_share(
    api, clerk, whole_register
):
    report = api.as_user(clerk).get(url(whole_register, "report/")).json()
    assert report["totals"]["book_count"] == 1
    assert report["totals"]["shortage_count"] == 0
    assert [row["code"] for row in report["by_department"]] == ["BDC"]
    assert report["coverage"] == {
        "whole": False,
        "user": "clerk",
        "user_name": "clerk",  # the display name, when the account has one
        "department": {"code": "BDC", "name": "市大数据中心"},
    }
    assert report["sha256"] is None and report["lines_sha256"] is None
    assert "98765" not in str(report)


def test_clerk_report_xlsx_has_no_other_bureau_line_and_says_it_covers_their_share(
    api, clerk, whole_register
):
    response = api.as_user(clerk).get(url(whole_register, "report.xlsx/"))
    assert response.status_code == 200
    text = _xlsx_text(response.content)
    assert whole_register.own.tag in text
    for secret in (whole_register.theirs.tag, SECRET, SECRET_SERIAL, SECRET_CUSTODIAN, "98765"):
        assert secret not in text
    assert "仅含您的盘点范围" in text


def test_clerk_report_pdf_has_no_other_bureau_line_and_says_it_covers_their_share(
    api, clerk, whole_register
):
    response = api.as_user(clerk).get(url(whole_register, "report.pdf/"))
    assert response.status_code == 200
    text = _pdf_text(response.content)
    for secret in (whole_register.theirs.tag, SECRET, "HEALTH", "98765"):
        assert secret not in text
    assert "仅含您的盘点范围" in text.replace("\n", "")


def test_clerk_progress_counts_only_their_share(api, clerk, whole_register):
    data = api.as_user(clerk).get(url(whole_register, "progress/")).json()
    assert [row["code"] for row in data["by_department"]] == ["BDC"]
    assert [row["code"] for row in data["by_location"]] == ["BDC-101"]
    assert data["summary"]["total"] == 1


def test_clerk_differences_and_dashboard_show_no_other_bureau_line(clerk, whole_register):
    client = Client()
    client.force_login(clerk)
    page = client.get(f"/stocktakes/{whole_register.pk}/").content.decode()
    assert "市卫健委" not in page and "98,765" not in page and "98765" not in page
    differences = client.get(f"/stocktakes/{whole_register.pk}/differences").content.decode()
    assert whole_register.theirs.tag not in differences and SECRET not in differences


@pytest.mark.parametrize("reader", ["auditor", "admin_user"])
def test_auditor_and_admin_read_the_frozen_whole_campaign_report(
    api, request, reader, whole_register
):
    api.as_user(request.getfixturevalue(reader))
    report = api.get(url(whole_register, "report/")).json()
    assert report["frozen"] is True and len(report["sha256"]) == 64
    assert report["coverage"]["whole"] is True
    assert report["totals"]["book_count"] == 2
    assert report["totals"]["shortage_count"] == 1
    text = _xlsx_text(api.get(url(whole_register, "report.xlsx/")).content)
    assert whole_register.theirs.tag in text and SECRET in text
    assert whole_register.theirs.tag in _pdf_text(
        api.get(url(whole_register, "report.pdf/")).content
    )


def test_clerk_dashboard_says_the_result_covers_their_share(clerk, whole_register):
    client = Client()
    client.force_login(clerk)
    page = client.get(f"/stocktakes/{whole_register.pk}/").content.decode()
    assert "仅含您的盘点范围" in page
