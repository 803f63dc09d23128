"""Reminders (催办): the in-app inbox, the reminder ledger and the task outbox.

Imported at the bottom of `inventory.models`, so the models belong to the `inventory` app.
State changes go through `inventory.reminders.jobs`, `inventory.reminders.notifications` and
`inventory.outbox`; these models hold fields and constraints only.
"""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ReminderKind(models.TextChoices):
    """What a reminder is about; one kind per rule of the reminder jobs."""

    STOCKTAKE_DUE = "stocktake_due", _("Stocktake due soon")
    STOCKTAKE_OVERDUE = "stocktake_overdue", _("Stocktake overdue")
    STOCKTAKE_PROGRESS = "stocktake_progress", _("Stocktake progress of your department")
    STOCKTAKE_ESCALATION = "stocktake_escalation", _("Stocktake escalation")
    STOCKTAKE_NOT_STARTED = "stocktake_not_started", _("Annual stocktake not started")
    HANDOVER_UNDECIDED = "handover_undecided", _("Handover awaiting decision")
    HANDOVER_OVERDUE = "handover_overdue", _("Handover overdue")
    FINAL_ACCOUNTS_OVERDUE = "final_accounts_overdue", _("Final accounts overdue")
    LABEL_COMPLIANCE = "label_compliance", _("Assets without a label")
    # fixes: a handover's steps, told at once to who acts next
    HANDOVER_SUBMITTED = "handover_submitted", _("Handover submitted to you")
    HANDOVER_DECIDED = "handover_decided", _("Handover decided")
    # Custody and upkeep (issue 18)
    CUSTODY_OVERDUE = "custody_overdue", _("Asset not returned by its due date")
    RECEIPT_UNCONFIRMED = "receipt_unconfirmed", _("Receipt of an asset not confirmed")
    CONTRACT_ENDING = "contract_ending", _("Maintenance contract ending")
    LEAVER_CARDS = "leaver_cards", _("Cards held by a deactivated user")
    # Disposal cases (issue 17)
    DISPOSAL_AWAITING_APPROVAL = "disposal_awaiting_approval", _("Disposal case awaiting approval")
    DISPOSAL_NOT_EXECUTED = "disposal_not_executed", _("Approved disposal case not executed")
    FAULT_REPORTED = "fault_reported", _("Fault reported on an asset")


