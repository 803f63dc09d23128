"""Serializers of frozen register reports."""

from rest_framework import serializers

from assets.reports import selectors, services
from assets.reports.models import FrozenReport


class FrozenReportSerializer(serializers.ModelSerializer):
    report = serializers.CharField(source="kind", read_only=True)
    frozen_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    intact = serializers.SerializerMethodField()

    class Meta:
        model = FrozenReport
        fields = [
            "id",
            "report",
            "parameters",
            "sha256",
            "intact",
            "department",
            "whole_register",
            "frozen_by",
            "frozen_at",
            "payload",
        ]
        read_only_fields = fields

    def get_intact(self, obj) -> bool:
        return services.is_intact(obj)


class FreezeSerializer(serializers.Serializer):
    """What to freeze: `report` (`balance` with `on`, `movements` with `from` and `to`), `by`,
    `level`."""

    report = serializers.ChoiceField(choices=FrozenReport.Kind.choices)
    on = serializers.DateField(required=False)
    by = serializers.ChoiceField(choices=selectors.BY_CHOICES, default="category")
    level = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=selectors.MAX_LEVEL
    )

    def get_fields(self):
        fields = super().get_fields()
        # `from` is a Python keyword: declared here so the payload keeps the query's names.
        fields["from"] = serializers.DateField(required=False)
        fields["to"] = serializers.DateField(required=False)
        return fields
