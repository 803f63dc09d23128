"""Single sign-on: who a verified identity is in Yika (department by code, roles by the
administrators' rules), and the refusals a sign-in page explains."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from assets import permissions, services
from assets.models import Department, SsoIdentity, SsoRoleRule, User
from assets.security.services import Kind as SecurityKind
from assets.security.services import record_security_event

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
    "cas_ticket": _(
        "The CAS server did not confirm this sign-in ticket: it was used already, it has "
        "expired, or it was issued for another application. Start again from the sign-in page."
    ),
}

# The claim (OIDC) or attribute (CAS) that carries the department code, per method.
DEPARTMENT_CLAIM_SETTING = {
    SsoIdentity.Method.OIDC: "YIKA_OIDC_DEPARTMENT_CLAIM",
    SsoIdentity.Method.CAS: "YIKA_CAS_DEPARTMENT_ATTRIBUTE",
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
def sign_in_from_claims(
    *, method: str, username: str, subject: str, claims: dict, request=None
) -> User:
    """The Yika user a verified identity names (`username`; `subject` is the provider's own id,
    OIDC `sub` or the CAS user), brought up to date from its claims or CAS attributes:
    department by code, roles from the rules, created at first sign-in when
    `YIKA_SSO_CREATE_USERS` is on. A changed department ends the user's tokens and other
    sessions, as a move by an administrator does (`services.save_user`). The first sign-in by
    `method` links the account (`SsoIdentity`); creating or linking goes to the security log."""
    username = str(username or "").strip()
    if not username:
        raise SsoRefused("unknown_user", "")
    code = str(claims.get(getattr(settings, DEPARTMENT_CLAIM_SETTING[method])) or "").strip()
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
    detail = {"method": method, "subject": str(subject)[:255]}
    if user is None:
        if not settings.YIKA_SSO_CREATE_USERS:
            raise SsoRefused("unknown_user", username)
        user = User(username=username, **{k: v for k, v in fields.items() if k != "roles"})
        user.set_unusable_password()  # signs in through the provider only
        user.save()
        user.groups.set(Group.objects.filter(name__in=roles))
        SsoIdentity.objects.create(user=user, method=method, subject=detail["subject"])
        record_security_event(
            kind=SecurityKind.ACCOUNT_CREATED,
            user=user,
            request=request,
            detail={**detail, "department": code, "roles": sorted(roles)},
        )
        return user
    if not user.is_active:
        raise SsoRefused("inactive")
    _identity, linked = SsoIdentity.objects.get_or_create(
        user=user, method=method, defaults={"subject": detail["subject"]}
    )
    if linked:
        record_security_event(
            kind=SecurityKind.SSO_LINKED, user=user, request=request, detail=detail
        )
    # A changed department ends the user's tokens and other sessions in save_user, which logs
    # role and department changes.
    return services.save_user(actor=permissions.SYSTEM, user=user, fields=fields, request=request)
