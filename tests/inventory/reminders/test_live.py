"""Reminders through the real Redis broker and a real worker (`live_worker`), no mocks.

Run with: REDIS_URL=redis://127.0.0.1:6379/14 DATABASE_URL=postgres://…/yika_remind pytest …
"""

import threading
import time
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from config.celery import app
from inventory.models import Notification, ReminderLog, TaskOutbox
from inventory.reminders import jobs as reminders
from inventory.reminders import outbox
from inventory.reminders.tasks import RUN_JOB
from tests.factories import make_asset

# Committed data (the worker has its own connection); serialized rollback restores the seeded
# reference data (categories) that flushing after each test would otherwise remove.
pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def wait_for(predicate, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    raise AssertionError("timed out waiting for the worker")


def settle(count, seconds: float = 2.0):
    """Wait until `count()` stops changing for `seconds` (the worker is idle)."""
    last, since = count(), time.monotonic()
    while time.monotonic() - since < seconds:
        time.sleep(0.2)
        now = count()
        if now != last:
            last, since = now, time.monotonic()
    return last


@pytest.fixture
def unlabelled(live_worker, centre, clerk):
    """A card without a label: the label job reminds the centre's clerk."""
    mail.outbox.clear()
    return make_asset(owner=centre, actor=clerk, name="无标签电脑")


def test_a_reminder_goes_through_the_queue_into_inbox_and_mail(unlabelled, clerk):
    outbox.enqueue_task(task=RUN_JOB, kwargs={"job": "labels"})
    wait_for(lambda: len(mail.outbox) == 1)
    notification = Notification.objects.get(recipient=clerk)
    assert unlabelled.tag in notification.body
    assert mail.outbox[0].to == [clerk.email]
    assert unlabelled.tag in mail.outbox[0].body
    assert not TaskOutbox.objects.filter(published_at__isnull=True).exists()


def test_every_job_twice_through_the_queue_sends_nothing_new(unlabelled, clerk, project):
    for job in reminders.JOBS:
        outbox.enqueue_task(task=RUN_JOB, kwargs={"job": job})
    wait_for(lambda: len(mail.outbox) >= 1)
    first = settle(lambda: (Notification.objects.count(), len(mail.outbox)))
    for job in reminders.JOBS:
        outbox.enqueue_task(task=RUN_JOB, kwargs={"job": job})
    wait_for(lambda: TaskOutbox.objects.filter(published_at__isnull=True).count() == 0)
    assert settle(lambda: (Notification.objects.count(), len(mail.outbox))) == first


def test_two_beats_at_once_send_one_reminder(unlabelled, clerk):
    """Two schedulers by mistake: the same job published twice at the same moment."""
    for _ in range(2):
        app.tasks[RUN_JOB].apply_async(kwargs={"job": "labels"}, retry=False)
    wait_for(lambda: len(mail.outbox) >= 1)
    settle(lambda: len(mail.outbox))
    assert ReminderLog.objects.count() == 1
    assert len(mail.outbox) == 1


class FlakySMTP:
    calls = 0

    def __init__(self, *args, **kwargs):
        from django.core.mail.backends.locmem import EmailBackend

        self.backend = EmailBackend(*args, **kwargs)

    def send_messages(self, messages):
        from smtplib import SMTPServerDisconnected

        type(self).calls += 1
        if type(self).calls == 1:
            raise SMTPServerDisconnected("connection unexpectedly closed")
        return self.backend.send_messages(messages)


def test_a_retried_mail_failure_sends_once(unlabelled, clerk, settings):
    FlakySMTP.calls = 0
    settings.EMAIL_BACKEND = f"{__name__}.FlakySMTP"
    outbox.enqueue_task(task=RUN_JOB, kwargs={"job": "labels"})
    wait_for(lambda: len(mail.outbox) == 1)
    settle(lambda: len(mail.outbox))
    log = ReminderLog.objects.get()
    assert (log.mail_state, log.mail_attempts, FlakySMTP.calls) == ("sent", 2, 2)
    assert len(mail.outbox) == 1


@contextmanager
def broker_at(url: str):
    """Point the app's publisher at another broker URL (the worker keeps consuming Redis)."""

    def reset():
        app._pool = None
        app.amqp._producer_pool = None

    previous = app.conf.broker_url
    app.conf.broker_url = url
    reset()
    try:
        yield
    finally:
        app.conf.broker_url = previous
        reset()


def test_a_request_with_redis_down_answers_fast_and_loses_nothing(
    unlabelled, clerk, admin_user, client
):
    from django.core.management import call_command

    call_command("setup_schedule")
    admin_user.is_staff = True
    admin_user.save()
    entry = PeriodicTask.objects.get(name="reminders: assets without a label")
    client.force_login(admin_user)
    with broker_at("redis://127.0.0.1:1/0"):  # nothing listens on port 1
        started = time.monotonic()
        response = client.post(
            reverse("admin:django_celery_beat_periodictask_changelist"),
            {"action": "run_now", "_selected_action": [entry.pk]},
        )
        elapsed = time.monotonic() - started
    assert response.status_code == 302
    assert elapsed < 2.0
    row = TaskOutbox.objects.get()
    assert row.published_at is None and row.attempts == 1 and row.last_error
    assert Notification.objects.count() == 0
    # Redis is back: the relay publishes what the request could not, and the worker runs it.
    assert outbox.relay_outbox(grace=timedelta(0)) == 1
    wait_for(lambda: len(mail.outbox) == 1)
    assert Notification.objects.filter(recipient=clerk).count() == 1


def test_concurrent_runs_of_one_job_insert_one_ledger_row(unlabelled, clerk):
    """Two job runs in parallel threads (two beats' tasks on two workers): one ledger row."""
    errors = []
    barrier = threading.Barrier(2)

    def run():
        try:
            barrier.wait()
            reminders.run_job(job="labels", today=date(2026, 11, 30))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert ReminderLog.objects.count() == 1
    assert Notification.objects.count() == 1
    wait_for(lambda: len(mail.outbox) == 1)
    settle(lambda: len(mail.outbox))
    assert len(mail.outbox) == 1
