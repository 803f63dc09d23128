"""Read-only admin views of stocktakes for administrators and auditors: changes go through the
services (pages and API)."""

from django.contrib import admin
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from config import formatting
from config.admin import ReadOnlyAdmin
from inventory.models import Difference, StocktakeCampaign, StocktakeLine, StocktakeScan


@admin.register(StocktakeCampaign)
class StocktakeCampaignAdmin(ReadOnlyAdmin):
    list_display = ["year", "name", "state", "reference_date", "due_on", "closed_at"]
    list_filter = ["state", "year"]
    search_fields = ["name"]
    # An empty scope list means the whole register: say "All", not a blank.
    exclude = ["departments", "locations", "categories"]
    readonly_fields = ["scope_departments", "scope_locations", "scope_categories"]

    @staticmethod
    def _scope(items) -> str:
        names = [str(item.name) for item in items]
        return formatting.text_list(names) if names else gettext("All")

    @admin.display(description=_("departments in scope"))
    def scope_departments(self, obj):
        return self._scope(obj.departments.order_by("code"))

    @admin.display(description=_("locations in scope"))
    def scope_locations(self, obj):
        return self._scope(obj.locations.order_by("code"))

    @admin.display(description=_("categories in scope"))
    def scope_categories(self, obj):
        return self._scope(obj.categories.order_by("code"))


@admin.register(StocktakeLine)
class StocktakeLineAdmin(ReadOnlyAdmin):
    list_display = ["campaign", "tag", "name", "result", "verify_method", "counted_at"]
    list_filter = ["result", "kind"]
    search_fields = ["tag", "name", "scanned_code"]
    list_select_related = ["campaign"]


@admin.register(StocktakeScan)
class StocktakeScanAdmin(ReadOnlyAdmin):
    list_display = ["campaign", "tag", "answer", "scanned_by", "scanned_at", "received_at"]
    list_filter = ["answer"]
    search_fields = ["tag", "code"]
    list_select_related = ["campaign", "scanned_by"]


@admin.register(Difference)
class DifferenceAdmin(ReadOnlyAdmin):
    list_display = ["campaign", "kind", "state", "line", "responsible"]
    list_filter = ["kind", "state"]
    list_select_related = ["campaign", "line"]


# Reminders, notifications, the task outbox and the periodic schedule (issue 6).
from inventory.reminders import admin as _reminders_admin  # noqa: E402,F401
