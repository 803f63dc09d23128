"""The inbox (API, page, bell), the schedule admin and `setup_schedule`."""

import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from config.celery import SCHEDULE
from inventory.models import Notification, ReminderKind, TaskOutbox
from tests.api_base import AnonymousTests, ListTests, RetrieveTests, ScopeTests
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def notify(user, title="Stocktake 2025: 3 items to count", **fields):
    fields.setdefault("kind", ReminderKind.STOCKTAKE_DUE)
    fields.setdefault("link", "/stocktakes/1/")
    return Notification.objects.create(recipient=user, title=title, body="Scan them.", **fields)


# API


class TestNotificationAPI(ListTests, RetrieveTests, AnonymousTests, ScopeTests):
    """The inbox on the generic base: a person reads only their own notifications, and
    `read/` of another person's is a 404 like its page."""

    basename = "notification"
    lookup = "id"
    lookup_url_kwarg = "pk"
    reader = "clerk"

    def make_object(self, request):
        return notify(request.getfixturevalue("clerk"))

    def make_other_object(self, request):
        # Another person of the same department: the inbox is personal, not departmental.
        colleague = UserFactory(
            username="colleague", department=request.getfixturevalue("centre"), roles=["clerk"]
        )
        return notify(colleague, title="not yours")

    def write(self, client, obj):
        return client.post(self.action_url(obj, "read"), format="json")


def test_list_shows_only_my_notifications(api, clerk, other_clerk):
    mine = notify(clerk)
    notify(other_clerk, title="not yours")
    response = api.as_user(clerk).get("/api/v1/notifications/")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [mine.pk]
    assert response.json()["results"][0]["is_read"] is False


def test_another_persons_notification_is_404(api, clerk, other_clerk):
    theirs = notify(other_clerk)
    assert api.as_user(clerk).get(f"/api/v1/notifications/{theirs.pk}/").status_code == 404
    response = api.as_user(clerk).post(f"/api/v1/notifications/{theirs.pk}/read/")
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_anonymous_gets_401(api):
    assert api.get("/api/v1/notifications/").status_code in (401, 403)


def test_mark_read_sets_read_at_once(api, clerk):
    notification = notify(clerk)
    first = api.as_user(clerk).post(f"/api/v1/notifications/{notification.pk}/read/").json()
    second = api.post(f"/api/v1/notifications/{notification.pk}/read/").json()
    assert first["is_read"] is True
    assert first["read_at"] == second["read_at"]


def test_read_all_marks_only_my_unread(api, clerk, other_clerk):
    notify(clerk)
    notify(clerk)
    theirs = notify(other_clerk)
    response = api.as_user(clerk).post("/api/v1/notifications/read-all/")
    assert response.json() == {"marked": 2}
    assert api.get("/api/v1/notifications/?unread=true").json()["results"] == []
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_notification_list_query_count_does_not_grow(api, clerk, django_assert_max_num_queries):
    for _ in range(3):
        notify(clerk)
    api.as_user(clerk)
    with django_assert_max_num_queries(8):
        api.get("/api/v1/notifications/")
    for _ in range(30):
        notify(clerk)
    with django_assert_max_num_queries(8):
        api.get("/api/v1/notifications/")


def test_schema_documents_the_notification_actions(api, admin_user):
    response = api.as_user(admin_user).get("/api/v1/schema/?format=json")
    paths = response.json()["paths"]
    assert "/api/v1/notifications/{id}/read/" in paths
    assert "/api/v1/notifications/read-all/" in paths


# Web pages


def test_bell_shows_the_unread_count(client, clerk):
    notify(clerk)
    notify(clerk)
    client.force_login(clerk)
    page = client.get(reverse("inventory:notification-list")).content.decode()
    assert 'class="badge badge--danger bell__count">2<' in page


def test_inbox_page_escapes_stored_text(client, clerk):
    notify(clerk, title="<script>alert(1)</script>")
    client.force_login(clerk)
    page = client.get(reverse("inventory:notification-list")).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_open_marks_read_and_follows_the_link(client, clerk):
    notification = notify(clerk)
    client.force_login(clerk)
    url = reverse("inventory:notification-read", args=[notification.pk])
    response = client.post(url, {"open": "1"})
    assert response.status_code == 302 and response["Location"] == "/stocktakes/1/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_an_offsite_link_is_not_followed(client, clerk):
    notification = notify(clerk, link="https://evil.example/")
    client.force_login(clerk)
    response = client.post(
        reverse("inventory:notification-read", args=[notification.pk]), {"open": "1"}
    )
    assert response["Location"] == reverse("inventory:notification-list")


