"""The security log (等保 audit trail): who signed in, failed, was locked out, signed out, got or
lost a token, changed roles or departments, exported what, and changed what in the admin.

Imported at the bottom of `assets.models`, so the model belongs to the `assets` app: `assets`
owns users and permissions, and every app (labels, inventory) may import `assets`, so each of
them writes its exports here with one call (`assets.security.services.record_security_event`).

Append-only in the database (migration `0009_security_log`): UPDATE is refused always; DELETE
only of rows older than the retention period, which the trigger itself checks
(`purge_expired_events`, run daily by beat, is the only code that deletes).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SecurityEvent(models.Model):
    class Kind(models.TextChoices):
        SIGN_IN = "sign_in", _("Signed in")
        SIGN_IN_FAILED = "sign_in_failed", _("Sign-in failed")
        LOCKOUT = "lockout", _("Locked out")
        SIGN_OUT = "sign_out", _("Signed out")
        PASSWORD_CHANGED = "password_changed", _("Password changed")
        TOKEN_CREATED = "token_created", _("API token issued")
        TOKEN_REVOKED = "token_revoked", _("API token revoked")
        ROLE_CHANGED = "role_changed", _("Roles changed")
        DEPARTMENT_CHANGED = "department_changed", _("Department changed")
        ACCOUNT_DISABLED = "account_disabled", _("Account deactivated")
        EXPORT = "export", _("Export or download")
        ADMIN_CHANGE = "admin_change", _("Administration change")
        TWO_FACTOR_ENABLED = "two_factor_enabled", _("Two-factor sign-in turned on")
        TWO_FACTOR_RESET = "two_factor_reset", _("Two-factor sign-in removed")
        TOKEN_FIRST_USED = "token_first_used", _("API token first used")
        RECOVERY_CODE_USED = "recovery_code_used", _("Recovery code used")
        ACCOUNT_CREATED = "account_created", _("Account created at single sign-on")
        SSO_LINKED = "sso_linked", _("Account linked to single sign-on")

    at = models.DateTimeField(_("time"), default=timezone.now, editable=False)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="security_events",
    )
    # The name typed at a failed sign-in (it may match no account), else the user's username.
    username = models.CharField(_("username"), max_length=150, blank=True)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("security event")
        verbose_name_plural = _("security log")
        indexes = [
            models.Index(fields=["at"], name="security_event_at"),
            models.Index(fields=["kind", "at"], name="security_event_kind_at"),
            models.Index(fields=["username", "at"], name="security_event_user_at"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} {self.username}"
