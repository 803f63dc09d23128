from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "inventory"
    verbose_name = _("Stocktakes and reminders")

    def ready(self):
        # attachments (evidence): a stocktake difference (`difference:ID`) can carry files
        from inventory.attachments import register_difference_subject

        register_difference_subject()
