"""Single sign-on's mapping rules (issue 20): which claim of the identity provider gives which role."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SsoRoleRule(models.Model):
    """When a user signs in through single sign-on (统一身份认证) and the provider's claim `claim`
    holds `value` (or a list holding it), the user has `role`. An administrator edits the rules;
    a user's roles are set from them at each such sign-in."""

    claim = models.CharField(
        _("claim"),
        max_length=64,
        default="groups",
        help_text=_("The name of the claim the identity provider sends, e.g. groups."),
    )
    value = models.CharField(_("value"), max_length=128, help_text=_("e.g. zcgl"))
    # One of `assets.permissions.ROLES`, checked by the admin's form (the roles live with the
    # permissions, which import the models).
    role = models.CharField(_("role"), max_length=16)

    class Meta:
        ordering = ["claim", "value", "role"]
        verbose_name = _("single sign-on role rule")
        verbose_name_plural = _("single sign-on role rules")
        constraints = [
            models.UniqueConstraint(fields=["claim", "value", "role"], name="sso_role_rule_unique"),
        ]

    def __str__(self):
        return f"{self.claim} = {self.value} → {self.role}"


class SsoIdentity(models.Model):
    """A Yika account's link to the identity that signed it in through one single sign-on
    method (OIDC or CAS), written at the first such sign-in. Its existence is what tells a first
    sign-in (the account created or linked, both in the security log) from the next ones."""

    class Method(models.TextChoices):
        OIDC = "oidc", "OIDC"
        CAS = "cas", "CAS"

    user = models.ForeignKey(
        "assets.User",
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="sso_identities",
    )
    method = models.CharField(_("method"), max_length=8, choices=Method.choices)
    # The provider's subject (OIDC `sub`, CAS user name) at the first sign-in.
    subject = models.CharField(_("identity at the provider"), max_length=255)
    linked_at = models.DateTimeField(_("linked at"), auto_now_add=True)

    class Meta:
        ordering = ["user", "method"]
        verbose_name = _("single sign-on identity")
        verbose_name_plural = _("single sign-on identities")
        constraints = [
            models.UniqueConstraint(fields=["user", "method"], name="sso_identity_once_per_method"),
        ]

    def __str__(self):
        return f"{self.user_id} {self.method} {self.subject}"
