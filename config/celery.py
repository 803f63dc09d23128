"""The Celery app. Broker: REDIS_URL; without it, tasks run eagerly in process (settings)."""

import os

from celery import Celery
from django.utils.translation import gettext_lazy as _

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("yika")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The reminders keep their tasks beside the stocktake's `inventory/tasks.py`.
app.autodiscover_tasks(["inventory.reminders"])
# Security log: the retention task lives with the log in assets/security/.
app.autodiscover_tasks(["assets.security"])

# The periodic schedule, declared in this one place (timezone: CELERY_TIMEZONE, Asia/Shanghai).
# `manage.py setup_schedule` (run by `make migrate`/`make run`) loads it into django-celery-beat,
# adding missing entries only, so what an administrator changed in the admin stays changed. It is
# deliberately not `app.conf.beat_schedule`: the database scheduler would write that over the
# admin's edits every time beat starts. Crontab fields: minute hour day-of-month month day-of-week.
# The key is the entry's stored name (stable, so a re-run finds it); "label" is what the admin
# shows in the reader's language (inventory/reminders/admin.py, PeriodicTaskAdmin).
SCHEDULE = {
    "reminders: stocktakes": {
        "label": _("Remind counters of stocktakes due"),
        "task": "inventory.run_reminder_job",
        "crontab": "0 8 * * *",
        "kwargs": {"job": "stocktake"},
    },
    "reminders: handovers": {
        "label": _("Remind receivers of waiting handovers"),
        "task": "inventory.run_reminder_job",
        "crontab": "10 8 * * *",
        "kwargs": {"job": "handovers"},
    },
    "reminders: annual stocktake not started": {
        "label": _("Remind departments without an annual stocktake"),
        "task": "inventory.run_reminder_job",
        "crontab": "20 8 * * 1",
        "kwargs": {"job": "stocktake_start"},
    },
    "reminders: assets without a label": {
        "label": _("Remind clerks of cards without a label"),
        "task": "inventory.run_reminder_job",
        "crontab": "30 8 * * 1",
        "kwargs": {"job": "labels"},
    },
    # Custody and upkeep (issue 18)
    "reminders: custody": {
        "label": _("Remind holders of assets overdue or not yet confirmed"),
        "task": "inventory.run_reminder_job",
        "crontab": "40 8 * * *",
        "kwargs": {"job": "custody"},
    },
    # Disposal cases (issue 17)
    "reminders: disposal cases": {
        "label": _("Remind approvers and clerks of disposal cases waiting"),
        "task": "inventory.run_reminder_job",
        "crontab": "15 8 * * *",
        "kwargs": {"job": "disposals"},
    },
    "reminders: contracts ending": {
        "label": _("Remind clerks of maintenance contracts ending"),
        "task": "inventory.run_reminder_job",
        "crontab": "50 8 * * 1",
        "kwargs": {"job": "contracts"},
    },
    "outbox relay": {
        "label": _("Send queued tasks (outbox)"),
        "task": "inventory.relay_outbox",
        "every_seconds": 60,
        "kwargs": {},
    },
    "labels: fail stale print batches": {
        "label": _("Mark stalled label print batches as failed"),
        "task": "labels.fail_stale_label_batches",
        "every_seconds": 300,
        "kwargs": {},
    },
    # Security log: delete events past the retention period (never younger ones).
    "security log: retention": {
        "label": _("Delete security events past their retention period"),
        "task": "assets.purge_expired_security_events",
        "crontab": "40 3 * * *",
        "kwargs": {},
    },
}


def schedule_label(name: str) -> str:
    """A periodic task's name as its reader reads it: the declared label, else the stored name."""
    entry = SCHEDULE.get(name)
    return str(entry["label"]) if entry and "label" in entry else name
