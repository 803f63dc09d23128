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


# ------------------------------------------------------------------ CAS sessions (single sign-out)
# django-cas-ng keeps, for each session a CAS ticket signed in, the ticket (`SessionTicket`): the
# CAS server's single sign-out names the ticket, and Yika's own sign-out needs to know whether to
# go on to the CAS server's.

SAML_PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol"


def _cas_key(session_key: str) -> str:
    from django_cas_ng.models import SESSION_KEY_MAXLENGTH

    return session_key[:SESSION_KEY_MAXLENGTH]  # django-cas-ng stores it cut to its column


@transaction.atomic
def end_cas_session(*, session_key: str | None) -> bool:
    """Forget the CAS ticket of a session Yika is signing out (the sign-out itself is Django's
    `logout`). Whether that session was signed in through CAS, so that the sign-out goes on to
    the CAS server's and ends the single sign-on session there too."""
    from django_cas_ng.models import ProxyGrantingTicket, SessionTicket

    if not session_key:
        return False
    key = _cas_key(session_key)
    ProxyGrantingTicket.objects.filter(session_key=key).delete()
    deleted, _rows = SessionTicket.objects.filter(session_key=key).delete()
    return deleted > 0


@transaction.atomic
def move_cas_session(*, old_key: str, new_key: str) -> None:
    """A session given a new key (at the second sign-in step) keeps its CAS ticket, so the CAS
    server's single sign-out still finds it."""
    from django_cas_ng.models import SessionTicket

    SessionTicket.objects.filter(session_key=_cas_key(old_key)).update(
        session_key=_cas_key(new_key)
    )


def _logout_request_tickets(logout_request: str) -> list[str]:
    """The service tickets a SAML `logoutRequest` names (its `samlp:SessionIndex`); none when it
    is not XML. defusedxml: the request comes unauthenticated, and entities are refused."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    try:
        root = fromstring(logout_request)
    except (ParseError, DefusedXmlException, ValueError):
        return []
    return [
        element.text.strip()
        for element in root.iter(f"{{{SAML_PROTOCOL}}}SessionIndex")
        if element.text and element.text.strip()
    ]


@transaction.atomic
def end_sessions_signed_out_at_cas(*, logout_request: str, request=None) -> int:
    """The CAS server's single sign-out: someone signed out there, and its SAML `logoutRequest`
    names the service tickets that signed them in here. End those Yika sessions, each a sign-out
    in the security log (method `cas_single_sign_out`, from the server's address). A ticket Yika
    does not know (its session ended already, another service's) is ignored. How many ended."""
    from importlib import import_module

    from django_cas_ng.models import ProxyGrantingTicket, SessionTicket
    from django_cas_ng.utils import get_user_from_session

    store = import_module(settings.SESSION_ENGINE).SessionStore
    ended = 0
    tickets = _logout_request_tickets(logout_request)
    for session_ticket in SessionTicket.objects.select_for_update().filter(ticket__in=tickets):
        session = store(session_key=session_ticket.session_key)
        user = get_user_from_session(session)
        session.delete()
        ProxyGrantingTicket.objects.filter(session_key=session_ticket.session_key).delete()
        session_ticket.delete()
        if user.is_authenticated:
            record_security_event(
                kind=SecurityKind.SIGN_OUT,
                user=user,
                request=request,
                detail={"method": "cas_single_sign_out"},
            )
            ended += 1
    return ended
