"""Serializers of delegated-build projects and handovers. References are codes and tags."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assets import permissions, tags
from assets.api.serializers import NaturalKeyField, department_field
from assets.handovers import services as handover_services
from assets.models import (
    DelegatedProject,
    Handover,
    HandoverArchive,
    HandoverItem,
    Location,
)
from config import formatting

MAX_ITEMS = 5000


class ProjectSerializer(serializers.ModelSerializer):
    """A delegated-build project (代建). Final accounts change through their own actions."""

    builder_department = department_field()
    owner_department = department_field()

    class Meta:
        model = DelegatedProject
        fields = [
            "code",
            "name",
            "builder_department",
            "owner_department",
            "contract_no",
            "budget",
            "accepted_on",
            "acceptance_report_no",
            "handover_due_on",
            "final_accounts_state",
            "final_accounts_approved_on",
            "final_accounts_ref",
        ]
        read_only_fields = [
            "final_accounts_state",
            "final_accounts_approved_on",
            "final_accounts_ref",
        ]
        extra_kwargs = {
            "budget": {"min_value": 0},
            # Uniqueness is checked by the service, in the user's language.
            "code": {"validators": []},
        }

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            for name in ("final_accounts_state", "final_accounts_approved_on"):
                if name in data:
                    raise serializers.ValidationError(
                        {name: [_("The final accounts change through POST …/final-accounts/.")]}
                    )
        return super().to_internal_value(data)

    def create(self, validated_data):
        return handover_services.save_project(
            actor=self.context["request"].user, fields=validated_data
        )

    def update(self, instance, validated_data):
        return handover_services.save_project(
            actor=self.context["request"].user, project=instance, fields=validated_data
        )


class FinalValueSerializer(serializers.Serializer):
    tag = serializers.CharField(max_length=40)
    value = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)


class FinalAccountsSerializer(serializers.Serializer):
    approved_on = serializers.DateField()
    reference = serializers.CharField(max_length=80, allow_blank=True, default="")
    values = FinalValueSerializer(many=True, required=False, default=list)
    confirm_unlisted = serializers.BooleanField(default=False)


class RevalueSerializer(serializers.Serializer):
    values = FinalValueSerializer(many=True, required=False, default=list)
    confirm_unlisted = serializers.BooleanField(default=False)


class RevaluationSerializer(serializers.Serializer):
    tag = serializers.CharField(source="asset.tag")
    before = serializers.DecimalField(max_digits=14, decimal_places=2)
    after = serializers.DecimalField(max_digits=14, decimal_places=2)


class ArchiveSerializer(serializers.ModelSerializer):
    class Meta:
        model = HandoverArchive
        fields = ["kind", "title", "reference", "copies"]
        extra_kwargs = {"copies": {"min_value": 1}}


class HandoverItemSerializer(serializers.ModelSerializer):
    tag = serializers.CharField(source="asset.tag", read_only=True)
    name = serializers.CharField(source="asset.name", read_only=True)
    model = serializers.CharField(source="asset.model", read_only=True)
    serial_number = serializers.CharField(source="asset.serial_number", read_only=True)
    original_value = serializers.DecimalField(
        source="asset.original_value", max_digits=14, decimal_places=2, read_only=True
    )
    value_type = serializers.CharField(source="asset.value_type", read_only=True)
    host = serializers.SerializerMethodField()
    new_using_department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    new_location = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = HandoverItem
        fields = [
            "tag",
            "name",
            "model",
            "serial_number",
            "original_value",
            "value_type",
            "host",
            "included_with_host",
            "result",
            "reason",
            "new_using_department",
            "new_custodian",
            "new_location",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_host(self, obj):
        """The host's tag when it travels in this handover or the reader may open it; a host
        outside their scope is not named (SECURITY.md §4), as on the handover page."""
        if not obj.asset.parent_id:
            return None
        if not obj.included_with_host:
            if "_card_reading_scope" not in self.context:
                request = self.context.get("request")
                self.context["_card_reading_scope"] = permissions.card_reading_scope(
                    getattr(request, "user", None)
                )
            if permissions.hides_host(self.context["_card_reading_scope"], obj.asset):
                return None
        return obj.asset.parent.tag


class HandoverSerializer(serializers.ModelSerializer):
    """A handover as the API shows it; every field is read-only (changes are actions)."""

    project = serializers.SlugRelatedField(slug_field="code", read_only=True)
    from_department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    to_department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    submitted_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    item_count = serializers.IntegerField(read_only=True)
    total_value = serializers.DecimalField(
        max_digits=16, decimal_places=2, read_only=True, allow_null=True
    )
    items = HandoverItemSerializer(many=True, read_only=True)
    archives = ArchiveSerializer(many=True, read_only=True)

    class Meta:
        model = Handover
        fields = [
            "number",
            "project",
            "from_department",
            "to_department",
            "state",
            "note",
            "decision_comment",
            "created_by",
            "created_at",
            "submitted_by",
            "submitted_at",
            "decided_by",
            "decided_at",
            "withdrawn_at",
            "certificate_sha256",
            "item_count",
            "total_value",
            "items",
            "archives",
        ]
        read_only_fields = fields


class ScopedTagList(serializers.ListField):
    """A list of tags resolved through the user's scope; unknown ones are named."""

    child = serializers.CharField(max_length=200)

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", MAX_ITEMS)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        wanted = list(dict.fromkeys(tags.normalise(v) for v in values if v.strip()))
        request = self.context.get("request")
        found = {
            a.tag: a
            for a in permissions.visible_assets(permissions.requester(request)).filter(
                tag__in=wanted
            )
        }
        unknown = [t for t in wanted if t not in found]
        if unknown:
            raise serializers.ValidationError(
                _("Unknown asset(s): %(tags)s.") % {"tags": formatting.text_list(unknown)}
            )
        return [found[t] for t in wanted]


