from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LabelsConfig(AppConfig):
    name = "labels"
    verbose_name = _("Labels")

    # register reports: this app's dashboard panels and open-work counters
    def ready(self):
        from labels import dashboard

        dashboard.register()
