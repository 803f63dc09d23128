"""Custody API serializers: input of each action, and the custody record and held card answers."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from assets import permissions
from assets.api.serializers import ScopedNaturalKeyField
from assets.models import Asset, CustodyRecord, User


class CheckoutSerializer(serializers.Serializer):
    # `user` on the wire, the check-out's `holder` (the service's argument).
    user = ScopedNaturalKeyField(
        source="holder",
        slug_field="username",
        scoped=permissions.assignable_custodians,
        queryset=User.objects.filter(is_active=True),
        unknown_message=_("Unknown user “{value}”."),
    )
    due_on = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class CheckinSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class LendSerializer(serializers.Serializer):
    counterparty = serializers.CharField(max_length=200)
    due_on = serializers.DateField()
    approval_ref = serializers.CharField(max_length=80)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class ConfirmAllSerializer(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)


class CustodyRecordSerializer(serializers.ModelSerializer):
    asset = serializers.SlugRelatedField(slug_field="tag", read_only=True)
    holder = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = CustodyRecord
        fields = [
            "asset",
            "kind",
            "state",
            "holder",
            "counterparty",
            "approval_ref",
            "due_on",
            "note",
            "opened_at",
            "confirmed_at",
            "closed_at",
        ]
        read_only_fields = fields


class HeldAssetSerializer(serializers.ModelSerializer):
    """A card the signed-in user holds, with its open check-out and this year's confirmation."""

    location = serializers.SlugRelatedField(slug_field="code", read_only=True)
    custody = serializers.SerializerMethodField()
    confirmed_this_year = serializers.BooleanField(source="held_confirmed", read_only=True)

    class Meta:
        model = Asset
        fields = ["tag", "name", "model", "status", "location", "custody", "confirmed_this_year"]
        read_only_fields = fields

    def get_custody(self, asset) -> dict | None:
        records = getattr(asset, "open_custody", [])
        return CustodyRecordSerializer(records[0]).data if records else None
