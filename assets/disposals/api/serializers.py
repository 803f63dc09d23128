"""Serializers of disposal cases and approval tiers. References are codes and tags."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from assets.api.serializers import department_field
from assets.disposals import services as disposal_services
from assets.disposals.models import APPROVAL_NO_MAX
from assets.models import ApprovalTier, DisposalCase, DisposalItem


class DisposalItemSerializer(serializers.ModelSerializer):
    tag = serializers.CharField(source="asset.tag", read_only=True)
    name = serializers.CharField(source="asset.name", read_only=True)
    status = serializers.CharField(source="asset.status", read_only=True)

    class Meta:
        model = DisposalItem
        fields = ["tag", "name", "status", "original_value", "net_value", "previous_status"]
        read_only_fields = fields


class DisposalSerializer(serializers.ModelSerializer):
    """A disposal case (资产处置单) as read; every change is an action."""

    department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    to_department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    handover = serializers.SlugRelatedField(slug_field="number", read_only=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    submitted_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    executed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    items = DisposalItemSerializer(many=True, read_only=True)
    # The reason as text, in the request's language when the system wrote it (`reason_code`
    # then names it; blank for a reason a person wrote).
    reason = serializers.CharField(source="reason_shown", read_only=True)

    class Meta:
        model = DisposalCase
        fields = [
            "number",
            "method",
            "grounds",
            "reason",
            "reason_code",
            "department",
            "to_department",
            "counterparty",
            "evidence",
            "components",
            "state",
            "total_original_value",
            "total_net_value",
            "tier_up_to",
            "approver_role",
            "approving_body",
            "approval_no",
            "approved_on",
            "decision_note",
            "executed_on",
            "handover",
            "created_by",
            "created_at",
            "submitted_by",
            "submitted_at",
            "decided_by",
            "decided_at",
            "executed_by",
            "executed_at",
            "document_sha256",
            "items",
        ]
        read_only_fields = fields


class DisposalWriteSerializer(serializers.Serializer):
    """`{"method", "grounds", "reason"?, "items": [tag...], "to_department"? (transfer),
    "counterparty"?, "evidence"?, "components"?}`; unknown choices are named by the service."""

    method = serializers.CharField(max_length=20)
    grounds = serializers.CharField(max_length=20)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)
    items = serializers.ListField(
        child=serializers.CharField(max_length=200), max_length=disposal_services.MAX_ITEMS
    )
    to_department = department_field(required=False, allow_null=True, default=None)
    counterparty = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=200
    )
    evidence = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
    components = serializers.CharField(required=False, default="refuse", max_length=10)

    def to_representation(self, instance):
        # A case reads as the read serializer shows it (the browsable API's forms ask this).
        return DisposalSerializer(instance, context=self.context).data

    def fields_and_tags(self):
        data = dict(self.validated_data)
        return data.pop("items"), data

    def create(self, validated_data):
        tags, fields = self.fields_and_tags()
        return disposal_services.create_disposal(
            actor=self.context["request"].user, fields=fields, tags=tags
        )

    def update(self, instance, validated_data):
        tags, fields = self.fields_and_tags()
        return disposal_services.update_disposal(
            case=instance, actor=self.context["request"].user, fields=fields, tags=tags
        )


class ApproveSerializer(serializers.Serializer):
    approval_no = serializers.CharField(
        max_length=APPROVAL_NO_MAX,
        error_messages={
            "max_length": _("At most {max_length} characters."),
            "blank": _("Give the approval document number (批复文号)."),
        },
    )
    approved_on = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=4000)


class ExecuteSerializer(serializers.Serializer):
    executed_on = serializers.DateField(required=False, allow_null=True, default=None)


class ApprovalTierSerializer(serializers.ModelSerializer):
    """An approval tier: `up_to` (CNY, null = no limit), `approver_role`, `body`."""

    up_to = serializers.DecimalField(
        max_digits=16, decimal_places=2, allow_null=True, required=False, default=None
    )
    approver_role = serializers.ChoiceField(choices=ApprovalTier.ApproverRole.choices)

    class Meta:
        model = ApprovalTier
        fields = ["id", "up_to", "approver_role", "body"]
        read_only_fields = ["id"]
        extra_kwargs = {"body": {"validators": []}}

    def create(self, validated_data):
        return disposal_services.save_tier(
            actor=self.context["request"].user, fields=validated_data
        )

    def update(self, instance, validated_data):
        return disposal_services.save_tier(
            actor=self.context["request"].user, tier=instance, fields=validated_data
        )
