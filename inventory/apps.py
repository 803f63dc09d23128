from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "inventory"
    verbose_name = _("Stocktakes and reminders")

    def ready(self):
        # The card's timeline (assets) names campaigns and says inventory's notes; assets
        # imports no other app, so inventory hands them over here.
        from assets import history
        from inventory.services.campaigns import NOTE_MESSAGES

        history.register_notes(NOTE_MESSAGES, names_campaign=True)
        history.register_campaign_names(_campaign_names)
        # A disposal case the posting of shortages opens says its reason in its reader's language.
        from assets.disposals.models import register_reasons
        from inventory.services.differences import REASON_FOUND, found_reason

        register_reasons({REASON_FOUND: found_reason})
        # A handover's submit and decision reach the inbox of who acts next.
        from assets.handovers.services import register_handover_listener
        from inventory.reminders.jobs import notify_handover_step

        register_handover_listener(notify_handover_step)
        # A card handed over to another unit while uncounted leaves the sender's active count.
        from inventory.services.handed_over import leave_counts_when_handed_over

        register_handover_listener(leave_counts_when_handed_over)
        # A holder's "I still hold these" shows in the active campaigns counting the card.
        from assets.custody.services import register_holding_listener
        from inventory.services.holders import record_holder_confirmations

        register_holding_listener(record_holder_confirmations)
        # A deactivated user's cards reach the clerks who reassign them.
        from assets.custody.services import register_leaver_listener
        from inventory.reminders.jobs import notify_leaver

        register_leaver_listener(notify_leaver)
        # A fault report reaches the card's clerks' inbox.
        from assets.maintenance.services import register_fault_listener
        from inventory.reminders.jobs import notify_fault_reported

        register_fault_listener(notify_fault_reported)
        # attachments (evidence): a stocktake difference (`difference:ID`) can carry files
        from inventory.attachments import register_difference_subject

        register_difference_subject()
        # register reports: this app's dashboard panels and open-work counters
        from inventory import dashboard

        dashboard.register()
        # The account page's section where users choose how reminders reach them.
        from assets.accounts.views import register_account_section
        from inventory.reminders.views import reminder_choice_section

        register_account_section(reminder_choice_section)


def _campaign_names(ids) -> dict:
    from inventory.models import StocktakeCampaign

    return dict(StocktakeCampaign.objects.filter(pk__in=ids).values_list("pk", "name"))
