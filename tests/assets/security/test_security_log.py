"""The security log (issue 20, "The security log"): what is recorded, that the database keeps it
append-only, that only the retention task deletes and only old rows, and who reads it."""

import io
from datetime import timedelta

import pytest
from django.db import IntegrityError, InternalError, connection, transaction
from django.db.utils import DatabaseError
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from assets import credentials
from assets.models import ApiToken, SecurityEvent
from assets.security.services import purge_expired_events, record_security_event
from assets.security.tasks import purge_expired_security_events
from tests.api_base import AnonymousListTests, ListTests, RetrieveTests
from tests.factories import UserFactory, make_asset

pytestmark = pytest.mark.django_db

PASSWORD = "pass-word-123"
Kind = SecurityEvent.Kind


def kinds(**filters):
    return list(
        SecurityEvent.objects.filter(**filters).order_by("id").values_list("kind", flat=True)
    )


def backdate(event, days):
    """Rows are append-only, so a test backdates one by inserting it with an old `at`."""
    old = SecurityEvent.objects.create(
        kind=event, username="old", at=timezone.now() - timedelta(days=days)
    )
    return old.pk


# --- what is recorded ---------------------------------------------------------------------------


def test_page_sign_in_failure_lockout_and_sign_out_are_logged(clerk, settings):
    settings.AXES_FAILURE_LIMIT = 2
    browser = Client(REMOTE_ADDR="10.1.2.3")
    browser.post("/accounts/login/", {"username": "clerk", "password": "wrong"})
    assert kinds() == [Kind.SIGN_IN_FAILED]
    failed = SecurityEvent.objects.get()
    assert (failed.username, failed.address, failed.detail) == (
        "clerk",
        "10.1.2.3",
        {"method": "password"},
    )
    browser.post("/accounts/login/", {"username": "clerk", "password": "wrong"})
    assert Kind.LOCKOUT in kinds()

    other = Client(REMOTE_ADDR="10.9.9.9")
    assert (
        other.post("/accounts/login/", {"username": "clerk", "password": PASSWORD}).status_code
        == 302
    )
    signed_in = SecurityEvent.objects.filter(kind=Kind.SIGN_IN).get()
    assert (signed_in.user, signed_in.address) == (clerk, "10.9.9.9")
    other.post("/accounts/logout/")
    assert SecurityEvent.objects.filter(kind=Kind.SIGN_OUT, user=clerk).count() == 1


def test_a_failed_sign_in_for_a_name_nobody_has_keeps_the_typed_name(db):
    Client().post("/accounts/login/", {"username": "nobody-here", "password": "x"})
    event = SecurityEvent.objects.get()
    assert (event.kind, event.user, event.username) == (Kind.SIGN_IN_FAILED, None, "nobody-here")


def test_api_token_issue_revoke_and_failure_are_logged(clerk):
    client = APIClient(REMOTE_ADDR="10.0.0.7")
    bad = client.post("/api/v1/auth/token/", {"username": "clerk", "password": "no"}, format="json")
    assert bad.status_code == 400
    key = client.post(
        "/api/v1/auth/token/", {"username": "clerk", "password": PASSWORD}, format="json"
    ).json()["token"]
    APIClient(HTTP_AUTHORIZATION=f"Token {key}").delete("/api/v1/auth/token/")
    assert kinds() == [
        Kind.SIGN_IN_FAILED,
        Kind.TOKEN_CREATED,
        Kind.TOKEN_FIRST_USED,
        Kind.TOKEN_REVOKED,
    ]
    failed, created, first_use, revoked = SecurityEvent.objects.order_by("id")
    assert failed.detail == {"method": "api_token"}
    assert created.detail == {"prefix": key[:8], "name": "", "scope": "full"}
    assert created.address == "10.0.0.7"
    assert first_use.user == clerk and first_use.detail == {"prefix": key[:8]}
    assert revoked.detail["prefix"] == key[:8]


def test_a_tokens_first_use_is_logged_once(clerk):
    key = credentials.issue_token(user=clerk)
    api = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/assets/").status_code == 200
    assert api.get("/api/v1/assets/").status_code == 200
    ApiToken.objects.filter(user=clerk).update(last_used_at=timezone.now() - timedelta(minutes=5))
    assert api.get("/api/v1/assets/").status_code == 200
    assert kinds() == [Kind.TOKEN_CREATED, Kind.TOKEN_FIRST_USED]


