from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "inventory"
    verbose_name = _("Stocktakes and reminders")

    # register reports: this app's dashboard panels and open-work counters
    def ready(self):
        from inventory import dashboard

        dashboard.register()
