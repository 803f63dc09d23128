"""Serializers of the register. References are natural keys: codes, tags, usernames."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assets import history, permissions, services
from assets.models import (
    CURRENT_CODE_SYSTEM,
    Asset,
    AssetEvent,
    Category,
    DelegatedProject,
    Department,
    Location,
    User,
)
from config.api import FieldsBuiltOnce


class NaturalKeyField(serializers.SlugRelatedField):
    """A slug reference whose error names the unknown value in the user's language."""

    def __init__(self, *args, unknown_message=None, **kwargs):
        super().__init__(*args, **kwargs)
        if unknown_message is not None:
            self.error_messages["does_not_exist"] = unknown_message
        self.error_messages["invalid"] = _("Give a code as text.")

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = data.strip()
        return super().to_internal_value(data)


class ScopedNaturalKeyField(NaturalKeyField):
    """A natural key resolved through the requesting user's scoped queryset (`scoped(user)`):
    a value outside the scope gets the same 400 as one that does not exist, so the answer tells
    nothing about what exists elsewhere. `queryset` stays for the schema and for reading."""

    def __init__(self, *args, scoped, **kwargs):
        super().__init__(*args, **kwargs)
        self.scoped = scoped

    def get_queryset(self):
        request = self.context.get("request")
        return self.scoped(permissions.requester(request))


def department_field(**kwargs):
    return NaturalKeyField(
        slug_field="code",
        queryset=Department.objects.all(),
        unknown_message=_("Unknown department “{value}”."),
        **kwargs,
    )


