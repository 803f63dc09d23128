"""Serializers of reconciliations: the job with its counts and totals, its rows and differences."""

import json

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assets.reconciliations import selectors
from assets.reconciliations.models import (
    FinanceRow,
    Reconciliation,
    ReconciliationDifference,
    ReconciliationMapping,
    ValueUnit,
)


@extend_schema_field(OpenApiTypes.OBJECT)
class MappingField(serializers.Field):
    """A mapping as a JSON object, or as JSON text in a multipart form."""

    default_error_messages = {"invalid": _("The mapping must be a JSON object of field: header.")}

    def to_internal_value(self, data):
        if isinstance(data, str):
            if not data.strip():
                return None
            try:
                data = json.loads(data)
            except ValueError:
                self.fail("invalid")
        if not isinstance(data, dict):
            self.fail("invalid")
        return data

    def to_representation(self, value):
        return value


class ReconciliationUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=_("The finance system's card export: .xlsx or .csv (UTF-8 or GB18030).")
    )
    mapping = MappingField(
        required=False,
        allow_null=True,
        help_text=_('Field → header, e.g. {"tag": "卡片编号"}; the saved mapping otherwise.'),
    )
    value_unit = serializers.ChoiceField(
        choices=ValueUnit.choices, required=False, allow_blank=True
    )
    as_of = serializers.DateField(required=False, help_text=_("Depreciation compared as of."))
    remember_mapping = serializers.BooleanField(required=False, default=False)


class CountsSerializer(serializers.Serializer):
    matched = serializers.IntegerField()
    value_differs = serializers.IntegerField()
    category_differs = serializers.IntegerField()
    department_differs = serializers.IntegerField()
    only_in_finance = serializers.IntegerField()
    only_in_register = serializers.IntegerField()


class ReconciliationSerializer(serializers.ModelSerializer):
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    department = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    counts = serializers.SerializerMethodField()

    class Meta:
        model = Reconciliation
        fields = [
            "id",
            "original_name",
            "file_kind",
            "encoding",
            "header_row",
            "mapping",
            "ignored_columns",
            "value_unit",
            "as_of",
            "state",
            "created_by",
            "department",
            "created_at",
            "cleared_at",
            "row_count",
            "counts",
            "totals",
        ]
        read_only_fields = fields

    def get_counts(self, obj) -> CountsSerializer:
        return selectors.counts_of(obj)


class ReconciliationListSerializer(ReconciliationSerializer):
    class Meta(ReconciliationSerializer.Meta):
        fields = [
            f
            for f in ReconciliationSerializer.Meta.fields
            if f not in {"totals", "mapping", "ignored_columns"}
        ]
        read_only_fields = fields


class FinanceRowSerializer(serializers.ModelSerializer):
    asset = serializers.SlugRelatedField(slug_field="tag", read_only=True, allow_null=True)

    class Meta:
        model = FinanceRow
        fields = [
            "row_number",
            "asset",
            "matched_by",
            "tag",
            "legacy_number",
            "serial_number",
            "name",
            "category_code",
            "department_text",
            "original_value",
            "accumulated_depreciation",
            "booked_on",
            "voucher_no",
        ]
        read_only_fields = fields


class ReconciliationDifferenceSerializer(serializers.ModelSerializer):
    asset = serializers.SlugRelatedField(slug_field="tag", read_only=True, allow_null=True)
    row = serializers.IntegerField(
        source="finance_row.row_number", read_only=True, default=None, allow_null=True
    )
    explained_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    approved_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    posted_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = ReconciliationDifference
        fields = [
            "id",
            "reconciliation",
            "kind",
            "asset",
            "row",
            "register",
            "finance",
            "state",
            "reason",
            "treatment",
            "explained_by",
            "explained_at",
            "approved_by",
            "approved_at",
            "posted_by",
            "posted_at",
        ]
        read_only_fields = fields


class ReconciliationExplainSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)
    treatment = serializers.ChoiceField(choices=ReconciliationDifference.Treatment.choices)


class MappingSerializer(serializers.ModelSerializer):
    updated_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    columns = MappingField()

    class Meta:
        model = ReconciliationMapping
        fields = ["columns", "value_unit", "updated_by", "updated_at"]
        read_only_fields = ["updated_by", "updated_at"]
