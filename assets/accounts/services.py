"""Single sign-on: who a verified identity is in Yika (department by code, roles by the
administrators' rules), and the refusals a sign-in page explains."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from assets import permissions, services
from assets.models import Department, SsoRoleRule, User

# Why a single sign-on was refused, as the refusal page words it.
REFUSALS = {
    "provider_error": _("The identity provider did not sign you in."),
    "state": _(
        "This sign-in answer is not the one this browser is waiting for: it was used already, "
        "or it comes from another browser or tab. Start again from the sign-in page."
    ),
    "id_token_invalid": _(
        "The identity provider's answer failed its signature check, so it may have been altered "
        "on the way. Nobody was signed in."
    ),
    "id_token_expired": _("The identity provider's answer has expired. Start again."),
    "wrong_audience": _(
        "The identity provider's answer was issued for another application, not for Yika."
    ),
    "wrong_issuer": _("The answer does not come from the identity provider Yika trusts."),
    "subject_mismatch": _("The identity provider described a different person than it signed in."),
    "unknown_department": _(
        "Your department code “%(code)s” from the identity provider is not a department in Yika. "
        "Ask an administrator to add it or correct it at the provider."
    ),
    "no_department": _("The identity provider sent no department for you."),
    "unknown_user": _(
        "There is no Yika account “%(code)s”, and accounts are not created at first sign-in. "
        "Ask an administrator for one."
    ),
    "no_role": _(
        "None of your groups at the identity provider gives a role in Yika. Ask an administrator "
        "to map your group to a role."
    ),
    "inactive": _("Your Yika account is disabled."),
}


class SsoRefused(Exception):
    """A single sign-on refused for `reason` (a key of `REFUSALS`), with the code it names."""

    def __init__(self, reason: str, code: str = ""):
        self.reason, self.code = reason, code
        super().__init__(reason)

    @property
    def message(self) -> str:
        return str(REFUSALS[self.reason]) % {"code": self.code}


def _claim_values(claims: dict, name: str) -> set[str]:
    value = claims.get(name)
    if value is None:
        return set()
    if isinstance(value, list | tuple):
        return {str(item) for item in value}
    return {str(value)}


def roles_from_claims(claims: dict) -> set[str]:
    """The roles the administrators' rules give these claims."""
    roles = set()
    for rule in SsoRoleRule.objects.all():
        if rule.value in _claim_values(claims, rule.claim) and rule.role in permissions.ROLES:
            roles.add(rule.role)
    return roles


@transaction.atomic
def sign_in_from_claims(*, claims: dict) -> User:
    """The Yika user these verified claims name, brought up to date: department from the
    department claim (by code), roles from the rules, created at first sign-in when
    `YIKA_SSO_CREATE_USERS` is on. A changed department ends the user's tokens and other
    sessions, as a move by an administrator does (`services.save_user`)."""
    username = str(claims.get(settings.YIKA_OIDC_USERNAME_CLAIM) or "").strip()
    if not username:
        raise SsoRefused("unknown_user", "")
    code = str(claims.get(settings.YIKA_OIDC_DEPARTMENT_CLAIM) or "").strip()
    if not code:
        raise SsoRefused("no_department")
    department = Department.objects.filter(code=code, is_active=True).first()
    if department is None:
        raise SsoRefused("unknown_department", code)
    roles = roles_from_claims(claims)
    if not roles:
        raise SsoRefused("no_role")
    user = User.objects.select_for_update().filter(username=username).first()
    fields = {"department": department, "roles": sorted(roles)}
    email = str(claims.get("email") or "").strip()
    if email:
        fields["email"] = email
    name = str(claims.get("name") or "").strip()
    if name:
        fields["display_name"] = name[:80]
    if user is None:
        if not settings.YIKA_SSO_CREATE_USERS:
            raise SsoRefused("unknown_user", username)
        user = User(username=username, **{k: v for k, v in fields.items() if k != "roles"})
        user.set_unusable_password()  # signs in through the provider only
        user.save()
        user.groups.set(Group.objects.filter(name__in=roles))
        # security log: account created at first single sign-on (user, department, roles).
        return user
    if not user.is_active:
        raise SsoRefused("inactive")
    # A changed department ends the user's tokens and other sessions in save_user.
    # security log: role or department change from single sign-on (before, after) when changed.
    return services.save_user(actor=permissions.SYSTEM, user=user, fields=fields)
