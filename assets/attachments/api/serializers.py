"""Serializers of `/api/v1/attachments/` (DESIGN.md contract row `attachments`)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from rest_framework import serializers

from assets.attachments import subjects
from assets.attachments.models import Attachment


class AttachmentSerializer(serializers.ModelSerializer):
    """One attachment as every reader sees it; `subject` is `kind:ref` (`asset:TAG`)."""

    subject = serializers.SerializerMethodField()
    sha256 = serializers.CharField(source="blob.sha256", read_only=True)
    size = serializers.IntegerField(source="blob.size", read_only=True)
    content_type = serializers.CharField(source="blob.content_type", read_only=True)
    uploaded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    withdrawn = serializers.SerializerMethodField()
    withdrawn_at = serializers.SerializerMethodField()
    withdrawn_by = serializers.SerializerMethodField()
    withdrawal_reason = serializers.SerializerMethodField()
    file = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = [
            "id",
            "subject",
            "kind",
            "file_name",
            "sha256",
            "size",
            "content_type",
            "uploaded_by",
            "uploaded_at",
            "withdrawn",
            "withdrawn_at",
            "withdrawn_by",
            "withdrawal_reason",
            "file",
        ]
        read_only_fields = fields

    def get_subject(self, obj) -> str:
        refs = self.context.get("references") or {}
        return refs.get(obj.pk) or subjects.reference_of(obj)

    def get_withdrawn(self, obj) -> bool:
        return obj.withdrawal_or_none is not None

    def get_withdrawn_at(self, obj) -> str | None:
        withdrawal = obj.withdrawal_or_none
        return (
            serializers.DateTimeField().to_representation(withdrawal.withdrawn_at)
            if withdrawal
            else None
        )

    def get_withdrawn_by(self, obj) -> str | None:
        withdrawal = obj.withdrawal_or_none
        return withdrawal.withdrawn_by.username if withdrawal and withdrawal.withdrawn_by else None

    def get_withdrawal_reason(self, obj) -> str | None:
        withdrawal = obj.withdrawal_or_none
        return withdrawal.reason if withdrawal else None

    def get_file(self, obj) -> str:
        return reverse("attachment-download", kwargs={"pk": obj.pk})


class AttachmentUploadSerializer(serializers.Serializer):
    """`multipart/form-data` with `file`, `subject` (`asset:TAG`, `project:CODE`, …) and `kind`."""

    file = serializers.FileField(label=_("file"))
    subject = serializers.CharField(label=pgettext_lazy("attachment", "subject"), max_length=120)
    kind = serializers.ChoiceField(label=_("kind"), choices=Attachment.Kind.choices)


class WithdrawAttachmentSerializer(serializers.Serializer):
    reason = serializers.CharField(label=_("reason"), max_length=2000)