@extend_schema_field(serializers.CharField(help_text="An asset tag."))
class ScopedAssetTagField(NaturalKeyField):
    """A tag resolved through the requesting user's scope: another department's tag is unknown."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="tag", unknown_message=_("Unknown asset “{value}”."), **kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return permissions.visible_assets(permissions.requester(request))

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = data.strip().upper()
        return super().to_internal_value(data)


class DepartmentSerializer(serializers.ModelSerializer):
    parent = department_field(required=False, allow_null=True)

    class Meta:
        model = Department
        fields = ["code", "name", "kind", "parent", "contact", "is_active"]


class LocationSerializer(serializers.ModelSerializer):
    parent = NaturalKeyField(
        slug_field="code",
        queryset=Location.objects.all(),
        required=False,
        allow_null=True,
        unknown_message=_("Unknown location “{value}”."),
    )
    department = department_field(required=False, allow_null=True)

    class Meta:
        model = Location
        fields = ["code", "name", "kind", "parent", "department", "is_active"]


class CategorySerializer(serializers.ModelSerializer):
    parent = serializers.SerializerMethodField()
    is_leaf = serializers.SerializerMethodField()

    class Meta:
        model = Category
        fields = [
            "code_system",
            "code",
            "name",
            "parent",
            "is_leaf",
            "default_useful_life_months",
            "usually_embedded",
            "embedded_verify_policy",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_parent(self, obj):
        return obj.parent.code if obj.parent_id else None

    @extend_schema_field(serializers.BooleanField())
    def get_is_leaf(self, obj):
        leaf_ids = self.context.get("leaf_ids")
        if leaf_ids is not None:
            return obj.pk in leaf_ids
        return not obj.children.exists()


class CategoryCodeField(NaturalKeyField):
    def __init__(self, **kwargs):
        super().__init__(
            slug_field="code",
            queryset=Category.objects.filter(code_system=CURRENT_CODE_SYSTEM),
            unknown_message=_("Unknown category code “{value}” (GB/T 14885-2022)."),
            **kwargs,
        )


class AssetSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    """The card as the API shows it (DESIGN.md contract) and its plain-field writes."""

    category = CategoryCodeField()
    category_name = serializers.CharField(source="category.name", read_only=True)
    owner_department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    using_department = department_field(required=False, allow_null=True)
    managing_department = department_field(required=False, allow_null=True)
    # Read-only and nullable: a card need not have a location or a host (schema says so too).
    location = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    parent = serializers.SlugRelatedField(
        slug_field="tag",
        read_only=True,
        allow_null=True,
        help_text=_(
            "Tag of the host this card sits in; null at the top level and when the host is "
            "outside your scope (then parent_hidden is true)."
        ),
    )
    parent_hidden = serializers.SerializerMethodField(
        help_text=_(
            "True when the card sits in a host you may not open: parent is then null and the "
            "host's tag is not shown."
        )
    )
    project = ScopedNaturalKeyField(
        slug_field="code",
        scoped=permissions.linkable_projects,
        queryset=DelegatedProject.objects.all(),
        required=False,
        allow_null=True,
        unknown_message=_("Unknown delegated-build project “{value}”."),
    )
    custodian_user = ScopedNaturalKeyField(
        slug_field="username",
        scoped=permissions.assignable_custodians,
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        unknown_message=_("Unknown user “{value}”."),
    )
    embedded = serializers.BooleanField(read_only=True)
    accumulated_depreciation = serializers.SerializerMethodField()
    net_book_value = serializers.SerializerMethodField()
    monthly_depreciation = serializers.SerializerMethodField()

    class Meta:
        model = Asset
        fields = [
            "tag",
            "legacy_number",
            "name",
            "brand",
            "model",
            "spec",
            "serial_number",
            "unit",
            "category",
            "category_name",
            "acquisition_method",
            "acquired_on",
            "in_service_on",
            "contract_no",
            "invoice_no",
            "project",
            "warranty_until",
            "value_type",
            "original_value",
            "booked_on",
            "voucher_no",
            "depreciate",
            "useful_life_months",
            "monthly_depreciation",
            "accumulated_depreciation",
            "net_book_value",
            "managing_department",
            "using_department",
            "owner_department",
            "ownership_confirmed",
            "custodian",
            "custodian_user",
            "location",
            "parent",
            "parent_hidden",
            "embedded",
            "install_mode",
            "label_mode",
            "status",
            "lent_to",
            "suspected_shortage",
            "notes",
            "created_at",
            "updated_at",
            "retired_at",
            "retire_reason",
        ]
        read_only_fields = [
            "tag",
            "ownership_confirmed",
            "install_mode",
            "status",
            "lent_to",
            "suspected_shortage",
            "created_at",
            "updated_at",
            "retired_at",
            "retire_reason",
        ]
        extra_kwargs = {
            "useful_life_months": {"required": False, "min_value": 1},
            "original_value": {"min_value": 0},
        }

    @extend_schema_field(serializers.DecimalField(max_digits=14, decimal_places=2))
    def get_accumulated_depreciation(self, obj):
        return f"{obj.accumulated_depreciation():.2f}"

    @extend_schema_field(serializers.DecimalField(max_digits=14, decimal_places=2))
    def get_net_book_value(self, obj):
        return f"{obj.net_book_value():.2f}"

    @extend_schema_field(serializers.DecimalField(max_digits=14, decimal_places=2))
    def get_monthly_depreciation(self, obj):
        return f"{obj.monthly_depreciation():.2f}"

    @extend_schema_field(serializers.BooleanField())
    def get_parent_hidden(self, obj) -> bool:
        # The reader's scope once per response, not once per card of a page.
        if "_card_reading_scope" not in self.context:
            request = self.context.get("request")
            self.context["_card_reading_scope"] = permissions.card_reading_scope(
                getattr(request, "user", None)
            )
        return permissions.hides_host(self.context["_card_reading_scope"], obj)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if data.get("parent_hidden"):
            # A host the reader may not open is not named (SECURITY.md §4).
            data["parent"] = None
        return data

    def to_internal_value(self, data):
        # DRF drops read-only input silently; a privileged field must be refused by name.
        if hasattr(data, "keys"):
            for name in data.keys():
                if name in services.ACTION_FIELDS and not self._accepts_on_create(name):
                    services.raise_action_field(name)
        return super().to_internal_value(data)

    def _accepts_on_create(self, name: str) -> bool:
        return False

    def update(self, instance, validated_data):
        return services.update_asset(
            asset=instance, actor=self.context["request"].user, fields=validated_data
        )


class AssetCreateSerializer(AssetSerializer):
    """Registering a card may also set its owner, location, host and initial status."""

    owner_department = department_field()
    location = NaturalKeyField(
        slug_field="code",
        queryset=Location.objects.all(),
        required=False,
        allow_null=True,
        unknown_message=_("Unknown location “{value}”."),
    )
    parent = ScopedAssetTagField(required=False, allow_null=True)
    embedded = serializers.BooleanField(required=False, default=False)
    # The full status set keeps one enum in the schema; `register_asset` refuses the statuses a
    # new card cannot start in (400 naming `status`).
    status = serializers.ChoiceField(
        choices=Asset.Status.choices, required=False, default=Asset.Status.IN_STOCK
    )
    install_mode = serializers.ChoiceField(
        choices=Asset.InstallMode.choices, required=False, allow_null=True, default=None
    )

    class Meta(AssetSerializer.Meta):
        read_only_fields = [
            f for f in AssetSerializer.Meta.read_only_fields if f not in {"status", "install_mode"}
        ]

    def _accepts_on_create(self, name: str) -> bool:
        return name in {
            "owner_department",
            "location",
            "parent",
            "embedded",
            "status",
            "install_mode",
        }

    def create(self, validated_data):
        embedded = validated_data.pop("embedded", False)
        install_mode = validated_data.pop("install_mode", None)
        if embedded:
            install_mode = Asset.InstallMode.EMBEDDED
        elif install_mode is None or install_mode == Asset.InstallMode.EMBEDDED:
            install_mode = (
                Asset.InstallMode.EMBEDDED
                if install_mode == Asset.InstallMode.EMBEDDED
                else Asset.InstallMode.STANDALONE
            )
        validated_data["install_mode"] = install_mode
        return services.register_asset(actor=self.context["request"].user, fields=validated_data)


class ComponentSerializer(serializers.ModelSerializer):
    """A node of a host's subtree."""

    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    location = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    parent = serializers.CharField(source="parent_tag", read_only=True, allow_null=True)
    embedded = serializers.BooleanField(read_only=True)
    depth = serializers.IntegerField(source="tree_depth", read_only=True)

    class Meta:
        model = Asset
        fields = [
            "tag",
            "name",
            "model",
            "serial_number",
            "category",
            "location",
            "parent",
            "depth",
            "embedded",
            "install_mode",
            "label_mode",
            "status",
        ]
        read_only_fields = fields

    @classmethod
    def represent_rows(cls, rows: list[dict]) -> list[dict]:
        """The JSON of `to_representation`, built from `selectors.asset_subtree_rows`.

        A host may hold a thousand components; DRF's per-field work on model instances cost
        several times the SQL (bench/register.py). A test holds both outputs equal.
        """
        embedded = Asset.InstallMode.EMBEDDED
        return [
            {
                name: row["install_mode"] == embedded if name == "embedded" else row[name]
                for name in cls.Meta.fields
            }
            for row in rows
        ]


class AssetEventSerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    handover = serializers.SlugRelatedField(slug_field="number", read_only=True)
    # A note written by code, in the reader's language like `kind_display`; a typed one as typed.
    note = serializers.SerializerMethodField()

    class Meta:
        model = AssetEvent
        fields = [
            "id",
            "kind",
            "kind_display",
            "at",
            "actor",
            "changes",
            "note",
            "handover",
            "campaign_id",
        ]
        read_only_fields = fields

    def get_note(self, event) -> str:
        if not event.note_code:
            return event.note
        return history.note_text(event.note_code, event.note_params or {}, event.note)


class NestSerializer(serializers.Serializer):
    parent = ScopedAssetTagField(allow_null=True)
    embedded = serializers.BooleanField(default=False)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class MoveSerializer(serializers.Serializer):
    location = NaturalKeyField(
        slug_field="code",
        queryset=Location.objects.all(),
        unknown_message=_("Unknown location “{value}”."),
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class RetireSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)
    components = serializers.ChoiceField(
        choices=services.RetireComponents.CHOICES, default=services.RetireComponents.REFUSE
    )


class StatusSerializer(serializers.Serializer):
    # `retired` is refused by the service (409): retiring is its own action.
    status = serializers.ChoiceField(choices=Asset.Status.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    lent_to = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class UserSerializer(serializers.ModelSerializer):
    """Users, for admins only. `is_staff`, `is_superuser` and `groups` are not exposed."""

    password = serializers.CharField(
        write_only=True, required=False, style={"input_type": "password"}
    )
    department = department_field(required=False, allow_null=True)
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=permissions.ROLES), required=False
    )

    class Meta:
        model = User
        fields = [
            "username",
            "password",
            "email",
            "display_name",
            "language",
            "department",
            "roles",
            "is_active",
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["roles"] = sorted(
            name
            for name in instance.groups.values_list("name", flat=True)
            if name in permissions.ROLES
        )
        return data

    def validate_password(self, value):
        from django.contrib.auth.password_validation import validate_password

        # On create there is no instance yet: judge similarity against the submitted names.
        user = self.instance or User(
            username=str(self.initial_data.get("username", "")),
            email=str(self.initial_data.get("email", "")),
            display_name=str(self.initial_data.get("display_name", "")),
        )
        validate_password(value, user)
        return value

    def create(self, validated_data):
        request = self.context["request"]
        return services.save_user(actor=request.user, fields=validated_data, request=request)

    def update(self, instance, validated_data):
        request = self.context["request"]
        return services.save_user(
            actor=request.user, user=instance, fields=validated_data, request=request
        )
