"""Serializers of the labels API: natural keys (tag, template code, username), explicit fields."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from labels import services
from labels.models import LabelTemplate, PrintBatch


class LabelTemplateSerializer(serializers.ModelSerializer):
    per_page = serializers.IntegerField(read_only=True)
    fields = serializers.ListField(
        child=serializers.ChoiceField(choices=LabelTemplate.Field.choices),
        required=False,
        help_text=_("Printed fields; the tag and the QR code are always printed."),
    )

    class Meta:
        model = LabelTemplate
        # The template rows the print service accepts, plus the derived labels per page.
        fields = [*services.TEMPLATE_FIELDS, "per_page"]


class PrintRequestSerializer(serializers.Serializer):
    tags = serializers.ListField(
        child=serializers.CharField(max_length=200, allow_blank=True),
        allow_empty=True,
        max_length=50000,
        help_text=_("Asset tags (or scanned label URLs) to print."),
    )
    template = serializers.SlugRelatedField(
        slug_field="code", queryset=LabelTemplate.objects.filter(is_active=True)
    )


class VoidRequestSerializer(serializers.Serializer):
    tag = serializers.CharField(max_length=200)
    reason = serializers.CharField(max_length=2000, allow_blank=True)


class PrintBatchSerializer(serializers.ModelSerializer):
    template = serializers.SlugRelatedField(slug_field="code", read_only=True)
    requested_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    progress = serializers.IntegerField(source="progress_percent", read_only=True)
    pdf = serializers.SerializerMethodField()
    page = serializers.SerializerMethodField()
    # In the request's language (the stored value is a key).
    selection = serializers.CharField(source="selection_text", read_only=True)

    class Meta:
        model = PrintBatch
        fields = [
            "id",
            "state",
            "template",
            "selection",
            "total",
            "done_count",
            "progress",
            "pages",
            "requested_by",
            "created_at",
            "started_at",
            "heartbeat_at",
            "finished_at",
            "error",
            "pdf",
            "page",
        ]
        read_only_fields = fields

    def get_pdf(self, batch) -> str | None:
        if batch.state != PrintBatch.State.DONE:
            return None
        return reverse("label-batch-pdf", kwargs={"pk": batch.pk})

    def get_page(self, batch) -> str:
        return reverse("labels:batch-detail", kwargs={"pk": batch.pk})


class VoidedLabelSerializer(serializers.Serializer):
    tag = serializers.CharField(source="asset.tag")
    serial = serializers.IntegerField()
    voided_at = serializers.DateTimeField()
    void_reason = serializers.CharField()
