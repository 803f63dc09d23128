"""Django admin of custody: check-outs and loans, and holders' confirmations. Both are history
(who held a card, when), read-only here; the one action, check-in, goes through the service and
only for those who may change (config/admin.py: actions need change permission). Imported by
`assets.admin`."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from assets import permissions
from assets.custody import services
from assets.errors import DomainError
from assets.models import CustodyRecord, HoldingConfirmation
from config.admin import CardRowsAdmin


@admin.register(CustodyRecord)
class CustodyRecordAdmin(CardRowsAdmin):
    list_display = (
        "asset",
        "kind",
        "state",
        "holder",
        "counterparty",
        "approval_ref",
        "due_on",
        "opened_at",
        "confirmed_at",
        "closed_at",
    )
    list_filter = ("state", "kind", "due_on", "opened_at")
    search_fields = (
        "asset__tag",
        "asset__name",
        "holder__username",
        "holder__display_name",
        "counterparty",
        "approval_ref",
    )
    list_select_related = ("asset", "holder")
    date_hierarchy = "opened_at"
    show_full_result_count = False
    actions = ("check_in_selected",)

    def has_change_permission(self, request, obj=None):
        # The list's check-in action (actions need change permission, config/admin.py); a
        # record itself is history and never edited, so its page stays read-only.
        return obj is None and permissions.is_admin(request.user)

    @admin.action(description=_("Check in the selected cards"), permissions=["change"])
    def check_in_selected(self, request, queryset):
        done, refused = 0, []
        for record in queryset.filter(state=CustodyRecord.State.OPEN).select_related("asset"):
            try:
                services.checkin_asset(asset=record.asset, actor=request.user)
            except (DomainError, ValidationError, PermissionDenied) as error:
                refused.append(f"{record.asset.tag}: {getattr(error, 'message', error)}")
            else:
                done += 1
        self.message_user(
            request,
            ngettext("%(count)s card checked in.", "%(count)s cards checked in.", done)
            % {"count": done},
            level=messages.SUCCESS,
        )
        for line in refused:
            self.message_user(request, line, level=messages.ERROR)


@admin.register(HoldingConfirmation)
class HoldingConfirmationAdmin(CardRowsAdmin):
    list_display = ("asset", "holder", "year", "campaign_id", "confirmed_at")
    list_filter = ("year",)
    search_fields = ("asset__tag", "asset__name", "holder__username", "holder__display_name")
    list_select_related = ("asset", "holder")
    show_full_result_count = False
