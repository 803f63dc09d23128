from rest_framework import serializers

from assets.security.models import SecurityEvent


class SecurityEventSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="username", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = SecurityEvent
        fields = ["id", "at", "kind", "kind_display", "user", "address", "detail"]
        read_only_fields = fields
