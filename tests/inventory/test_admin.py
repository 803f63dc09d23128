"""Stocktakes and the reminder schedule in the Django admin: the administrator reads campaigns and
manages the schedule, the auditor reads both (issue 14.2)."""

import io

import pytest
from django.urls import reverse
from django_celery_beat.models import IntervalSchedule

from inventory.models import StocktakeCampaign
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_admin(bureau):
    """As `seed_demo` makes it: the admin role and the staff flag, not a superuser."""
    return UserFactory(username="demo-admin", department=bureau, roles=["admin"], is_staff=True)


@pytest.fixture
def staff_auditor(bureau):
    return UserFactory(username="audit-staff", department=bureau, roles=["auditor"], is_staff=True)


def test_admin_index_has_the_stocktake_and_schedule_sections(client, demo_admin):
    client.force_login(demo_admin)
    page = client.get(reverse("admin:index")).content.decode()
    for name in ("inventory_stocktakecampaign", "django_celery_beat_periodictask"):
        assert reverse(f"admin:{name}_changelist") in page


@pytest.mark.parametrize("who", ["demo_admin", "staff_auditor"])
def test_campaigns_are_read_in_admin(client, request, plan, who):
    campaign = plan()
    client.force_login(request.getfixturevalue(who))
    listing = client.get(reverse("admin:inventory_stocktakecampaign_changelist"))
    assert listing.status_code == 200
    assert campaign.name in listing.content.decode()
    url = reverse("admin:inventory_stocktakecampaign_change", args=[campaign.pk])
    assert client.get(url).status_code == 200
    client.post(url, {"name": "改名", "year": 2025})
    campaign.refresh_from_db()
    assert campaign.name == "2025年度资产清查"
    assert client.get(reverse("admin:inventory_stocktakecampaign_add")).status_code == 403
    for model in ("stocktakeline", "stocktakescan", "difference"):
        assert client.get(reverse(f"admin:inventory_{model}_changelist")).status_code == 200
    assert StocktakeCampaign.objects.count() == 1


def test_admin_adds_a_reminder_schedule_row(client, demo_admin):
    client.force_login(demo_admin)
    assert client.get(reverse("admin:django_celery_beat_intervalschedule_add")).status_code == 200
    response = client.post(
        reverse("admin:django_celery_beat_intervalschedule_add"),
        {"every": "10", "period": "minutes"},
    )
    assert response.status_code == 302
    assert IntervalSchedule.objects.filter(every=10, period="minutes").exists()
    listing = client.get(reverse("admin:django_celery_beat_periodictask_changelist"))
    assert listing.status_code == 200


def test_auditor_reads_the_schedule_but_cannot_add(client, staff_auditor):
    client.force_login(staff_auditor)
    assert (
        client.get(reverse("admin:django_celery_beat_periodictask_changelist")).status_code == 200
    )
    assert (
        client.get(reverse("admin:django_celery_beat_crontabschedule_changelist")).status_code
        == 200
    )
    assert client.get(reverse("admin:django_celery_beat_periodictask_add")).status_code == 403


def test_the_schedule_list_speaks_chinese_in_its_columns_and_filter(client, demo_admin):
    """Beat's own list said SCHEDULER and 以 Task Name (names it never translates); the list
    names the schedule column and filters by the jobs' translated labels."""
    from django.core.management import call_command
    from django_celery_beat.models import PeriodicTask

    from config.celery import schedule_label

    call_command("setup_schedule", stdout=io.StringIO())
    client.force_login(demo_admin)
    url = reverse("admin:django_celery_beat_periodictask_changelist")
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "Task Name" not in page and "Scheduler" not in page and "SCHEDULER" not in page
    assert "执行计划" in page
    task = PeriodicTask.objects.order_by("name").first()
    label = schedule_label(task.name)
    assert label != task.name and label in page
    filtered = client.get(url, {"task": task.task}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert filtered.status_code == 200
    shown = filtered.context["cl"].result_list
    assert {row.task for row in shown} == {task.task}
