"""The task outbox: queue Celery work without ever blocking a request on the broker.

`enqueue_task` writes a `TaskOutbox` row in the caller's transaction and, after commit, publishes
it once through `config.tasks.publish_bounded`: one connection attempt of at most a second and no
publish retries (a closed Redis port fails at once, a silent one after the connect timeout).
Whatever could not be published stays in the table, and `relay_outbox` (beat, every minute)
publishes it when the broker is back. Nothing is lost, and a
task that is published twice (relay and a late first publish) is harmless because every task
is idempotent (the reminder ledger, the mail state).

Without REDIS_URL, tasks run eagerly: the publish after commit runs the task in process.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import current_app
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from config import tasks
from inventory.models import TaskOutbox

logger = logging.getLogger(__name__)

# How long a row waits for its after-commit publish before the relay takes over.
RELAY_GRACE = timedelta(seconds=30)
RELAY_BATCH = 200


def enqueue_task(*, task: str, kwargs: dict | None = None) -> TaskOutbox:
    """Record `task(**kwargs)` in the outbox and publish it after the transaction commits."""
    tasks.registered_task(task)  # an unknown name is a programming error: fail now
    with transaction.atomic():
        row = TaskOutbox.objects.create(task=task, kwargs=kwargs or {})
        transaction.on_commit(lambda: publish(outbox_id=row.pk))
    return row


def publish(*, outbox_id: int) -> bool:
    """Publish one outbox row, bounded in time; True when the broker took it (or it ran in
    process). Never raises: a failure is recorded on the row for the relay."""
    row = TaskOutbox.objects.filter(pk=outbox_id, published_at__isnull=True).first()
    if row is None:
        return True
    task = tasks.registered_task(row.task)
    if current_app.conf.task_always_eager:
        # In process: run it now, retries included; a task that still fails after its retries
        # has recorded its own failure (`on_failure`).
        result = task.apply(kwargs=row.kwargs, throw=False)
        if result.failed():
            logger.error(
                "outbox %s: task %s failed in process: %r", row.pk, row.task, result.result
            )
    else:
        try:
            tasks.publish_bounded(row.task, kwargs=row.kwargs)
        except Exception as exc:
            logger.warning("outbox %s: broker unavailable, left for the relay: %s", row.pk, exc)
            TaskOutbox.objects.filter(pk=row.pk).update(
                attempts=F("attempts") + 1, last_error=str(exc)[:2000]
            )
            return False
    TaskOutbox.objects.filter(pk=row.pk, published_at__isnull=True).update(
        published_at=timezone.now(), attempts=F("attempts") + 1
    )
    return True


def relay_outbox(*, now=None, grace: timedelta = RELAY_GRACE) -> int:
    """Publish unpublished rows older than `grace`; returns how many the broker took.

    Rows are claimed with `select_for_update(skip_locked=True)`, so two relays never publish the
    same row at the same time; the first broker failure stops the run (the broker is down).
    """
    now = now or timezone.now()
    published = 0
    with transaction.atomic():
        rows = list(
            TaskOutbox.objects.select_for_update(skip_locked=True)
            .filter(published_at__isnull=True, created_at__lte=now - grace)
            .order_by("created_at", "id")
            .values_list("pk", flat=True)[:RELAY_BATCH]
        )
        for pk in rows:
            if not publish(outbox_id=pk):
                break
            published += 1
    return published


def pending_count() -> int:
    return TaskOutbox.objects.filter(published_at__isnull=True).count()
