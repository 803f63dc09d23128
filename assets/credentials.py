"""Credentials: API tokens and passwords (SECURITY.md K and section 4, "Credentials that outlive
their reason").

A token is issued at each sign-in through `POST /api/v1/auth/token/` (scope `full`, the default
expiry), or named, scoped and dated from the account page and `/api/v1/tokens/`. It ends when it
expires, when it is revoked (`DELETE` of the same URL or of `/api/v1/tokens/{id}/`, the account
page, or an administrator in the admin), when its user's password changes, when the user is
deactivated or moved to another department (`services.save_user`), and when it has lain unused for `YIKA_TOKEN_IDLE_DAYS` days. Sessions are bound to the password hash and the
department (`User._get_session_auth_hash`), so the same changes end the user's other sessions on
their next request; the session that changed its own password is kept by the caller
(`update_session_auth_hash`).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from assets import permissions
from assets.errors import NotInScope
from assets.models import ApiToken, User
from assets.security.services import Kind as SecurityKind
from assets.security.services import record_security_event

# `last_used_at` is written at most this often per token: a busy client costs one UPDATE a minute.
LAST_USED_RESOLUTION = timedelta(minutes=1)
Scope = ApiToken.Scope
# The URL names a `scan` token may POST to besides reading (the stocktake scan endpoint), and the
# ones every token may use whatever its scope (revoking itself).
SCAN_ROUTES = frozenset({"stocktake-scans"})
ANY_SCOPE_ROUTES = frozenset({"api-token"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def idle_limit() -> timedelta:
    return timedelta(days=settings.YIKA_TOKEN_IDLE_DAYS)


def default_expiry(now=None):
    return (now or timezone.now()) + timedelta(days=settings.YIKA_TOKEN_DAYS)


def latest_expiry(now=None):
    return (now or timezone.now()) + timedelta(days=settings.YIKA_TOKEN_MAX_DAYS)


def _drop_dead_tokens(user: User, now) -> None:
    idle_since = now - idle_limit()
    ApiToken.objects.filter(user=user).filter(
        Q(expires_at__lte=now)
        | Q(last_used_at__lt=idle_since)
        | Q(last_used_at__isnull=True, created_at__lt=idle_since)
    ).delete()


def issue_token(*, user: User, request=None) -> str:
    """A new `full` token with the default expiry for `user` (`POST /api/v1/auth/token/`): the
    key, shown only now."""
    return create_token(user=user, request=request)[1]


@transaction.atomic
def create_token(
    *, user: User, name: str = "", scope: str = Scope.FULL, expires_at=None, request=None
) -> tuple[ApiToken, str]:
    """A new token for `user` and its key (shown only now); the user's expired and idle tokens
    are dropped. Without `expires_at` it lasts `YIKA_TOKEN_DAYS`; never past
    `YIKA_TOKEN_MAX_DAYS`."""
    now = timezone.now()
    if scope not in Scope.values:
        raise ValidationError({"scope": _("Choose read, scan or full.")})
    if expires_at is None:
        expires_at = default_expiry(now)
    if expires_at <= now:
        raise ValidationError({"expires_at": _("The expiry must be in the future.")})
    if expires_at > latest_expiry(now):
        raise ValidationError(
            {
                "expires_at": _("A token lasts at most %(days)s days.")
                % {"days": settings.YIKA_TOKEN_MAX_DAYS}
            }
        )
    _drop_dead_tokens(user, now)
    key = secrets.token_hex(20)
    token = ApiToken.objects.create(
        user=user,
        digest=_digest(key),
        prefix=key[:8],
        name=name.strip(),
        scope=scope,
        created_at=now,
        expires_at=expires_at,
    )
    record_security_event(
        kind=SecurityKind.TOKEN_CREATED,
        user=user,
        request=request,
        detail={"prefix": key[:8], "name": token.name, "scope": token.scope},
    )
    return token, key


def live_tokens(*, user: User):
    """`user`'s tokens that still work, newest first (the account page and `/api/v1/tokens/`)."""
    now = timezone.now()
    idle_since = now - idle_limit()
    return (
        ApiToken.objects.filter(user=user, expires_at__gt=now)
        .filter(
            Q(last_used_at__gte=idle_since)
            | Q(last_used_at__isnull=True, created_at__gte=idle_since)
        )
        .order_by("-created_at", "-id")
    )