def test_mark_all_read_page(client, clerk):
    notify(clerk)
    client.force_login(clerk)
    client.post(reverse("inventory:notification-read-all"))
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_another_persons_notification_page_action_is_404(client, clerk, other_clerk):
    theirs = notify(other_clerk)
    client.force_login(clerk)
    response = client.post(reverse("inventory:notification-read", args=[theirs.pk]))
    assert response.status_code == 404


# Schedule: one declaration, loaded into django-celery-beat, checked in the admin


def test_setup_schedule_loads_every_entry_once_and_keeps_admin_edits():
    call_command("setup_schedule")
    assert set(PeriodicTask.objects.values_list("name", flat=True)) >= set(SCHEDULE)
    entry = PeriodicTask.objects.get(name="reminders: stocktakes")
    assert json.loads(entry.kwargs) == {"job": "stocktake"}
    assert entry.crontab.timezone.key == "Asia/Shanghai"
    PeriodicTask.objects.filter(pk=entry.pk).update(enabled=False)
    call_command("setup_schedule")
    assert PeriodicTask.objects.filter(name__in=SCHEDULE).count() == len(SCHEDULE)
    assert PeriodicTask.objects.get(pk=entry.pk).enabled is False


@pytest.fixture
def crontab():
    return CrontabSchedule.objects.create(minute="0", hour="8", timezone="Asia/Shanghai")


def _task_form(crontab, **overrides):
    data = {
        "name": "reminders: extra",
        "regtask": "inventory.run_reminder_job",
        "task": "",
        "enabled": "on",
        "description": "",
        "crontab": crontab.pk,
        "args": "[]",
        "kwargs": '{"job": "stocktake"}',
        "headers": "{}",
        "priority": "",
        "expire_seconds": "",
        "queue": "",
        "exchange": "",
        "routing_key": "",
    }
    data.update(overrides)
    return data


def test_admin_refuses_an_unknown_reminder_job(client, admin_user, crontab):
    admin_user.is_staff = True
    admin_user.save()
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:django_celery_beat_periodictask_add"),
        _task_form(crontab, kwargs='{"job": "nope"}'),
    )
    assert response.status_code == 200
    assert "Unknown reminder job" in response.content.decode() or "未知" in (
        response.content.decode()
    )
    assert not PeriodicTask.objects.filter(name="reminders: extra").exists()


def test_admin_accepts_a_valid_reminder_schedule(client, admin_user, crontab):
    admin_user.is_staff = True
    admin_user.save()
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:django_celery_beat_periodictask_add"), _task_form(crontab)
    )
    assert response.status_code == 302
    assert PeriodicTask.objects.filter(name="reminders: extra").exists()


def test_admin_refuses_a_bad_crontab(client, admin_user):
    admin_user.is_staff = True
    admin_user.save()
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:django_celery_beat_crontabschedule_add"),
        {
            "minute": "61",
            "hour": "8",
            "day_of_month": "*",
            "month_of_year": "*",
            "day_of_week": "*",
            "timezone": "Asia/Shanghai",
        },
    )
    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    assert not CrontabSchedule.objects.filter(minute="61").exists()


def test_admin_run_now_goes_through_the_outbox(
    client, admin_user, clerk, active, django_capture_on_commit_callbacks
):
    admin_user.is_staff = True
    admin_user.save()
    call_command("setup_schedule")
    entry = PeriodicTask.objects.get(name="reminders: stocktakes")
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:django_celery_beat_periodictask_changelist"),
            {"action": "run_now", "_selected_action": [entry.pk]},
        )
    assert response.status_code == 302
    row = TaskOutbox.objects.get(task="inventory.run_reminder_job")
    assert row.kwargs == {"job": "stocktake"} and row.published_at is not None


def test_auditors_read_the_schedule_but_cannot_change_it(client, auditor, crontab):
    auditor.is_staff = True
    auditor.save()
    client.force_login(auditor)
    assert (
        client.get(reverse("admin:django_celery_beat_periodictask_changelist")).status_code == 200
    )
    response = client.post(
        reverse("admin:django_celery_beat_periodictask_add"), _task_form(crontab)
    )
    assert response.status_code == 403
