"""Celery tasks of the reminders: thin wrappers that load ids and call one service each.

Registered by `config/celery.py` (autodiscovery of `inventory.reminders.tasks`). Task names are
fixed strings because the beat schedule rows (django-celery-beat) refer to them.
"""

from smtplib import SMTPException

from celery import Task, shared_task

from inventory.reminders import channels, outbox
from inventory.reminders import jobs as reminders
from inventory.reminders.jobs import SEND_MAIL

RUN_JOB = "inventory.run_reminder_job"
RELAY_OUTBOX = "inventory.relay_outbox"

# SECURITY.md §3: bounded retries with backoff and jitter; the ledger absorbs redeliveries.
MAIL_MAX_RETRIES = 5


@shared_task(name=RUN_JOB, acks_late=True, reject_on_worker_lost=True)
def run_reminder_job(job: str) -> int:
    """Run one reminder job now; returns how many reminders it sent (already sent ones skipped)."""
    return sum(1 for outcome in reminders.run_job(job=job) if outcome.sent)


class RetryInProcessTask(Task):
    """In process (no REDIS_URL), Celery re-applies a retry at once, unless the failure is
    propagated first (`task_eager_propagates`); this task never propagates in process, so its
    bounded retries and its `on_failure` behave as they do on a worker."""

    def apply(self, *args, throw=None, **options):
        return super().apply(*args, throw=False if throw is None else throw, **options)


def _mail_failed(self, exc, task_id, args, kwargs, einfo):
    """After the last retry: the ledger row says the mail failed, for an operator to see."""
    reminders.mark_mail_failed(log_id=kwargs["log_id"], error=str(exc))


@shared_task(
    name=SEND_MAIL,
    base=RetryInProcessTask,
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=MAIL_MAX_RETRIES,
    on_failure=_mail_failed,
)
def send_reminder_mail(self, log_id: int) -> bool:
    """E-mail one reminder; sends nothing when the ledger says it was already sent."""
    return reminders.deliver_reminder_mail(log_id=log_id)


@shared_task(name=RELAY_OUTBOX, acks_late=True)
def relay_outbox() -> int:
    """Publish outbox rows whose after-commit publish failed (the broker was down)."""
    return outbox.relay_outbox()


# Reminder channels: one post to a WeCom / DingTalk robot or a signed webhook, retried with
# backoff; after the last retry the delivery is `failed` with the channel's answer.
CHANNEL_MAX_RETRIES = 5


def _delivery_failed(self, exc, task_id, args, kwargs, einfo):
    channels.mark_delivery_failed(delivery_id=kwargs["delivery_id"])


@shared_task(
    name=channels.DELIVER,
    base=RetryInProcessTask,
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(channels.ChannelError,),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=CHANNEL_MAX_RETRIES,
    on_failure=_delivery_failed,
)
def deliver_reminder_to_channel(self, delivery_id: int) -> bool:
    """Post one reminder to one channel; posts nothing when it was delivered already."""
    return channels.deliver_to_channel(delivery_id=delivery_id)
