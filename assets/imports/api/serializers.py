"""Serializers of import jobs. A job shows its counts, column mapping, preview and row errors."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from assets.imports.columns import said_errors
from assets.models import ImportJob


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=_("An .xlsx or .csv file (UTF-8, UTF-8 with BOM or GB18030).")
    )


class RowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    column = serializers.CharField(allow_blank=True)
    value = serializers.CharField(allow_blank=True)
    message = serializers.CharField()
    text = serializers.CharField()


class PreviewRowSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    action = serializers.ChoiceField(choices=["create", "update", "unchanged"])
    tag = serializers.CharField(allow_blank=True)
    legacy_number = serializers.CharField(allow_blank=True)
    name = serializers.CharField(allow_blank=True)
    parent = serializers.CharField(allow_blank=True)
    changes = serializers.DictField(child=serializers.ListField())
    serial_number = serializers.CharField(allow_blank=True, required=False)
    # Set on a row a re-import could not match to a card (it would register a new one).
    warning = serializers.CharField(allow_blank=True, required=False)


class ImportJobSerializer(serializers.ModelSerializer):
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    preview = PreviewRowSerializer(many=True, read_only=True)
    errors = RowErrorSerializer(many=True, read_only=True)

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "original_name",
            "file_kind",
            "encoding",
            "state",
            "created_by",
            "created_at",
            "applied_at",
            "row_count",
            "create_count",
            "update_count",
            "unchanged_count",
            "error_count",
            "columns",
            "preview",
            "errors",
        ]
        read_only_fields = fields

    def to_representation(self, instance):
        # Errors are said in the reader's language, whoever uploaded the file.
        data = super().to_representation(instance)
        if "errors" in data:
            data["errors"] = RowErrorSerializer(said_errors(instance.errors), many=True).data
        return data


class ImportJobListSerializer(ImportJobSerializer):
    class Meta(ImportJobSerializer.Meta):
        fields = [
            f for f in ImportJobSerializer.Meta.fields if f not in {"preview", "errors", "columns"}
        ]
        read_only_fields = fields
