"""The security log in the admin: read by auditors and admins, never changed or deleted there
(the database refuses it anyway)."""

from django.contrib import admin

from assets.security.models import SecurityEvent
from config.admin import ReadOnlyAdmin


@admin.register(SecurityEvent)
class SecurityEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "kind", "username", "address")
    list_filter = ("kind",)
    search_fields = ("username",)
    date_hierarchy = "at"
    readonly_fields = ("at", "kind", "user", "username", "address", "detail")
    show_full_result_count = False