def token_for_key(key: str, *, request=None) -> ApiToken | None:
    """The live token with this key, its use recorded; None for an unknown, revoked, expired or
    idle key.

    An expired or idle token is deleted when it is presented. The use is one conditional UPDATE,
    skipped when the token was marked within the last minute.
    """
    token = ApiToken.objects.select_related("user").filter(digest=_digest(key)).first()
    if token is None:
        return None
    now = timezone.now()
    if token.expires_at <= now or (token.last_used_at or token.created_at) < now - idle_limit():
        ApiToken.objects.filter(pk=token.pk).delete()
        return None
    if token.last_used_at is None:
        marked = ApiToken.objects.filter(pk=token.pk, last_used_at__isnull=True).update(
            last_used_at=now
        )
        token.last_used_at = now
        if marked:  # only the request whose UPDATE marked the row: logged once per token
            record_security_event(
                kind=SecurityKind.TOKEN_FIRST_USED,
                user=token.user,
                request=request,
                detail={"prefix": token.prefix},
            )
    elif token.last_used_at < now - LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk, last_used_at=token.last_used_at).update(
            last_used_at=now
        )
        token.last_used_at = now
    return token


def scope_allows(*, token: ApiToken, method: str, route: str | None) -> bool:
    """The one rule for what a token's scope lets through: `read` safe methods only, `scan` also
    the stocktake scan endpoint, `full` all its user may (the views' own checks still apply)."""
    if token.scope == Scope.FULL or method.upper() in SAFE_METHODS or route in ANY_SCOPE_ROUTES:
        return True
    return token.scope == Scope.SCAN and route in SCAN_ROUTES


def _may_manage(actor, user: User) -> bool:
    return actor is not None and (actor.pk == user.pk or permissions.is_admin(actor))


def end_tokens(*, user: User, request=None, reason: str = "") -> int:
    """Delete every token of `user`; for the services that end a user's access (password change,
    deactivation, department move), inside their transaction."""
    deleted, _detail = ApiToken.objects.filter(user=user).delete()
    if deleted:
        record_security_event(
            kind=SecurityKind.TOKEN_REVOKED,
            user=user,
            request=request,
            detail={"tokens": deleted, **({"reason": reason} if reason else {})},
        )
    return deleted


@transaction.atomic
def revoke_tokens(*, actor, user: User, token: ApiToken | None = None, request=None) -> int:
    """End one token of `user`, or all of them. A user ends their own; admins anyone's."""
    if not _may_manage(actor, user):
        raise NotInScope()
    if token is None:
        return end_tokens(user=user, request=request, reason="revoked")
    deleted, _detail = ApiToken.objects.filter(user=user, pk=token.pk).delete()
    if deleted:
        record_security_event(
            kind=SecurityKind.TOKEN_REVOKED,
            user=user,
            request=request,
            detail={"tokens": deleted, "prefix": token.prefix, "by": actor.username},
        )
    return deleted


@transaction.atomic
def change_password(*, actor, user: User, password: str | None, request=None) -> User:
    """Set `user`'s password (None: password sign-in disabled), ending their tokens and their
    other sessions. A user changes their own; admins anyone's."""
    if not _may_manage(actor, user):
        raise NotInScope()
    user = User.objects.select_for_update().get(pk=user.pk)
    if password is None:
        user.set_unusable_password()
    else:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from None
        user.set_password(password)
    user.save(update_fields=["password"])
    record_security_event(
        kind=SecurityKind.PASSWORD_CHANGED,
        user=user,
        request=request,
        detail={"by": getattr(actor, "username", ""), "disabled": password is None},
    )
    end_tokens(user=user, request=request, reason="password_changed")
    return user
