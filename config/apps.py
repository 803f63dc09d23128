"""App configs that give third-party apps a name their readers understand (the admin index)."""

from axes.apps import AppConfig as AxesAppConfig
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


class AxesConfig(AxesAppConfig):
    """django-axes has no verbose name: its admin section would read "Axes"."""

    verbose_name = _("Sign-in protection")


# Names of third-party apps and models shown on the admin index, translated by our catalogue
# (locale/) so they neither fall back to English nor to a library's wording. Listed here so
# makemessages keeps them in locale/.
THIRD_PARTY_NAMES = (
    # django-celery-beat's admin sections
    gettext_noop("Schedule"),
    gettext_noop("Arguments"),
    gettext_noop("Execution Options"),
    gettext_noop("Periodic Tasks"),
    gettext_noop("periodic task"),
    gettext_noop("periodic tasks"),
    gettext_noop("clocked"),
    gettext_noop("crontab"),
    gettext_noop("crontabs"),
    gettext_noop("interval"),
    gettext_noop("intervals"),
    gettext_noop("solar event"),
    gettext_noop("solar events"),
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
)


class YikaAdminConfig(AdminConfig):
    """`django.contrib.admin` with Yika's site as `admin.site` (config/admin.py)."""

    default_site = "config.admin.YikaAdminSite"

    def ready(self):
        super().ready()
        # Two-factor sign-in (issue 20): django-otp's device admins show the secrets; an
        # administrator resets a user's two-factor sign-in from the accounts list instead.
        from django.contrib import admin
        from django_otp.plugins.otp_static.models import StaticDevice
        from django_otp.plugins.otp_totp.models import TOTPDevice

        for model in (TOTPDevice, StaticDevice):
            if admin.site.is_registered(model):
                admin.site.unregister(model)
