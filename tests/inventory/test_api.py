import io
import threading
import uuid

import pytest
from django.db import connection
from openpyxl import load_workbook
from pypdf import PdfReader
from rest_framework.test import APIClient

from inventory.api.serializers import ScanLineSerializer
from inventory.models import StocktakeCount, StocktakeScan
from inventory.services import campaigns, scanning
from tests.factories import make_asset

pytestmark = pytest.mark.django_db


def url(campaign, suffix=""):
    return f"/api/v1/stocktakes/{campaign.pk}/{suffix}"


def test_clerk_plans_a_campaign_with_natural_keys(api, clerk, centre, room):
    response = api.as_user(clerk).post(
        "/api/v1/stocktakes/",
        {
            "name": "二〇二五年盘点",
            "year": 2025,
            "reference_date": "2025-12-31",
            "due_on": "2026-01-31",
            "departments": [centre.code],
            "assignments": [{"counter": clerk.username, "location": room.code}],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["departments"] == [centre.code]
    assert response.json()["counters"] == [
        {"counter": "clerk", "department": None, "location": room.code}
    ]


def test_unknown_department_is_a_field_error(api, clerk):
    response = api.as_user(clerk).post(
        "/api/v1/stocktakes/",
        {
            "name": "x",
            "year": 2025,
            "reference_date": "2025-12-31",
            "due_on": "2026-01-31",
            "departments": ["NOPE"],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "departments" in response.json()


def test_auditor_reads_but_cannot_scan(api, auditor, active, pc):
    api.as_user(auditor)
    assert api.get(url(active)).status_code == 200
    assert api.post(url(active, "scans/"), {"code": pc.tag}, format="json").status_code == 403
    assert active.lines.get().result == "pending"


def test_other_department_clerk_gets_404_for_the_campaign(api, other_clerk, active):
    assert api.as_user(other_clerk).get(url(active)).status_code == 404
    assert api.get("/api/v1/stocktakes/").json()["count"] == 0


def test_single_scan_answers_found_with_the_line(api, clerk, active, pc):
    response = api.as_user(clerk).post(url(active, "scans/"), {"code": pc.tag}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["answer"] == "found"
    assert body["line"]["tag"] == pc.tag


@pytest.mark.parametrize("second_scan", [False, True], ids=["counted", "duplicate"])
def test_scan_answer_line_holds_the_scan_line_serializer_fields(
    api, clerk, active, pc, other_room, second_scan
):
    api.as_user(clerk)
    scan = {"code": pc.tag, "location": other_room.code}
    body = api.post(url(active, "scans/"), scan, format="json").json()
    if second_scan:
        body = api.post(url(active, "scans/"), scan, format="json").json()
    line = active.lines.select_related("location", "counted_location").get()
    assert body["line"] == ScanLineSerializer(line).data
    assert body["line"]["counted_location"] == other_room.code


def test_a_clerk_scan_request_runs_at_most_ten_queries(
    api, clerk, active, pc, django_assert_max_num_queries
):
    """Session, user, roles and the campaign with the department tree walked inside it (4); the
    line, the counter's scope checked inside it (1); count, line and scan log (3, one statement
    on PostgreSQL); the transaction (2 here, as savepoints). A regression here slows every
    clerk's scan (bench/stocktake.py)."""
    api.as_user(clerk)
    with django_assert_max_num_queries(10):
        response = api.post(url(active, "scans/"), {"code": pc.tag}, format="json")
    assert response.json()["answer"] == "found"


def test_out_of_scope_scan_reveals_no_card_fields(api, active, pc, centre):
    from tests.factories import LocationFactory, UserFactory

    outsider = UserFactory(username="counter2", department=centre, roles=["clerk"])
    campaigns.create_campaign  # noqa: B018 - campaign already active; assignment below narrows scope
    from inventory.models import CounterAssignment

    CounterAssignment.objects.create(
        campaign=active, counter=outsider, location=LocationFactory(code="ELSEWHERE")
    )
    body = api.as_user(outsider).post(url(active, "scans/"), {"code": pc.tag}, format="json").json()
    assert body["answer"] == "not_in_scope"
    assert body["line"] is None
    assert pc.name not in str(body)


def test_malformed_code_is_a_400_naming_the_field(api, clerk, active):
    response = api.as_user(clerk).post(url(active, "scans/"), {"code": "%%%"}, format="json")
    assert response.status_code == 400
    assert "code" in response.json()


def test_scan_to_a_draft_campaign_is_a_409(api, clerk, plan, pc):
    campaign = plan()
    response = api.as_user(clerk).post(url(campaign, "scans/"), {"code": pc.tag}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "campaign_not_active"


def test_scan_to_an_unknown_campaign_is_a_404(api, clerk):
    response = api.as_user(clerk).post(
        "/api/v1/stocktakes/999999/scans/", {"code": "x"}, format="json"
    )
    assert response.status_code == 404


def test_batch_answers_each_entry_and_applies_the_rest(api, clerk, active, pc):
    batch = [
        {"code": pc.tag, "client_key": str(uuid.uuid4())},
        {"code": "!!"},
        {"code": pc.tag, "scanned_at": "2999-01-01T00:00:00Z"},
        "not an object",
    ]
    response = api.as_user(clerk).post(url(active, "scans/"), batch, format="json")
    assert response.status_code == 200
    body = response.json()
    assert [entry["index"] for entry in body] == [0, 1, 2, 3]
    assert body[0]["answer"] == "found"
    assert "code" in body[1]["errors"]
    assert "scanned_at" in body[2]["errors"]
    assert "errors" in body[3]
    assert StocktakeCount.objects.count() == 1


def test_oversized_batch_is_refused_whole(api, clerk, active, pc, settings):
    batch = [{"code": pc.tag}] * (settings.YIKA_STOCKTAKE_SCAN_BATCH_MAX + 1)
    response = api.as_user(clerk).post(url(active, "scans/"), batch, format="json")
    assert response.status_code == 400
    assert StocktakeScan.objects.count() == 0


def test_lines_filter_by_result(api, clerk, active, pc):
    api.as_user(clerk)
    assert api.get(url(active, "lines/?result=pending")).json()["count"] == 1
    assert api.get(url(active, "lines/?result=found")).json()["count"] == 0
    assert api.get(url(active, "lines/?result=bogus")).status_code == 400


def test_progress_and_report_after_close(api, admin_user, active, pc, clerk):
    api.as_user(clerk).post(url(active, "scans/"), {"code": pc.tag}, format="json")
    api.as_user(admin_user)
    assert api.get(url(active, "progress/")).json()["by_department"][0]["percent"] == 100.0
    assert api.post(url(active, "close/")).json()["state"] == "closed"
    report = api.get(url(active, "report/")).json()
    assert report["frozen"] is True
    assert report["totals"]["match_rate_count"] == 100.0
    assert len(report["sha256"]) == 64


def test_report_xlsx_neutralises_formulas(api, admin_user, clerk, active):
    scanning.record_surplus(campaign=active, actor=clerk, note='=HYPERLINK("http://x")')
    campaigns.close_campaign(campaign=active, actor=admin_user)
    response = api.as_user(admin_user).get(url(active, "report.xlsx/"))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    cells = [c.value for sheet in workbook for row in sheet.iter_rows() for c in row]
    assert '\'=HYPERLINK("http://x")' in cells
    assert not any(isinstance(v, str) and v.startswith("=") for v in cells)


def test_report_pdf_prints_names_literally(api, admin_user, clerk, active):
    scanning.record_surplus(campaign=active, actor=clerk, note="<font color='red'>柜子</font>")
    campaigns.close_campaign(campaign=active, actor=admin_user)
    response = api.as_user(admin_user).get(url(active, "report.pdf/"))
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "<font color='red'>" in text
    assert "柜子" in text


def test_lines_csv_is_an_attachment(api, auditor, active, pc):
    response = api.as_user(auditor).get(url(active, "lines.csv/"))
    assert response["Content-Disposition"].startswith("attachment")
    assert pc.tag in b"".join(response.streaming_content).decode()


def test_difference_register_explain_then_approve(api, admin_user, clerk, active):
    campaigns.close_campaign(campaign=active, actor=admin_user)
    difference = api.as_user(clerk).get(url(active, "differences/")).json()["results"][0]
    assert difference["kind"] == "shortage"
    explain = url(active, f"differences/{difference['id']}/explain/")
    assert api.post(explain, {"reason": "借出未还"}, format="json").json()["state"] == "explained"
    approve = url(active, f"differences/{difference['id']}/approve/")
    assert api.post(approve).status_code == 403
    assert api.as_user(admin_user).post(approve).json()["state"] == "approved"


def test_surplus_photo_must_be_an_image(api, clerk, active):
    from django.core.files.uploadedfile import SimpleUploadedFile

    svg = SimpleUploadedFile("x.svg", b"<svg onload=alert(1)>", content_type="image/svg+xml")
    response = api.as_user(clerk).post(
        url(active, "surplus/"), {"note": "机柜里的交换机", "photo": svg}, format="multipart"
    )
    assert response.status_code == 400
    assert "photo" in response.json()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_threads_scanning_one_asset_count_it_once(centre, clerk, admin_user, plan, room):
    asset = make_asset(owner=centre, location=room)
    campaign = campaigns.activate_campaign(campaign=plan(), actor=admin_user)
    shared_key = str(uuid.uuid4())
    answers, errors = [], []
    barrier = threading.Barrier(20)

    def scan(i):
        client = APIClient()
        client.force_login(clerk)
        key = shared_key if i % 2 else str(uuid.uuid4())
        try:
            barrier.wait()
            response = client.post(
                f"/api/v1/stocktakes/{campaign.pk}/scans/",
                {"code": asset.tag, "client_key": key},
                format="json",
            )
            answers.append((response.status_code, response.json()["answer"]))
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=scan, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert {code for code, _answer in answers} == {200}
    assert [a for _c, a in answers].count("found") == 1
    assert StocktakeCount.objects.filter(campaign=campaign).count() == 1
    assert StocktakeScan.objects.filter(client_key=shared_key).count() == 1
    assert campaign.lines.get().counted_quantity == 1


def test_campaign_created_with_the_contract_fields_only_takes_year_end_as_reference_date(
    api, clerk, centre
):
    """Issue 14.20: `name, year, departments, due_on` was a 400 `reference_date: 该字段是必填项`."""
    response = api.as_user(clerk).post(
        "/api/v1/stocktakes/",
        {
            "name": "二〇二五年盘点",
            "year": 2025,
            "departments": [centre.code],
            "due_on": "2026-01-31",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["reference_date"] == "2025-12-31"


def test_campaign_reference_date_given_is_kept_and_checked_against_the_due_date(api, clerk, centre):
    api.as_user(clerk)
    data = {"name": "年中盘点", "year": 2025, "departments": [centre.code], "due_on": "2025-07-31"}
    response = api.post(
        "/api/v1/stocktakes/", {**data, "reference_date": "2025-06-30"}, format="json"
    )
    assert response.status_code == 201 and response.json()["reference_date"] == "2025-06-30"
    # Without one, 12-31 is after this due date: the answer names the due date, not a 500.
    response = api.post("/api/v1/stocktakes/", {**data, "name": "x"}, format="json")
    assert response.status_code == 400 and "due_on" in response.json()


def test_campaign_reference_date_is_optional_in_the_openapi_schema():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    create = schema["components"]["schemas"]["CampaignCreateRequest"]
    assert "reference_date" in create["properties"]
    assert "reference_date" not in create.get("required", [])
    assert {"name", "year", "due_on"} <= set(create["required"])
