"""Upkeep API serializers: repairs, fault reports, maintenance contracts."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from assets import permissions
from assets.api.serializers import ScopedAssetTagField, ScopedNaturalKeyField
from assets.models import Asset, Department, MaintenanceContract, RepairRecord


class RepairSerializer(serializers.ModelSerializer):
    asset = serializers.SlugRelatedField(slug_field="tag", read_only=True)
    reported_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    under_way = serializers.BooleanField(read_only=True)

    class Meta:
        model = RepairRecord
        fields = [
            "id",
            "asset",
            "reported_on",
            "reported_by",
            "fault",
            "vendor",
            "cost",
            "started_on",
            "finished_on",
            "outcome",
            "under_way",
        ]
        read_only_fields = ["id", "asset", "reported_by", "under_way"]
        extra_kwargs = {
            "reported_on": {"required": False},
            "fault": {"required": False, "max_length": 4000},
            "cost": {"required": False, "min_value": 0},
            "outcome": {"max_length": 4000},
        }


class FaultReportSerializer(serializers.Serializer):
    fault = serializers.CharField(max_length=4000)
    reported_on = serializers.DateField(required=False)


class ContractSerializer(serializers.ModelSerializer):
    department = ScopedNaturalKeyField(
        slug_field="code",
        scoped=permissions.assignable_departments,
        queryset=Department.objects.all(),
        unknown_message=_("Unknown department “{value}”."),
    )
    assets = ScopedAssetTagField(many=True, required=False)

    class Meta:
        model = MaintenanceContract
        fields = ["number", "vendor", "department", "starts_on", "ends_on", "assets"]


class UncoveredAssetSerializer(serializers.ModelSerializer):
    owner_department = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Asset
        fields = ["tag", "name", "model", "owner_department", "status", "warranty_until"]
        read_only_fields = fields


class CostlyAssetSerializer(serializers.ModelSerializer):
    owner_department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    repair_total = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)
    net_value = serializers.SerializerMethodField()

    class Meta:
        model = Asset
        fields = ["tag", "name", "owner_department", "status", "repair_total", "net_value"]
        read_only_fields = fields

    def get_net_value(self, asset) -> str:
        return str(asset.net_book_value())
