from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssetsConfig(AppConfig):
    name = "assets"
    verbose_name = _("Asset register")

    def ready(self):
        # Security log: sign-in, sign-in failure, lockout and sign-out events.
        from assets.security import signals

        signals.connect()
