"""Serializers of the stocktake API. References are natural keys: codes, tags, usernames."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from assets.api.serializers import NaturalKeyField
from assets.models import CURRENT_CODE_SYSTEM, Category, Department, Location, User
from inventory import attachments
from inventory.models import (
    CounterAssignment,
    Difference,
    StocktakeCampaign,
    StocktakeLine,
    VerifyMethod,
)


def _department(**kwargs):
    return NaturalKeyField(
        slug_field="code",
        queryset=Department.objects.all(),
        unknown_message=_("Unknown department “{value}”."),
        **kwargs,
    )


def _location(**kwargs):
    return NaturalKeyField(
        slug_field="code",
        queryset=Location.objects.all(),
        unknown_message=_("Unknown location “{value}”."),
        **kwargs,
    )


class AssignmentSerializer(serializers.ModelSerializer):
    counter = NaturalKeyField(
        slug_field="username",
        queryset=User.objects.filter(is_active=True),
        unknown_message=_("Unknown user “{value}”."),
    )
    department = _department(required=False, allow_null=True)
    location = _location(required=False, allow_null=True)

    class Meta:
        model = CounterAssignment
        fields = ["counter", "department", "location"]


class CampaignSerializer(serializers.ModelSerializer):
    departments = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    locations = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    categories = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    counters = serializers.SerializerMethodField()
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = StocktakeCampaign
        fields = [
            "id",
            "name",
            "year",
            "reference_date",
            "due_on",
            "state",
            "departments",
            "locations",
            "categories",
            "counters",
            "note",
            "created_by",
            "created_at",
            "activated_at",
            "closed_at",
            "archived_at",
            "result_sha256",
        ]
        read_only_fields = fields

    def get_counters(self, campaign) -> list[dict]:
        return [
            {
                "counter": a.counter.username,
                "department": a.department.code if a.department else None,
                "location": a.location.code if a.location else None,
            }
            for a in campaign.assignments.select_related("counter", "department", "location")
        ]


class CampaignCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    year = serializers.IntegerField(min_value=2000, max_value=2200)
    reference_date = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_(
            "The reference date (清查基准日) the book values are taken at; optional, 12-31 of "
            "the year when left out."
        ),
    )
    due_on = serializers.DateField()
    departments = _department(many=True, required=False)
    locations = _location(many=True, required=False)
    categories = NaturalKeyField(
        slug_field="code",
        queryset=Category.objects.filter(code_system=CURRENT_CODE_SYSTEM),
        unknown_message=_("Unknown category “{value}”."),
        many=True,
        required=False,
    )
    assignments = AssignmentSerializer(many=True, required=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ScanSerializer(serializers.Serializer):
    # No length cap here: an overlong code is answered by the scan service as "not a tag or a
    # Yika label" (past labels.qr.MAX_CODE_LENGTH too), not as a field-length error (walk2-26). The request
    # body limit (DATA_UPLOAD_MAX_MEMORY_SIZE) still bounds it.
    code = serializers.CharField(trim_whitespace=False)
    location = _location(required=False, allow_null=True, default=None)
    client_key = serializers.UUIDField(required=False, allow_null=True, default=None)
    scanned_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    damaged = serializers.BooleanField(required=False, default=False)


class ScanLineSerializer(serializers.ModelSerializer):
    location = serializers.SlugRelatedField(slug_field="code", read_only=True)
    counted_location = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = StocktakeLine
        fields = ["tag", "name", "model", "result", "location", "counted_location", "custodian"]
        read_only_fields = fields


class ComponentAnswerSerializer(serializers.Serializer):
    tag = serializers.CharField()
    name = serializers.CharField()
    model = serializers.CharField()
    serial_number = serializers.CharField()
    result = serializers.CharField()
    verify_policy = serializers.CharField()


SCAN_ANSWERS = [
    "found",
    "found_elsewhere",
    "duplicate",
    "superseded_label",
    "not_in_scope",
    "unknown",
]


class ScanAnswerSerializer(serializers.Serializer):
    answer = serializers.ChoiceField(choices=SCAN_ANSWERS)
    message = serializers.CharField()
    tag = serializers.CharField()
    client_key = serializers.CharField()
    line = ScanLineSerializer(allow_null=True)
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Why, when the answer alone would mislead: `retired` (not_in_scope), "
        "`superseded_label` (duplicate: counted already and this label was replaced), "
        "`recorded_missing` (counted, but an earlier count recorded the card missing); else "
        "empty.",
    )
    components = ComponentAnswerSerializer(many=True)


class BatchAnswerSerializer(serializers.Serializer):
    """One entry of a batch's answer: the scan's answer, or `errors` for an entry refused."""

    index = serializers.IntegerField()
    answer = serializers.ChoiceField(
        choices=[*SCAN_ANSWERS, "surplus_limit"],
        required=False,
        help_text=_(
            "As for a single scan, plus surplus_limit: an unknown code past the batch's allowance "
            "of new surplus finds (YIKA_STOCKTAKE_SURPLUS_PER_BATCH), not recorded; send it again."
        ),
    )
    message = serializers.CharField(required=False)
    tag = serializers.CharField(required=False)
    client_key = serializers.CharField(required=False)
    line = ScanLineSerializer(allow_null=True, required=False)
    components = ComponentAnswerSerializer(many=True, required=False)
    errors = serializers.DictField(required=False)


class LineSerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    location = serializers.SlugRelatedField(slug_field="code", read_only=True)
    counted_location = serializers.SlugRelatedField(slug_field="code", read_only=True)
    counted_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    holder_confirmed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    has_photo = serializers.SerializerMethodField()
    # A line that left the count when its card was handed over (`result` handed_over): the
    # handover's number; null otherwise.
    handover = serializers.SlugRelatedField(slug_field="number", read_only=True)

    class Meta:
        model = StocktakeLine
        fields = [
            "id",
            "kind",
            "tag",
            "name",
            "model",
            "serial_number",
            "category",
            "department",
            "location",
            "custodian",
            "status",
            "embedded",
            "book_quantity",
            "original_value",
            "accumulated_depreciation",
            "net_value",
            "result",
            "counted_quantity",
            "verify_method",
            "counted_at",
            "counted_by",
            "counted_location",
            "away_at",
            "label_ok",
            "holder_confirmed_at",
            "holder_confirmed_by",
            "reprint_requested",
            "manual_reason",
            "scanned_code",
            "note",
            "has_photo",
            "handover",
        ]
        read_only_fields = fields

    def get_has_photo(self, line) -> bool:
        return attachments.has_photo(line)


class ManualCountSerializer(serializers.Serializer):
    tag = serializers.CharField(max_length=40)
    reason = serializers.CharField(max_length=500)
    location = _location(required=False, allow_null=True, default=None)


class ConfirmSerializer(serializers.Serializer):
    tag = serializers.CharField(max_length=40)
    method = serializers.ChoiceField(choices=[VerifyMethod.SN_MATCH, VerifyMethod.PHOTO])
    serial_number = serializers.CharField(required=False, allow_blank=True, default="")
    photo = serializers.FileField(required=False, allow_null=True, default=None)


class SurplusSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=1000)
    code = serializers.CharField(required=False, allow_blank=True, default="", max_length=512)
    location = _location(required=False, allow_null=True, default=None)
    photo = serializers.FileField(required=False, allow_null=True, default=None)


class DifferenceSerializer(serializers.ModelSerializer):
    tag = serializers.CharField(source="line.tag", read_only=True)
    name = serializers.CharField(source="line.name", read_only=True)
    scanned_code = serializers.CharField(source="line.scanned_code", read_only=True)
    department = serializers.SlugRelatedField(
        source="line.department", slug_field="code", read_only=True
    )
    original_value = serializers.DecimalField(
        source="line.original_value", max_digits=14, decimal_places=2, read_only=True
    )
    draft_asset = serializers.SlugRelatedField(slug_field="tag", read_only=True)
    # A posted shortage or damage: the disposal case it ended in, or why its card is in none.
    disposal = serializers.SlugRelatedField(slug_field="number", read_only=True)
    # In the request's language; the codes (`assets.refusals`) for clients that word it.
    disposal_problem = serializers.CharField(read_only=True)
    disposal_problem_codes = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Difference
        fields = [
            "id",
            "kind",
            "state",
            "tag",
            "name",
            "scanned_code",
            "department",
            "original_value",
            "reason",
            "responsible",
            "treatment",
            "write_back",
            "draft_asset",
            "disposal",
            "disposal_problem",
            "disposal_problem_codes",
            "explained_at",
            "approved_at",
            "posted_at",
        ]
        read_only_fields = fields


class ExplainSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)
    responsible = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
    treatment = serializers.CharField(required=False, allow_blank=True, default="")
    write_back = serializers.BooleanField(required=False, default=False)


class PostSerializer(serializers.Serializer):
    """For a surplus: the draft card's category, owning department, name and value."""

    category = NaturalKeyField(
        slug_field="code",
        queryset=Category.objects.filter(code_system=CURRENT_CODE_SYSTEM),
        unknown_message=_("Unknown category “{value}”."),
        required=False,
        allow_null=True,
        default=None,
    )
    owner_department = _department(required=False, allow_null=True, default=None)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    original_value = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True, default=None
    )
