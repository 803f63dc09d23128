from rest_framework import serializers

from assets.models import ApiToken


class ApiTokenSerializer(serializers.ModelSerializer):
    """A token as its owner sees it; the key itself is never stored, so never shown again."""

    class Meta:
        model = ApiToken
        fields = ["id", "name", "scope", "prefix", "created_at", "expires_at", "last_used_at"]
        read_only_fields = fields


class ApiTokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=80)
    scope = serializers.ChoiceField(choices=ApiToken.Scope.choices, default=ApiToken.Scope.FULL)
    expires_at = serializers.DateTimeField(required=False, allow_null=True)


class NewApiTokenSerializer(ApiTokenSerializer):
    """The answer to a creation: the token and, this once, its key."""

    key = serializers.CharField(read_only=True)

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "key"]
        read_only_fields = fields
