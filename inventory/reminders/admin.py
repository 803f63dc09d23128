"""Admin of reminders: the inbox and ledger (read-only), the outbox, and the periodic schedule.

The schedule rows are django-celery-beat's; Yika's admin refuses a schedule that would fail at
run time (unknown task or reminder job, bad crontab, no schedule) with a message on the form, and
"Run now" goes through the outbox, so the admin page never waits for a down broker.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_celery_beat.admin import ClockedScheduleAdmin as BeatClockedAdmin
from django_celery_beat.admin import CrontabScheduleAdmin as BeatCrontabAdmin
from django_celery_beat.admin import IntervalScheduleAdmin as BeatIntervalAdmin
from django_celery_beat.admin import PeriodicTaskAdmin as BeatPeriodicTaskAdmin
from django_celery_beat.admin import PeriodicTaskForm as BeatPeriodicTaskForm
from django_celery_beat.admin import SolarScheduleAdmin as BeatSolarAdmin
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)
from kombu.utils.json import loads

from assets import permissions
from config.admin import ReadOnlyAdmin, RoleScopedAdmin
from config.celery import schedule_label
from inventory.models import ChannelDelivery, Notification, ReminderChannel, ReminderLog, TaskOutbox
from inventory.reminders import channels, schedule
from inventory.reminders.outbox import enqueue_task

# The ledger's `period` keys that are words, not dates (`inventory.reminders.jobs`): shown as
# words in the admin's list; dates (2026-01-15) and months (2026-01) stay as they are.
PERIOD_WORDS = {
    "": "—",
    "submitted": _("on submission"),
    "decided": _("on decision"),
    "reported": _("on the report"),
    "due-soon": _("before the due date"),
}


def period_words(period: str) -> str:
    if period in PERIOD_WORDS:
        return str(PERIOD_WORDS[period])
    year, dash_w, number = period.partition("-W")
    if dash_w and year.isdigit() and number.isdigit():
        return str(_("week %(week)s of %(year)s") % {"week": int(number), "year": year})
    if period.startswith("ends:"):
        return str(_("contract ends %(date)s") % {"date": period.removeprefix("ends:")})
    return period


@admin.register(ReminderLog)
class ReminderLogAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "recipient", "subject", "period_shown", "mail_state")
    list_filter = ("kind", "mail_state")
    search_fields = ("subject", "recipient__username")
    list_select_related = ("recipient",)
    date_hierarchy = "created_at"

    @admin.display(description=_("period"), ordering="period")
    def period_shown(self, log):
        return period_words(log.period)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "recipient", "kind", "title", "read_at")
    list_filter = ("kind",)
    search_fields = ("title", "recipient__username")
    list_select_related = ("recipient",)


@admin.register(TaskOutbox)
class TaskOutboxAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "task", "kwargs", "published_at", "attempts", "last_error")
    list_filter = ("published_at",)


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


# Admins change the schedule, auditors read it, nobody deletes (disable instead).
for _model in (PeriodicTask, CrontabSchedule, IntervalSchedule, SolarSchedule, ClockedSchedule):
    admin.site.unregister(_model)


class TaskListFilter(admin.SimpleListFilter):
    """Beat's filter by task names the tasks by their Celery path under an English title; this
    one offers the declared reminder and housekeeping jobs by their labels."""

    title = _("Task")
    parameter_name = "task"

    def lookups(self, request, model_admin):
        labels = {}
        for name, path in PeriodicTask.objects.order_by("name").values_list("name", "task"):
            labels.setdefault(path, schedule_label(name))
        return sorted(labels.items(), key=lambda item: str(item[1]))

    def queryset(self, request, queryset):
        return queryset.filter(task=self.value()) if self.value() else queryset


@admin.register(PeriodicTask)
class PeriodicTaskAdmin(RoleScopedAdmin, BeatPeriodicTaskAdmin):
    form = PeriodicTaskForm
    actions = ("enable_tasks", "disable_tasks", "run_now")
    # django-celery-beat's template runs an inline script, which the site's CSP blocks.
    change_form_template = "admin/yika/periodictask_change_form.html"
    # The declared tasks show their label in the reader's language; the stored name is the key.
    # Beat's own `scheduler` column and `task` filter carry untranslatable English names.
    list_display = (
        "title",
        "schedule_shown",
        *(
            field
            for field in BeatPeriodicTaskAdmin.list_display
            if field not in ("name", "scheduler")
        ),
    )
    list_filter = [
        "enabled",
        "one_off",
        TaskListFilter,
        *(
            field
            for field in BeatPeriodicTaskAdmin.list_filter
            if field not in ("enabled", "one_off", "task")
        ),
    ]

    @admin.display(description=_("Task"), ordering="name")
    def title(self, task):
        return schedule_label(task.name)

    @admin.display(description=_("Schedule"))
    def schedule_shown(self, task):
        return task.scheduler

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
class CrontabScheduleAdmin(RoleScopedAdmin, BeatCrontabAdmin):
    form = CrontabScheduleForm


@admin.register(IntervalSchedule)
class IntervalScheduleAdmin(RoleScopedAdmin, BeatIntervalAdmin):
    pass


@admin.register(SolarSchedule)
class SolarScheduleAdmin(RoleScopedAdmin, BeatSolarAdmin):
    pass


@admin.register(ClockedSchedule)
class ClockedScheduleAdmin(RoleScopedAdmin, BeatClockedAdmin):
    pass


# Reminder channels: robots and webhooks per department or user, and their deliveries.
class ReminderChannelForm(forms.ModelForm):
    secret = forms.CharField(
        label=_("Signing secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_(
            "DingTalk: the robot's signing secret (SEC…). Webhook: the HMAC-SHA256 key the "
            "receiver checks. WeCom: leave empty. Left empty when changing: the secret is kept."
        ),
    )
    url = forms.URLField(
        label=_("Webhook URL"),
        max_length=500,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"class": "vURLField"}),
    )
    request = None  # set by ReminderChannelAdmin.get_form

    class Meta:
        model = ReminderChannel
        fields = ["name", "kind", "department", "user", "url", "secret", "active"]

    def clean_secret(self):
        secret = self.cleaned_data.get("secret") or ""
        if not secret and self.instance.pk:
            return self.instance.secret
        return secret

    def clean_url(self):
        url = self.cleaned_data.get("url") or ""
        if url:
            try:
                channels.check_channel_url(
                    url=url, request=self.request, actor=getattr(self.request, "user", None)
                )
            except ValidationError as refused:
                raise ValidationError(refused.message_dict["url"]) from None
        return url


@admin.register(ReminderChannel)
class ReminderChannelAdmin(RoleScopedAdmin):
    form = ReminderChannelForm
    list_display = ("name", "kind", "department", "user", "active", "created_at")
    list_filter = ("kind", "active")
    search_fields = ("name", "department__name", "user__username")
    list_select_related = ("department", "user")
    autocomplete_fields = ("department", "user")

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.request = request
        return form

    def get_fields(self, request, obj=None):
        fields = ["name", "kind", "department", "user", "url", "secret", "active"]
        if not permissions.is_admin(request.user):
            fields.remove("secret")  # auditors read where reminders go, not the keys
        return fields

    def save_model(self, request, obj, form, change):
        channels.save_channel(actor=request.user, channel=obj, request=request)


@admin.register(ChannelDelivery)
class ChannelDeliveryAdmin(ReadOnlyAdmin):
    """Read-only rows; admins may put failed ones back in the queue (the action needs change
    permission, and every field is read-only)."""

    list_display = (
        "created_at",
        "channel",
        "recipient",
        "state",
        "attempts",
        "last_status",
        "last_answer_short",
    )
    list_filter = ("state", "channel__kind")
    search_fields = ("reminder__recipient__username", "channel__name")
    list_select_related = ("channel", "reminder__recipient")
    actions = ("retry_failed",)
    readonly_fields = (
        "reminder",
        "channel",
        "state",
        "attempts",
        "created_at",
        "sent_at",
        "last_status",
        "last_answer",
    )

    def has_change_permission(self, request, obj=None):
        return permissions.is_admin(request.user)

    @admin.display(description=_("recipient"))
    def recipient(self, obj):
        return obj.reminder.recipient

    @admin.display(description=_("channel's last answer"))
    def last_answer_short(self, obj):
        return obj.last_answer[:120]

    @admin.action(description=_("Send the selected failed deliveries again"))
    def retry_failed(self, request, queryset):
        count = channels.retry_deliveries(actor=request.user, deliveries=list(queryset))
        self.message_user(
            request,
            ngettext(
                "%(count)s delivery queued again.", "%(count)s deliveries queued again.", count
            )
            % {"count": count},
            level=messages.SUCCESS,
        )
