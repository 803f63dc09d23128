"""Issue 14.7: progress counted decided lines as counted. A closed campaign showed
"实盘数 293 / 293 · 已完成 100.0%" beside a result of 13 counted. Counted, shortages and pending are
separate figures in the selector, the API, the report (JSON/XLSX/PDF) and the dashboard."""

import io

import pytest
from django.test import Client
from openpyxl import load_workbook
from pypdf import PdfReader

from inventory import exports, selectors
from inventory.services import campaigns, scanning
from tests.factories import make_asset

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(plan, pc, centre, room, clerk, admin_user):
    """Two cards: one scanned, one never found (a shortage at close), one still pending."""
    make_asset(owner=centre, actor=clerk, location=room, name="丢失的显示器")
    campaign = campaigns.activate_campaign(campaign=plan(), actor=admin_user)
    scanning.record_scan(campaign=campaign, actor=clerk, code=pc.tag)
    return campaigns.close_campaign(campaign=campaign, actor=admin_user)


def test_progress_of_a_closed_campaign_does_not_count_shortages_as_counted(closed, clerk):
    [row] = selectors.progress(campaign=closed, user=clerk)
    assert (row["total"], row["counted"], row["shortage"], row["pending"]) == (2, 1, 1, 0)
    assert (row["percent"], row["counted_percent"]) == (100.0, 50.0)


def test_progress_while_counting_shows_pending_apart_from_counted(active, pc, clerk):
    [row] = selectors.progress(campaign=active, user=clerk)
    assert (row["total"], row["counted"], row["pending"], row["percent"]) == (1, 0, 1, 0.0)
    scanning.record_scan(campaign=active, actor=clerk, code=pc.tag)
    [row] = selectors.progress(campaign=active, user=clerk)
    assert (row["counted"], row["pending"], row["percent"]) == (1, 0, 100.0)


def test_progress_api_answers_counted_shortage_and_pending(api, auditor, closed):
    data = api.as_user(auditor).get(f"/api/v1/stocktakes/{closed.pk}/progress/").json()
    assert data["summary"] == {
        "total": 2,
        "counted": 1,
        "shortage": 1,
        "pending": 0,
        "done": 2,
        "percent": 100.0,
        "counted_percent": 50.0,
        "by_holder": 0,
        "handed_over": 0,
    }
    assert data["by_department"][0]["counted"] == 1
    assert data["by_location"][0]["shortage"] == 1


def test_report_totals_carry_pending_apart_from_counted_and_shortage(api, auditor, closed):
    api.as_user(auditor)
    totals = api.get(f"/api/v1/stocktakes/{closed.pk}/report/").json()["totals"]
    assert (totals["counted_count"], totals["shortage_count"], totals["pending_count"]) == (1, 1, 0)
    workbook = load_workbook(
        io.BytesIO(api.get(f"/api/v1/stocktakes/{closed.pk}/report.xlsx/").content)
    )
    by_department = list(workbook["按部门"].iter_rows(values_only=True))
    total = next(row for row in by_department if row and row[1] == "合计")
    keys = [key for key, _label, _kind in exports.TOTAL_COLUMNS]
    figures = {key: total[2 + index] for index, key in enumerate(keys)}
    assert (figures["counted_count"], figures["shortage_count"], figures["pending_count"]) == (
        1,
        1,
        0,
    )
    pdf = PdfReader(io.BytesIO(api.get(f"/api/v1/stocktakes/{closed.pk}/report.pdf/").content))
    assert "待盘数" in pdf.pages[0].extract_text()
    assert dict(zip(by_department[0], total, strict=True))["待盘数量"] == 0


def test_dashboard_of_a_closed_campaign_shows_counted_not_decided_as_counted(auditor, closed):
    client = Client()
    client.force_login(auditor)
    page = client.get(f"/stocktakes/{closed.pk}/").content.decode()
    assert "1 / 2" in page
    assert "2 / 2" not in page
    assert "盘亏 1 · 待盘 0" in page
    assert "实盘 1 / 2 · 盘亏 1 · 待盘 0" in page