def test_role_department_and_deactivation_changes_are_logged(admin_user, clerk, other_bureau):
    api = APIClient(REMOTE_ADDR="10.0.0.1")
    api.force_authenticate(admin_user)
    response = api.patch(
        "/api/v1/users/clerk/",
        {"roles": ["clerk", "auditor"], "department": other_bureau.code},
        format="json",
    )
    assert response.status_code == 200, response.content
    role = SecurityEvent.objects.get(kind=Kind.ROLE_CHANGED)
    assert role.user == clerk and role.detail == {
        "by": "admin",
        "added": ["auditor"],
        "removed": [],
    }
    assert role.address == "10.0.0.1"
    moved = SecurityEvent.objects.get(kind=Kind.DEPARTMENT_CHANGED)
    assert moved.detail["to"] == other_bureau.code and moved.detail["from"] == clerk.department.code
    api.patch("/api/v1/users/clerk/", {"is_active": False}, format="json")
    assert SecurityEvent.objects.filter(kind=Kind.ACCOUNT_DISABLED, user=clerk).count() == 1


def test_password_change_is_logged(clerk):
    browser = Client()
    browser.force_login(clerk)
    browser.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "Neu-Kennwort-2026",
            "new_password2": "Neu-Kennwort-2026",
        },
    )
    assert SecurityEvent.objects.filter(kind=Kind.PASSWORD_CHANGED, user=clerk).count() == 1


def test_register_export_records_what_filters_and_rows(clerk, centre):
    for n in range(3):
        make_asset(owner=centre, name=f"导出设备{n}")
    api = APIClient()
    api.force_authenticate(clerk)
    response = api.get("/api/v1/assets/export.xlsx", {"q": "导出设备"})
    assert response.status_code == 200
    b"".join(response.streaming_content)
    event = SecurityEvent.objects.get(kind=Kind.EXPORT)
    assert event.user == clerk
    assert event.detail == {"what": "assets.xlsx", "filters": {"q": "导出设备"}, "rows": 3}


def test_streamed_csv_export_is_logged_when_sent(clerk, centre):
    make_asset(owner=centre, name="CSV 设备")
    api = APIClient()
    api.force_authenticate(clerk)
    response = api.get("/api/v1/assets/export.csv")
    assert not SecurityEvent.objects.filter(kind=Kind.EXPORT).exists()  # nothing sent yet
    b"".join(response.streaming_content)
    assert SecurityEvent.objects.get(kind=Kind.EXPORT).detail["rows"] == 1


