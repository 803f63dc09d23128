"""The periodic schedule in django-celery-beat: loading the declared entries, and the checks the
admin applies before it saves a schedule (a wrong job or crontab must not fail silently at 8am)."""

from __future__ import annotations

import json

from celery.schedules import crontab as celery_crontab
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from config import formatting
from config.celery import SCHEDULE
from inventory.reminders.jobs import JOBS
from inventory.reminders.tasks import RELAY_OUTBOX, RUN_JOB

KNOWN_TASKS = {RUN_JOB, RELAY_OUTBOX}
CRONTAB_FIELDS = ("minute", "hour", "day_of_month", "month_of_year", "day_of_week")


def parse_crontab(text: str) -> dict[str, str]:
    """'0 8 * * 1' → the five CrontabSchedule fields; a ValidationError names what is wrong."""
    parts = text.split()
    if len(parts) != 5:
        raise ValidationError(
            {"crontab": _("A crontab has five fields: minute hour day month weekday.")}
        )
    fields = dict(zip(CRONTAB_FIELDS, parts, strict=True))
    check_crontab(fields)
    return fields


def check_crontab(fields: dict[str, str]) -> None:
    """Refuse a crontab Celery cannot evaluate (e.g. minute 61, hour 8-30, weekday 'mon-xyz')."""
    try:
        celery_crontab(**fields)  # parses every field, raising on a bad one
    except (ValueError, TypeError, KeyError) as exc:
        raise ValidationError(
            {"crontab": _("This crontab is not valid: %(error)s") % {"error": exc}}
        )


def check_entry(*, task: str, kwargs: str | dict, has_schedule: bool) -> None:
    """The checks of one periodic task: a known task, a known reminder job, a schedule."""
    if task.startswith("inventory.") and task not in KNOWN_TASKS:
        raise ValidationError({"task": _("Unknown task: %(task)s") % {"task": task}})
    if isinstance(kwargs, str):
        try:
            kwargs = json.loads(kwargs or "{}")
        except ValueError:
            raise ValidationError({"kwargs": _("Keyword arguments must be a JSON object.")})
    if not isinstance(kwargs, dict):
        raise ValidationError({"kwargs": _("Keyword arguments must be a JSON object.")})
    if task == RUN_JOB:
        job = kwargs.get("job")
        if job not in JOBS:
            raise ValidationError(
                {
                    "kwargs": _('Unknown reminder job "%(job)s"; choose one of: %(jobs)s.')
                    % {"job": job, "jobs": formatting.text_list(sorted(JOBS))}
                }
            )
        if set(kwargs) - {"job"}:
            raise ValidationError({"kwargs": _('A reminder job takes only "job".')})
    if not has_schedule:
        raise ValidationError(_("Choose a schedule (crontab or interval) for this task."))


def install_schedule(*, schedule: dict | None = None) -> list[str]:
    """Add the declared entries missing from django-celery-beat; returns the names added.
    Existing entries (maybe edited in the admin) are left as they are."""
    schedule = SCHEDULE if schedule is None else schedule
    added = []
    with transaction.atomic():
        for name, entry in schedule.items():
            if PeriodicTask.objects.filter(name=name).exists():
                continue
            check_entry(task=entry["task"], kwargs=entry.get("kwargs", {}), has_schedule=True)
            timing = {}
            if "crontab" in entry:
                timing["crontab"], _created = CrontabSchedule.objects.get_or_create(
                    timezone="Asia/Shanghai", **parse_crontab(entry["crontab"])
                )
            else:
                timing["interval"], _created = IntervalSchedule.objects.get_or_create(
                    every=entry["every_seconds"], period=IntervalSchedule.SECONDS
                )
            PeriodicTask.objects.create(
                name=name,
                task=entry["task"],
                kwargs=json.dumps(entry.get("kwargs", {})),
                **timing,
            )
            added.append(name)
    return added