class HandoverCreateSerializer(serializers.Serializer):
    """`{"project"?, "to_department"?, "items": [tag...], "exclude"?, "note"?, "archives"?}`.

    Without `project` (or with null) the handover is an internal transfer inside the sender's
    unit and `to_department` is required; the service says when (`internal_transfer_refusal`).
    """

    project = NaturalKeyField(
        slug_field="code",
        queryset=DelegatedProject.objects.none(),
        required=False,
        allow_null=True,
        default=None,
        unknown_message=gettext_lazy("Unknown delegated-build project “{value}”."),
    )
    to_department = department_field(required=False, allow_null=True, default=None)
    items = ScopedTagList()
    exclude = ScopedTagList(required=False, default=list)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)
    archives = ArchiveSerializer(many=True, required=False, default=list)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        self.fields["project"].queryset = permissions.visible_projects(
            permissions.requester(request)
        )

    def create(self, validated_data):
        return handover_services.create_handover(
            actor=self.context["request"].user,
            project=validated_data["project"],
            to_department=validated_data["to_department"],
            assets=validated_data["items"],
            exclude=validated_data["exclude"],
            note=validated_data["note"],
            archives=[handover_services.ArchiveLine(**a) for a in validated_data["archives"]],
        )


class DecisionItemSerializer(serializers.Serializer):
    """One item of `decide/`. Only these names are read; nothing here becomes an ORM lookup."""

    tag = serializers.CharField(max_length=200)
    # Blank or unknown results are named per item by the service, so any text passes here.
    result = serializers.CharField(max_length=20, allow_blank=True, default="")
    reason = serializers.CharField(max_length=2000, allow_blank=True, default="")
    using_department = department_field(required=False, allow_null=True, default=None)
    custodian = serializers.CharField(max_length=80, allow_blank=True, required=False)
    location = NaturalKeyField(
        slug_field="code",
        queryset=Location.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        unknown_message=gettext_lazy("Unknown location “{value}”."),
    )


class DecisionSerializer(serializers.Serializer):
    items = DecisionItemSerializer(many=True, max_length=MAX_ITEMS)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)

    def decisions(self) -> list[handover_services.ItemDecision]:
        return [
            handover_services.ItemDecision(
                tag=line["tag"],
                result=line["result"],
                reason=line["reason"],
                using_department=line["using_department"],
                custodian=line.get("custodian"),
                location=line["location"],
            )
            for line in self.validated_data["items"]
        ]


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
