from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssetsConfig(AppConfig):
    name = "assets"
    verbose_name = _("Asset register")

    def ready(self):
        # attachments (evidence): the register's own subject kinds (asset, project, handover)
        from assets.attachments.subjects import register_builtin_subjects

        register_builtin_subjects()
        # Security log: sign-in, sign-in failure, lockout and sign-out events.
        from assets.security import signals

        signals.connect()
