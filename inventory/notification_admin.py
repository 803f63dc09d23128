"""Admin of reminders: the inbox and ledger (read-only), the outbox, and the periodic schedule.

The schedule rows are django-celery-beat's; Yika's admin refuses a schedule that would fail at
run time (unknown task or reminder job, bad crontab, no schedule) with a message on the form, and
"Run now" goes through the outbox, so the admin page never waits for a down broker.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_celery_beat.admin import CrontabScheduleAdmin as BeatCrontabAdmin
from django_celery_beat.admin import PeriodicTaskAdmin as BeatPeriodicTaskAdmin
from django_celery_beat.admin import PeriodicTaskForm as BeatPeriodicTaskForm
from django_celery_beat.models import CrontabSchedule, PeriodicTask
from kombu.utils.json import loads

from assets import permissions
from config.celery import schedule_label
from inventory import schedule
from inventory.models import Notification, ReminderLog, TaskOutbox
from inventory.outbox import enqueue_task


class ReadOnlyForAdminsAndAuditors(admin.ModelAdmin):
    def has_module_permission(self, request):
        return permissions.has_role(request.user, permissions.ADMIN, permissions.AUDITOR)

    def has_view_permission(self, request, obj=None):
        return permissions.has_role(request.user, permissions.ADMIN, permissions.AUDITOR)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReminderLog)
class ReminderLogAdmin(ReadOnlyForAdminsAndAuditors):
    list_display = ("created_at", "kind", "recipient", "subject", "period", "mail_state")
    list_filter = ("kind", "mail_state")
    search_fields = ("subject", "recipient__username")
    list_select_related = ("recipient",)
    date_hierarchy = "created_at"


@admin.register(Notification)
class NotificationAdmin(ReadOnlyForAdminsAndAuditors):
    list_display = ("created_at", "recipient", "kind", "title", "read_at")
    list_filter = ("kind",)
    search_fields = ("title", "recipient__username")
    list_select_related = ("recipient",)


@admin.register(TaskOutbox)
class TaskOutboxAdmin(ReadOnlyForAdminsAndAuditors):
    list_display = ("created_at", "task", "kwargs", "published_at", "attempts", "last_error")
    list_filter = ("published_at",)


class ScheduleAdminMixin:
    """Admins change the schedule; auditors read it; nobody deletes (disable instead)."""

    def has_module_permission(self, request):
        return permissions.has_role(request.user, permissions.ADMIN, permissions.AUDITOR)

    def has_view_permission(self, request, obj=None):
        return permissions.has_role(request.user, permissions.ADMIN, permissions.AUDITOR)

    def has_add_permission(self, request):
        return permissions.is_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return permissions.is_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return False


class PeriodicTaskForm(BeatPeriodicTaskForm):
    def clean(self):
        data = super().clean()
        has_schedule = any(data.get(name) for name in ("interval", "crontab", "solar", "clocked"))
        schedule.check_entry(
            task=data.get("task") or "",
            kwargs=data.get("kwargs") or "{}",
            has_schedule=has_schedule,
        )
        return data


class CrontabScheduleForm(BeatCrontabAdmin.form):
    def clean(self):
        data = super().clean()
        fields = {name: data.get(name) for name in schedule.CRONTAB_FIELDS}
        if all(fields.values()):
            try:
                schedule.check_crontab(fields)
            except ValidationError as exc:
                raise ValidationError(exc.messages)  # about the whole crontab, not one field
        return data


admin.site.unregister(PeriodicTask)
admin.site.unregister(CrontabSchedule)


@admin.register(PeriodicTask)
class PeriodicTaskAdmin(ScheduleAdminMixin, BeatPeriodicTaskAdmin):
    form = PeriodicTaskForm
    actions = ("enable_tasks", "disable_tasks", "run_now")
    # The declared tasks show their label in the reader's language; the stored name is the key.
    list_display = (
        "title",
        *(field for field in BeatPeriodicTaskAdmin.list_display if field != "name"),
    )

    @admin.display(description=_("Task"), ordering="name")
    def title(self, task):
        return schedule_label(task.name)

    @admin.action(description=_("Run selected tasks now"))
    def run_now(self, request, queryset):
        if not permissions.is_admin(request.user):
            return
        count = 0
        for task in queryset:
            try:
                schedule.check_entry(task=task.task, kwargs=task.kwargs, has_schedule=True)
            except ValidationError as exc:
                self.message_user(
                    request, f"{task.name}: {'; '.join(exc.messages)}", level=messages.ERROR
                )
                continue
            enqueue_task(task=task.task, kwargs=loads(task.kwargs or "{}"))
            count += 1
        if count:
            self.message_user(
                request,
                ngettext(
                    "%(count)s task queued; it runs as soon as a worker takes it.",
                    "%(count)s tasks queued; they run as soon as a worker takes them.",
                    count,
                )
                % {"count": count},
                level=messages.SUCCESS,
            )


@admin.register(CrontabSchedule)
class CrontabScheduleAdmin(ScheduleAdminMixin, BeatCrontabAdmin):
    form = CrontabScheduleForm
