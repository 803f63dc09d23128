"""Cross-department probes (SECURITY.md test 2): a clerk of department A (the big data centre)
asks for department B's (the health commission's) objects of every kind — card by tag and by QR
URL, label batch and PDF, campaign, line, scan, import job, notification, events, exports — and a
clerk of a third department asks for the handover between A and B and its certificate.
Pass: 404, the database unchanged, and none of B's rows in lists, counts, `?q=` or exports."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook, load_workbook

from assets.models import Asset, AssetEvent, Handover, ImportJob
from inventory.models import StocktakeCount, StocktakeLine, StocktakeScan
from inventory.reminders import jobs as reminders
from inventory.reminders.models import Notification
from labels.models import Label, PrintBatch
from tests.factories import UserFactory
from tests.security.world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def ledger_xlsx(owner_code):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        ["原资产编号", "资产名称", "资产分类代码", "权属单位", "使用部门", "原值", "取得日期"]
    )
    sheet.append(
        ["GD-00001", "台式计算机", "A02010105", owner_code, owner_code, 5000, "2023-01-05"]
    )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.fixture
def world(
    centre,
    other_bureau,
    clerk,
    other_clerk,
    receiver,
    admin_user,
    api,
    django_capture_on_commit_callbacks,
):
    world = build_world(
        centre=centre,
        other_bureau=other_bureau,
        clerk=clerk,
        other_clerk=other_clerk,
        receiver=receiver,
        admin_user=admin_user,
        text="秘密",
    )
    # B's clerk has an import job and notifications of their own.
    response = api.as_user(other_clerk).post(
        "/api/v1/imports/",
        {"file": SimpleUploadedFile("ledger.xlsx", ledger_xlsx(other_bureau.code))},
        format="multipart",
    )
    assert response.status_code in (200, 201), response.content
    with django_capture_on_commit_callbacks(execute=True):
        reminders.run_job(job="stocktake", today=world.b.campaign.due_on - timedelta(days=1))
    assert Notification.objects.filter(recipient=other_clerk).exists()
    return world


def b_ids(world):
    b = world.b
    return {
        "tag": b.host.tag,
        "component": b.component.tag,
        "serial": Label.objects.get(asset=b.host, superseded_at__isnull=True).serial,
        "batch": b.batch.pk,
        "campaign": b.campaign.pk,
        "line": StocktakeLine.objects.filter(campaign=b.campaign).first().pk,
        "job": ImportJob.objects.get(created_by=b.clerk).pk,
        "notification": Notification.objects.filter(recipient=b.clerk).first().pk,
        "room": b.room.code,
    }


READS = [
    "/api/v1/assets/{tag}/",
    "/api/v1/assets/{tag}/components/",
    "/api/v1/assets/{tag}/events/",
    "/api/v1/labels/batches/{batch}/",
    "/api/v1/labels/batches/{batch}/pdf/",
    "/api/v1/stocktakes/{campaign}/",
    "/api/v1/stocktakes/{campaign}/lines/",
    "/api/v1/stocktakes/{campaign}/progress/",
    "/api/v1/stocktakes/{campaign}/differences/",
    "/api/v1/stocktakes/{campaign}/report/",
    "/api/v1/stocktakes/{campaign}/report.pdf/",
    "/api/v1/stocktakes/{campaign}/report.xlsx/",
    "/api/v1/stocktakes/{campaign}/lines.csv/",
    "/api/v1/imports/{job}/",
    "/api/v1/imports/{job}/errors.csv",
    "/api/v1/imports/{job}/errors.xlsx",
    "/api/v1/notifications/{notification}/",
    "/assets/{tag}/",
    "/assets/{tag}/edit/",
    "/assets/{component}/",
    "/labels/batches/{batch}/",
    "/stocktakes/{campaign}/",
    "/stocktakes/{campaign}/lines",
    "/stocktakes/{campaign}/differences",
    "/stocktakes/{campaign}/scan",
    "/imports/{job}/",
]
WRITES = [
    ("patch", "/api/v1/assets/{tag}/", {"name": "改名"}),
    ("post", "/api/v1/assets/{tag}/move/", {"location": "A-ROOM"}),
    ("post", "/api/v1/assets/{tag}/retire/", {"reason": "x"}),
    ("post", "/api/v1/assets/{tag}/status/", {"status": "idle"}),
    ("post", "/api/v1/assets/{component}/nest/", {"parent": None, "embedded": False}),
    ("post", "/api/v1/labels/batches/{batch}/retry/", {}),
    ("post", "/api/v1/stocktakes/{campaign}/scans/", {"code": "{tag}"}),
    ("post", "/api/v1/stocktakes/{campaign}/manual/", {"tag": "{tag}", "reason": "x"}),
    ("post", "/api/v1/stocktakes/{campaign}/close/", {}),
    ("post", "/api/v1/imports/{job}/apply/", {}),
    ("post", "/api/v1/notifications/{notification}/read/", {}),
    ("post", "/assets/{tag}/retire/", {"reason": "x"}),
    ("post", "/assets/{tag}/edit/", {"name": "改名"}),
]


def fill(value, ids):
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    return value


def database_state():
    return (
        list(Asset.objects.order_by("pk").values_list("pk", "name", "status", "owner_department")),
        AssetEvent.objects.count(),
        Label.objects.count(),
        list(PrintBatch.objects.order_by("pk").values_list("pk", "state", "attempts")),
        StocktakeScan.objects.count(),
        StocktakeCount.objects.count(),
        list(ImportJob.objects.order_by("pk").values_list("pk", "state")),
        list(Notification.objects.order_by("pk").values_list("pk", "read_at")),
        list(Handover.objects.order_by("pk").values_list("pk", "state")),
    )


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_another_departments_objects_are_404_to_read(world, api):
    ids = b_ids(world)
    clerk = world.a.clerk
    wrong = []
    for path in READS:
        url = fill(path, ids)
        status = api.as_user(clerk).get(url).status_code
        if status != 404:
            wrong.append(f"GET {url}: {status}")
    assert wrong == []


def test_the_same_routes_answer_for_ones_own_objects(world, api):
    """The control: the 404s above come from scope, not from broken URLs."""
    a = world.a
    ids = {
        "tag": a.host.tag,
        "component": a.component.tag,
        "batch": a.batch.pk,
        "campaign": a.campaign.pk,
    }
    wrong = []
    for path in READS:
        if "{job}" in path or "{notification}" in path:
            continue
        url = fill(path, ids)
        status = api.as_user(a.clerk).get(url).status_code
        if status != 200:
            wrong.append(f"GET {url}: {status}")
    assert wrong == []


def test_another_departments_objects_are_404_to_change_and_nothing_changes(world, api):
    ids = b_ids(world)
    before = database_state()
    wrong = []
    for method, path, data in WRITES:
        url = fill(path, ids)
        if url.startswith("/api/"):
            response = getattr(api.as_user(world.a.clerk), method)(
                url, fill(data, ids), format="json"
            )
        else:
            browser = Client()
            browser.force_login(world.a.clerk)
            response = browser.post(url, fill(data, ids))
        if response.status_code != 404:
            wrong.append(f"{method.upper()} {url}: {response.status_code}")
    assert wrong == []
    assert database_state() == before


def test_the_qr_url_of_another_departments_card_shows_no_card_fields(world):
    ids = b_ids(world)
    browser = Client()
    browser.force_login(world.a.clerk)
    response = browser.get(f"/a/{ids['tag']}?l={ids['serial']}")
    assert response.status_code in (200, 404)
    html = response.content.decode()
    host = world.b.host
    for secret in (host.serial_number, host.custodian, host.model, f"/assets/{host.tag}/"):
        assert secret not in html


def test_a_third_department_sees_neither_the_handover_nor_its_certificate(
    world, api, wrong_receiver
):
    stranger = UserFactory(
        username="strangerclerk", department=wrong_receiver.department, roles=["clerk"]
    )
    number = world.handover.number
    for user in (stranger, wrong_receiver):
        client = api.as_user(user)
        for url in (
            f"/api/v1/handovers/{number}/",
            f"/api/v1/handovers/{number}/certificate.pdf",
            f"/api/v1/handovers/{number}/items.csv",
            f"/api/v1/handovers/{number}/items.xlsx",
        ):
            assert client.get(url).status_code == 404, (user.username, url)
        assert client.get("/api/v1/handovers/").json()["results"] == []
        browser = Client()
        browser.force_login(user)
        assert browser.get(f"/handovers/{number}/").status_code == 404
        assert browser.get(f"/handovers/{number}/certificate.pdf").status_code == 404


def test_lists_counts_search_and_exports_hold_none_of_another_departments_rows(world, api):
    clerk = world.a.clerk
    b_tags = set(
        Asset.objects.filter(owner_department=world.b.department).values_list("tag", flat=True)
    )
    client = api.as_user(clerk)

    listed = client.get("/api/v1/assets/?page_size=500").json()
    tags = {row["tag"] for row in listed["results"]}
    assert tags and not tags & b_tags
    assert listed["count"] == len(tags)

    for query in (world.b.host.tag, world.b.host.serial_number, "乙", world.b.department.code):
        found = client.get("/api/v1/assets/", {"q": query}).json()["results"]
        assert not {row["tag"] for row in found} & b_tags, query
    owner_filter = client.get("/api/v1/assets/", {"owner_department": world.b.department.code})
    assert owner_filter.status_code in (200, 400)
    if owner_filter.status_code == 200:
        assert owner_filter.json()["results"] == []

    csv_text = body(client.get("/api/v1/assets/export.csv")).decode("utf-8-sig")
    assert world.a.host.tag in csv_text
    assert not any(tag in csv_text for tag in b_tags)
    xlsx = client.get("/api/v1/assets/export.xlsx")
    assert xlsx.status_code == 200
    cells = {
        str(c.value)
        for sheet in load_workbook(io.BytesIO(body(xlsx))).worksheets
        for row in sheet.iter_rows()
        for c in row
    }
    assert not cells & b_tags

    batches = client.get("/api/v1/labels/batches/").json()["results"]
    assert world.b.batch.pk not in {row.get("id") for row in batches}
    campaigns = client.get("/api/v1/stocktakes/").json()["results"]
    assert world.b.campaign.pk not in {row.get("id") for row in campaigns}
    assert client.get("/api/v1/imports/").json()["results"] == []
    notes = client.get("/api/v1/notifications/").json()["results"]
    mine = set(Notification.objects.filter(recipient=clerk).values_list("pk", flat=True))
    assert {row["id"] for row in notes} <= mine

    browser = Client()
    browser.force_login(clerk)
    page = browser.get("/", {"q": world.b.host.tag}).content.decode()
    assert f"/assets/{world.b.host.tag}/" not in page  # the query itself is echoed back
    assert world.b.host.name not in page


def test_scanning_another_departments_card_in_ones_own_campaign_answers_a_word_only(world, api):
    host = world.b.host
    before = StocktakeCount.objects.count()
    response = api.as_user(world.a.clerk).post(
        f"/api/v1/stocktakes/{world.a.campaign.pk}/scans/", {"code": host.tag}, format="json"
    )
    assert response.status_code in (200, 201, 400, 404)
    text = response.content.decode()
    for secret in (host.name, host.serial_number, host.custodian, host.model):
        assert secret not in text
    assert StocktakeCount.objects.count() == before