def test_admin_changes_are_logged(bureau):
    root = UserFactory(username="root", department=bureau, roles=["admin"], is_staff=True)
    browser = Client()
    browser.force_login(root)
    response = browser.post(
        "/admin/assets/department/add/", {"code": "NEW-1", "name": "新部门", "kind": "office"}
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = SecurityEvent.objects.get(kind=Kind.ADMIN_CHANGE)
    assert event.user == root
    assert event.detail["model"] == "assets.department"
    assert event.detail["operation"] == "add"


def test_admin_user_role_change_is_logged(bureau, clerk):
    root = UserFactory(username="root", department=bureau, roles=["admin"], is_staff=True)
    browser = Client()
    browser.force_login(root)
    from django.contrib.auth.models import Group

    page = browser.get(f"/admin/assets/user/{clerk.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    data.update(
        username="clerk",
        department=clerk.department_id,
        groups=[Group.objects.get(name="auditor").pk],
        is_active="on",
        language=clerk.language or "",
        date_joined_0=timezone.localtime(clerk.date_joined).strftime("%Y-%m-%d"),
        date_joined_1=timezone.localtime(clerk.date_joined).strftime("%H:%M:%S"),
    )
    data.pop("password", None)
    data.pop("last_login", None)
    response = browser.post(f"/admin/assets/user/{clerk.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    role = SecurityEvent.objects.get(kind=Kind.ROLE_CHANGED)
    assert role.detail == {"by": "root", "added": ["auditor"], "removed": ["clerk"]}
    assert SecurityEvent.objects.filter(kind=Kind.ADMIN_CHANGE, detail__operation="change").exists()


def test_recording_is_one_insert(clerk, rf):
    request = rf.get("/x", REMOTE_ADDR="10.0.0.2")
    with CaptureQueriesContext(connection) as queries:
        record_security_event(kind=Kind.EXPORT, user=clerk, request=request, detail={"what": "x"})
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["INSERT"]


def test_scans_and_card_lookups_write_nothing(clerk, centre):
    asset = make_asset(owner=centre)
    api = APIClient()
    api.force_authenticate(clerk)
    assert api.get(f"/api/v1/assets/{asset.tag}/").status_code == 200
    assert api.get("/api/v1/assets/", {"q": asset.tag}).status_code == 200
    assert not SecurityEvent.objects.exists()


def test_detail_with_nul_and_odd_values_is_stored(db):
    event = record_security_event(
        kind=Kind.EXPORT, username="a\x00b", detail={"when": timezone.now().date(), "x": "c\x00"}
    )
    event.refresh_from_db()
    assert event.username == "ab" and event.detail["x"] == "c"


# --- append-only and retention ------------------------------------------------------------------


def _refused(statement, params=()):
    with pytest.raises(DatabaseError) as caught, transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
    assert "append-only security log" in str(caught.value)


def test_update_and_delete_are_refused_by_the_database(db):
    event = record_security_event(kind=Kind.SIGN_IN, username="x")
    old = backdate(Kind.SIGN_IN, days=10 * 365)
    event.kind = Kind.SIGN_OUT
    with pytest.raises((IntegrityError, InternalError, DatabaseError)), transaction.atomic():
        event.save()
    with pytest.raises(DatabaseError), transaction.atomic():
        SecurityEvent.objects.filter(pk=event.pk).update(username="y")
    with pytest.raises(DatabaseError), transaction.atomic():
        SecurityEvent.objects.filter(pk=event.pk).delete()
    # Even a very old row: without the retention declared, nothing deletes it.
    with pytest.raises(DatabaseError), transaction.atomic():
        SecurityEvent.objects.filter(pk=old).delete()
    _refused("UPDATE assets_securityevent SET username = 'z' WHERE id = %s", [old])
    _refused("DELETE FROM assets_securityevent WHERE id = %s", [old])
    assert SecurityEvent.objects.count() == 2


def test_declaring_a_short_retention_cannot_delete_young_rows(db):
    young = backdate(Kind.SIGN_IN, days=100)
    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('yika.security_log_retention_days', '1', true)")
            cursor.execute("DELETE FROM assets_securityevent WHERE id = %s", [young])
    assert SecurityEvent.objects.filter(pk=young).exists()


def test_retention_task_deletes_only_rows_past_the_period(db, settings):
    settings.YIKA_SECURITY_LOG_RETENTION_DAYS = 6 * 365 + 2
    expired = backdate(Kind.SIGN_IN, days=6 * 365 + 3)
    kept_old = backdate(Kind.SIGN_IN, days=6 * 365 + 1)
    recent = record_security_event(kind=Kind.SIGN_OUT, username="now").pk
    assert purge_expired_security_events.apply().get() == 1
    assert set(SecurityEvent.objects.values_list("pk", flat=True)) == {kept_old, recent}
    assert expired not in SecurityEvent.objects.values_list("pk", flat=True)
    assert purge_expired_events() == 0  # running again changes nothing


def test_retention_period_is_configurable_but_never_below_six_months(db, settings):
    a_year = backdate(Kind.SIGN_IN, days=400)
    four_months = backdate(Kind.SIGN_IN, days=120)
    settings.YIKA_SECURITY_LOG_RETENTION_DAYS = 365
    assert purge_expired_events() == 1
    assert not SecurityEvent.objects.filter(pk=a_year).exists()
    assert purge_expired_events(days=30) == 0  # 30 is lifted to the 180-day floor
    assert SecurityEvent.objects.filter(pk=four_months).exists()


def test_retention_is_on_the_beat_schedule(db):
    from config.celery import SCHEDULE
    from inventory.reminders.schedule import install_schedule

    entry = SCHEDULE["security log: retention"]
    assert entry["task"] == "assets.purge_expired_security_events"
    install_schedule()
    from django_celery_beat.models import PeriodicTask

    assert PeriodicTask.objects.get(name="security log: retention").task == entry["task"]


# --- who reads it: the API --------------------------------------------------------------------


class TestSecurityEventAPI(ListTests, RetrieveTests, AnonymousListTests):
    basename = "security-event"
    url_names = ("security-event-export-xlsx",)
    lookup = "id"
    lookup_url_kwarg = "pk"
    reader = "auditor"

    def make_object(self, request):
        return record_security_event(kind=Kind.SIGN_IN, username="someone")


@pytest.mark.parametrize("role", ["clerk", "receiver"])
def test_other_roles_are_refused(request, role):
    record_security_event(kind=Kind.SIGN_IN, username="someone")
    api = APIClient()
    api.force_authenticate(request.getfixturevalue(role))
    assert api.get("/api/v1/security-events/").status_code == 403
    assert api.get("/api/v1/security-events/export.xlsx").status_code == 403


def test_admin_reads_and_nobody_writes(admin_user, auditor):
    event = record_security_event(kind=Kind.SIGN_IN, username="someone")
    for user in (admin_user, auditor):
        api = APIClient()
        api.force_authenticate(user)
        assert api.get("/api/v1/security-events/").status_code == 200
        assert api.post("/api/v1/security-events/", {}, format="json").status_code == 405
        assert api.delete(f"/api/v1/security-events/{event.pk}/").status_code == 405
        assert api.patch(f"/api/v1/security-events/{event.pk}/", {}).status_code == 405
    assert SecurityEvent.objects.filter(pk=event.pk, username="someone").exists()


def test_filters_kind_user_since(auditor):
    record_security_event(kind=Kind.SIGN_IN, username="alice")
    record_security_event(kind=Kind.SIGN_IN_FAILED, username="alice")
    record_security_event(kind=Kind.SIGN_IN, username="bob")
    backdate(Kind.SIGN_IN, days=30)
    api = APIClient()
    api.force_authenticate(auditor)

    def users(**params):
        data = api.get("/api/v1/security-events/", params).json()
        return sorted((row["kind"], row["user"]) for row in data["results"])

    assert users(kind="sign_in_failed") == [("sign_in_failed", "alice")]
    assert users(user="bob") == [("sign_in", "bob")]
    since = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert ("sign_in", "old") not in users(since=since)
    assert ("sign_in", "old") in users()
    row = api.get("/api/v1/security-events/", {"user": "bob"}).json()["results"][0]
    assert set(row) >= {"at", "kind", "user", "address", "detail"}


def test_bad_filters_are_400_naming_the_field(auditor):
    api = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans")
    api.force_authenticate(auditor)
    response = api.get("/api/v1/security-events/", {"kind": "nope", "since": "yesterday"})
    assert response.status_code == 400
    assert set(response.json()) == {"kind", "since"}
    export = api.get("/api/v1/security-events/export.xlsx", {"since": "31/12/2026"})
    assert export.status_code == 400 and "since" in export.json()


def test_export_is_formula_safe_chinese_and_itself_logged(auditor):
    record_security_event(
        kind=Kind.SIGN_IN_FAILED, username='=HYPERLINK("http://x")', detail={"method": "password"}
    )
    api = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans")
    api.force_authenticate(auditor)
    response = api.get("/api/v1/security-events/export.xlsx", {"kind": "sign_in_failed"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("时间", "事件", "用户", "地址", "详情")
    assert rows[1][1] == "登录失败"
    assert rows[1][2] == '\'=HYPERLINK("http://x")'
    assert rows[1][4] == "方式: 密码（登录页）"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    logged = SecurityEvent.objects.get(kind=Kind.EXPORT)
    assert logged.user == auditor
    assert logged.detail == {
        "what": "security-log.xlsx",
        "filters": {"kind": "sign_in_failed"},
        "rows": 1,
    }


# --- who reads it: the page -------------------------------------------------------------------


def test_page_for_auditors_with_filters(auditor):
    record_security_event(
        kind=Kind.SIGN_IN_FAILED, username="mallory", detail={"method": "password"}
    )
    record_security_event(kind=Kind.SIGN_IN, username="alice")
    browser = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    browser.force_login(auditor)
    page = browser.get(reverse("assets:security-log"), {"kind": "sign_in_failed"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "安全日志" in text and "mallory" in text and "alice" not in text
    assert "方式：<code>密码（登录页）</code>" in text
    assert 'href="/api/v1/security-events/export.xlsx?kind=sign_in_failed"' in text
    bad = browser.get(reverse("assets:security-log"), {"since": "not-a-date"})
    assert bad.status_code == 400 and "mallory" not in bad.content.decode()


@pytest.mark.parametrize("role", ["clerk", "receiver"])
def test_page_refuses_other_roles(request, role):
    browser = Client()
    browser.force_login(request.getfixturevalue(role))
    assert browser.get(reverse("assets:security-log")).status_code == 403
    assert "安全日志" not in browser.get("/").content.decode()


def test_nav_link_for_auditors(auditor):
    browser = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    browser.force_login(auditor)
    assert reverse("assets:security-log") in browser.get("/").content.decode()