class ReminderLog(models.Model):
    """The ledger: one row per (kind, recipient, subject, period), however often a job runs.

    The unique key is what makes a reminder exactly-once (DESIGN.md invariant 9): a job that runs
    twice, is retried or runs from two beats by mistake inserts the same key and sends nothing.
    The row also carries the e-mail's delivery state, so a retried mail task sends once.
    """

    class MailState(models.TextChoices):
        NONE = "none", _("No e-mail address")
        PENDING = "pending", pgettext_lazy("mail state", "Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        # The recipient chose not to get reminders by e-mail (ReminderChoice).
        DECLINED = "declined", _("Not chosen by the recipient")

    kind = models.CharField(_("kind"), max_length=32, choices=ReminderKind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.PROTECT,
        related_name="reminder_logs",
    )
    subject = models.CharField(
        _("subject"), max_length=120, help_text=_("What the reminder is about, e.g. campaign:12.")
    )
    period = models.CharField(
        _("period"), max_length=20, help_text=_("e.g. 2026-01-15 (daily) or 2026-W03 (weekly).")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    mail_state = models.CharField(
        _("e-mail"), max_length=8, choices=MailState.choices, default=MailState.NONE
    )
    mail_to = models.EmailField(_("e-mail address"), blank=True)
    mail_attempts = models.PositiveSmallIntegerField(_("e-mail attempts"), default=0)
    mailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    mail_error = models.TextField(_("last e-mail error"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("reminder log entry")
        verbose_name_plural = _("reminder log")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "recipient", "subject", "period"], name="reminder_once_per_period"
            ),
            models.CheckConstraint(
                condition=~Q(mail_state="sent") | Q(mailed_at__isnull=False),
                name="reminder_sent_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.recipient_id} {self.subject} {self.period}"


class Notification(models.Model):
    """A message in a user's in-app inbox (the bell), written in the recipient's language."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.PROTECT,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=32, choices=ReminderKind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)
    # What the title and body say, as values (codes, numbers, names): the inbox renders them in
    # the reader's language, whatever language was active when it was written.
    facts = models.JSONField(_("facts"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    items = models.JSONField(
        pgettext_lazy("notification lines", "items"),
        default=list,
        blank=True,
        encoder=DjangoJSONEncoder,
    )
    reminder = models.OneToOneField(
        ReminderLog,
        verbose_name=_("reminder"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notification",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self):
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class TaskOutbox(models.Model):
    """A task to publish to the broker, written in the transaction that decided it (the outbox).

    A web request never waits for Redis: the row commits with the request, a short bounded publish
    runs after commit, and the periodic relay publishes whatever that publish could not.
    """

    task = models.CharField(_("task"), max_length=200)
    kwargs = models.JSONField(_("arguments"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("outbox task")
        verbose_name_plural = _("task outbox")
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(published_at__isnull=True),
                name="outbox_unpublished",
            )
        ]

    def __str__(self):
        return f"{self.task} {self.kwargs}"


# Reminder channels: WeCom and DingTalk group robots and signed webhooks beside e-mail.
class ReminderChannel(models.Model):
    """Where a department's (or one user's) reminders are also posted: a WeCom group robot, a
    DingTalk robot (signed URL), or a generic webhook signed with HMAC-SHA256. Changed by
    administrators in the admin through `inventory.reminders.channels.save_channel`, which
    refuses a URL that resolves to a private address not on `YIKA_WEBHOOK_ALLOWED_ADDRESSES`."""

    class Kind(models.TextChoices):
        WECOM = "wecom", _("WeCom group robot")
        DINGTALK = "dingtalk", _("DingTalk robot")
        WEBHOOK = "webhook", _("Signed webhook")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("channel"), max_length=16, choices=Kind.choices)
    department = models.ForeignKey(
        "assets.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reminder_channels",
        help_text=_("Reminders to anyone in this department go to this channel."),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reminder_channels",
        help_text=_("Or: only this person's reminders go to this channel."),
    )
    url = models.URLField(_("webhook URL"), max_length=500)
    secret = models.CharField(
        _("signing secret"),
        max_length=200,
        blank=True,
        help_text=_(
            "DingTalk: the robot's signing secret (SEC…). Webhook: the HMAC-SHA256 key the "
            "receiver checks. WeCom: leave empty (the key is part of the URL)."
        ),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("reminder channel")
        verbose_name_plural = _("reminder channels")
        constraints = [
            models.CheckConstraint(
                condition=Q(department__isnull=False, user__isnull=True)
                | Q(department__isnull=True, user__isnull=False),
                name="reminder_channel_department_or_user",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["dingtalk", "webhook"]) | ~Q(secret=""),
                name="reminder_channel_signed_has_secret",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()})"


class ChannelDelivery(models.Model):
    """One reminder posted to one channel: unique per ledger row and channel, so a reminder
    reaches each channel once per recipient, subject and period (DESIGN.md invariant 9)."""

    class State(models.TextChoices):
        PENDING = "pending", pgettext_lazy("delivery state", "Pending")
        SENT = "sent", pgettext_lazy("delivery state", "Delivered")
        FAILED = "failed", pgettext_lazy("delivery state", "Failed")

    reminder = models.ForeignKey(
        ReminderLog,
        verbose_name=_("reminder"),
        on_delete=models.PROTECT,
        related_name="channel_deliveries",
    )
    channel = models.ForeignKey(
        ReminderChannel,
        verbose_name=_("channel"),
        on_delete=models.PROTECT,
        related_name="deliveries",
    )
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(_("last HTTP status"), null=True, blank=True)
    last_answer = models.TextField(_("channel's last answer"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("channel delivery")
        verbose_name_plural = _("channel deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["reminder", "channel"], name="channel_delivery_once_per_reminder"
            ),
            models.CheckConstraint(
                condition=~Q(state="sent") | Q(sent_at__isnull=False),
                name="channel_delivery_sent_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.reminder_id} → {self.channel_id} ({self.state})"


# A WeCom or DingTalk user id: letters, digits and . _ @ - (what both platforms issue).
CHAT_USER_ID = r"^[A-Za-z0-9._@-]*$"
chat_user_id = RegexValidator(
    CHAT_USER_ID,
    _(
        "Only letters, digits and . _ @ - : copy the user id as the administration console shows it."
    ),
)


class ReminderChoice(models.Model):
    """How one user wants their reminders, beside the in-app inbox which always has them: by
    e-mail and by which kinds of the channels configured for them or their department; and
    their WeCom / DingTalk user id, which a group robot @-mentions so the message is theirs.
    Without a row a user gets every way there is (the default before users could choose).
    Changed by the user on their account page (`channels.save_reminder_choice`)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="reminder_choice",
    )
    by_email = models.BooleanField(_("by e-mail"), default=True)
    by_wecom = models.BooleanField(_("in WeCom"), default=True)
    by_dingtalk = models.BooleanField(_("in DingTalk"), default=True)
    by_webhook = models.BooleanField(
        _("by the signed webhook (SMS, government apps)"), default=True
    )
    wecom_userid = models.CharField(
        _("WeCom user id"),
        max_length=64,
        blank=True,
        validators=[chat_user_id],
        help_text=_("The group robot @-mentions you with it, so the reminder is addressed to you."),
    )
    dingtalk_userid = models.CharField(
        _("DingTalk user id"),
        max_length=64,
        blank=True,
        validators=[chat_user_id],
        help_text=_("The group robot @-mentions you with it, so the reminder is addressed to you."),
    )
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("reminder choice")
        verbose_name_plural = _("reminder choices")
        constraints = [
            models.CheckConstraint(
                condition=Q(wecom_userid__regex=CHAT_USER_ID)
                & Q(dingtalk_userid__regex=CHAT_USER_ID),
                name="reminder_choice_chat_user_ids",
            ),
        ]

    def __str__(self):
        return str(self.user_id)

    def takes(self, kind: str) -> bool:
        """Whether reminders go to channels of `kind` (a ReminderChannel.Kind)."""
        return getattr(self, f"by_{kind}")


__all__ = [
    "ChannelDelivery",
    "Notification",
    "ReminderChannel",
    "ReminderChoice",
    "ReminderKind",
    "ReminderLog",
    "TaskOutbox",
]
