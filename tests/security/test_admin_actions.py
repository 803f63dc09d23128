"""Admin actions run only for users with change permission, on every registered admin, ours and
installed apps' alike (SECURITY.md section 4, "Third-party admin actions"; issue 15.2)."""

import pytest
from django.contrib import admin
from django.contrib.admin import helpers
from django.test import RequestFactory
from django.urls import reverse
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from config.admin import ActionsNeedChangePermission
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_auditor(bureau):
    return UserFactory(username="audit-staff", department=bureau, roles=["auditor"], is_staff=True)


@pytest.fixture
def staff_admin(bureau):
    return UserFactory(username="admin-staff", department=bureau, roles=["admin"], is_staff=True)


@pytest.fixture
def schedule_rows():
    crontab = CrontabSchedule.objects.create(minute="0", hour="8")
    return [
        PeriodicTask.objects.create(
            name=f"yika-test-{n}", task="inventory.run_reminders", crontab=crontab, enabled=True
        )
        for n in range(2)
    ]


def _registered_actions():
    """(model, action name) for every action of every registered admin."""
    pairs = []
    for model, model_admin in admin.site._registry.items():
        for _func, name, _description in model_admin._get_base_actions():
            pairs.append((model, name))
    return pairs


def _changelist(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def test_every_registered_admin_gets_the_check():
    assert admin.site._registry
    for model_admin in admin.site._registry.values():
        assert isinstance(model_admin, ActionsNeedChangePermission), model_admin


def test_the_walk_covers_third_party_actions():
    names = {(m._meta.label, name) for m, name in _registered_actions()}
    assert ("django_celery_beat.PeriodicTask", "disable_tasks") in names
    assert ("django_celery_beat.PeriodicTask", "enable_tasks") in names


@pytest.mark.parametrize(
    ("model", "action"),
    _registered_actions(),
    ids=lambda v: v if isinstance(v, str) else v._meta.label,
)
def test_auditor_is_refused_every_admin_action(client, staff_auditor, schedule_rows, model, action):
    model_admin = admin.site._registry[model]
    request = RequestFactory().get(_changelist(model))
    request.user = staff_auditor
    assert model_admin.get_actions(request) == {}
    selected = [str(pk) for pk in model._default_manager.values_list("pk", flat=True)[:5]]
    client.force_login(staff_auditor)
    response = client.post(
        _changelist(model),
        {"action": action, "index": "0", helpers.ACTION_CHECKBOX_NAME: selected},
    )
    assert response.status_code == 403


def test_auditor_cannot_disable_the_schedule(client, staff_auditor, schedule_rows):
    client.force_login(staff_auditor)
    response = client.post(
        _changelist(PeriodicTask),
        {
            "action": "disable_tasks",
            "index": "0",
            helpers.ACTION_CHECKBOX_NAME: [str(t.pk) for t in schedule_rows],
        },
    )
    assert response.status_code == 403
    assert PeriodicTask.objects.filter(name__startswith="yika-test-", enabled=True).count() == 2
    # Nor is an action offered on the page they may read.
    page = client.get(_changelist(PeriodicTask))
    assert page.status_code == 200
    assert 'name="action"' not in page.content.decode()


def test_admin_still_runs_the_schedule_actions(client, staff_admin, schedule_rows):
    request = RequestFactory().get(_changelist(PeriodicTask))
    request.user = staff_admin
    assert {"enable_tasks", "disable_tasks", "run_now"} <= set(
        admin.site._registry[PeriodicTask].get_actions(request)
    )
    client.force_login(staff_admin)
    response = client.post(
        _changelist(PeriodicTask),
        {
            "action": "disable_tasks",
            "index": "0",
            helpers.ACTION_CHECKBOX_NAME: [str(t.pk) for t in schedule_rows],
        },
    )
    assert response.status_code == 302
    assert PeriodicTask.objects.filter(name__startswith="yika-test-", enabled=True).count() == 0
