"""Evidence (证明材料): the files behind each step of an asset's life, the models of
`assets.attachments`.

A file's bytes are a `Blob`, stored once by SHA-256 (the same file uploaded twice is one blob)
through the `attachments` storage alias. An `Attachment` ties a blob to a subject (a card, a
project, a handover, a stocktake difference, …: `assets.attachments.subjects`) with a kind. Both
are append-only (invariant 11): the database refuses UPDATE and DELETE on them. A wrong upload is
withdrawn by adding one `AttachmentWithdrawal` row (who, when, why); the attachment stays in the
history. They keep the `assets` app label; `assets/models.py` imports them.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AppendOnlyQuerySet(models.QuerySet):
    """Rows written once and never updated or deleted (the database refuses it too)."""

    def update(self, **kwargs):
        raise AppendOnlyError("Evidence is append-only.")

    def delete(self):
        raise AppendOnlyError("Evidence is append-only.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError("Evidence is append-only.")

    def update_or_create(self, *args, **kwargs):
        raise AppendOnlyError("Evidence is append-only.")


class AppendOnlyError(Exception):
    """An attempt to change or delete evidence."""


class AppendOnlyModel(models.Model):
    """Saved once (an INSERT), never again; never deleted."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None or not self._state.adding:
            raise AppendOnlyError("Evidence is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Evidence is append-only.")


class Blob(AppendOnlyModel):
    """A file's bytes, stored once by their SHA-256 in the `attachments` storage."""

    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("content type"), max_length=100)
    # The storage name (content addressed: `ab/abcdef…`), relative to the storage's root.
    name = models.CharField(_("stored as"), max_length=255, unique=True)
    created_at = models.DateTimeField(_("stored at"), default=timezone.now)

    class Meta:
        app_label = "assets"
        verbose_name = _("stored file")
        verbose_name_plural = _("stored files")
        constraints = [
            models.CheckConstraint(
                condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="blob_sha256_hex"
            ),
        ]

    def __str__(self):
        return self.sha256


class Attachment(AppendOnlyModel):
    """One piece of evidence (附件) on one subject: which file, what kind of paper, who added it."""

    class Kind(models.TextChoices):
        INVOICE = "invoice", pgettext_lazy("attachment kind", "Invoice")
        ACCEPTANCE_REPORT = (
            "acceptance_report",
            pgettext_lazy("attachment kind", "Acceptance report"),
        )
        APPROVAL = "approval", pgettext_lazy("attachment kind", "Approval")
        CONTRACT = "contract", pgettext_lazy("attachment kind", "Contract")
        ASSESSMENT = "assessment", pgettext_lazy("attachment kind", "Assessment")
        PHOTO = "photo", _("Photo")
        REPAIR_REPORT = "repair_report", pgettext_lazy("attachment kind", "Repair report")
        OTHER = "other", _("Other")

    blob = models.ForeignKey(
        Blob, verbose_name=_("file"), on_delete=models.PROTECT, related_name="attachments"
    )
    # The subject: a kind registered in `assets.attachments.subjects` and that object's pk (the
    # API names it by its natural key: `asset:TAG`, `handover:NUMBER`, …).
    subject_kind = models.CharField(_("subject kind"), max_length=20)
    subject_id = models.BigIntegerField(_("subject id"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    file_name = models.CharField(_("file name"), max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        app_label = "assets"
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        indexes = [models.Index(fields=["subject_kind", "subject_id"], name="attachment_subject")]
        constraints = [
            models.CheckConstraint(condition=~Q(file_name=""), name="attachment_named"),
        ]

    def __str__(self):
        return self.file_name

    @property
    def withdrawal_or_none(self):
        try:
            return self.withdrawal
        except AttachmentWithdrawal.DoesNotExist:
            return None


class AttachmentWithdrawal(AppendOnlyModel):
    """An attachment marked withdrawn (撤回): a wrong upload stays, with who, when and why."""

    attachment = models.OneToOneField(
        Attachment,
        verbose_name=_("attachment"),
        on_delete=models.PROTECT,
        related_name="withdrawal",
    )
    reason = models.TextField(_("reason"))
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawn by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), default=timezone.now)

    class Meta:
        app_label = "assets"
        verbose_name = _("withdrawn attachment")
        verbose_name_plural = _("withdrawn attachments")
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="withdrawal_has_reason"),
        ]

    def __str__(self):
        return f"{self.attachment} ({self.reason})"
