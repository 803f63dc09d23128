"""Django admin of upkeep: repair records and maintenance contracts, read by admins and
auditors. They change on the card's pages and the API, through `assets.maintenance.services`
(a repair moves the card into and out of `under_repair`; a contract's cards are checked against
the actor's scope), so nothing is edited here. Imported by `assets.admin`."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from assets import permissions
from assets.models import MaintenanceContract, RepairRecord
from config.admin import CardRowsAdmin, ReadOnlyAdmin


class UnderWayFilter(admin.SimpleListFilter):
    title = _("repair state")
    parameter_name = "under_way"

    def lookups(self, request, model_admin):
        return (("yes", _("Under way")), ("no", _("Not under way")))

    def queryset(self, request, queryset):
        under_way = {"started_on__isnull": False, "finished_on__isnull": True}
        if self.value() == "yes":
            return queryset.filter(**under_way)
        if self.value() == "no":
            return queryset.exclude(**under_way)
        return queryset


@admin.register(RepairRecord)
class RepairRecordAdmin(CardRowsAdmin):
    list_display = (
        "asset",
        "reported_on",
        "fault",
        "vendor",
        "cost",
        "started_on",
        "finished_on",
        "reported_by",
    )
    list_filter = (UnderWayFilter, "reported_on", "finished_on")
    search_fields = ("asset__tag", "asset__name", "vendor", "fault", "outcome")
    list_select_related = ("asset", "reported_by")
    date_hierarchy = "reported_on"
    show_full_result_count = False


@admin.register(MaintenanceContract)
class MaintenanceContractAdmin(ReadOnlyAdmin):
    list_display = ("number", "vendor", "department", "starts_on", "ends_on", "covered")
    list_filter = ("ends_on", "department")
    search_fields = ("number", "vendor", "assets__tag")
    list_select_related = ("department",)
    date_hierarchy = "ends_on"

    def get_queryset(self, request):
        return permissions.visible_contracts(request.user, super().get_queryset(request))

    def get_search_results(self, request, queryset, search_term):
        # A tag matches through the covered cards: one contract once, however many match.
        queryset, _duplicates = super().get_search_results(request, queryset, search_term)
        return queryset.distinct(), False

    @admin.display(description=_("assets covered"))
    def covered(self, obj):
        return obj.assets.count()
