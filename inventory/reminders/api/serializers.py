from rest_framework import serializers

from inventory.models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    """An inbox message; everything is read-only (only `read/` changes it)."""

    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "link", "created_at", "read_at", "is_read"]
        read_only_fields = fields


class MarkedReadSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many notifications were marked read.")
