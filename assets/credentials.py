"""Credentials: API tokens and passwords (SECURITY.md K and section 4, "Credentials that outlive
their reason").

A token is issued at each sign-in through `POST /api/v1/auth/token/` and ends when it is revoked
(`DELETE` of the same URL, or an administrator in the admin), when its user's password changes,
when the user is deactivated or moved to another department (`services.save_user`), and when it
has lain unused for `YIKA_TOKEN_IDLE_DAYS` days. Sessions are bound to the password hash and the
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
from django.utils import timezone

from assets import permissions
from assets.errors import NotInScope
from assets.models import ApiToken, User
from assets.security.services import Kind as SecurityKind
from assets.security.services import record_security_event

# `last_used_at` is written at most this often per token: a busy client costs one UPDATE a minute.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def idle_limit() -> timedelta:
    return timedelta(days=settings.YIKA_TOKEN_IDLE_DAYS)


@transaction.atomic
def issue_token(*, user: User, request=None) -> str:
    """A new token for `user` (the key, shown only now); the user's idle tokens are dropped."""
    ApiToken.objects.filter(user=user, last_used_at__lt=timezone.now() - idle_limit()).delete()
    key = secrets.token_hex(20)
    ApiToken.objects.create(user=user, digest=_digest(key), prefix=key[:8])
    record_security_event(
        kind=SecurityKind.TOKEN_CREATED, user=user, request=request, detail={"prefix": key[:8]}
    )
    return key


def token_for_key(key: str) -> ApiToken | None:
    """The live token with this key, its use recorded; None for an unknown, revoked or idle key.

    An idle token is deleted when it is presented. The use is one conditional UPDATE, skipped
    when the token was marked within the last minute.
    """
    token = ApiToken.objects.select_related("user").filter(digest=_digest(key)).first()
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at < now - idle_limit():
        ApiToken.objects.filter(pk=token.pk).delete()
        return None
    if token.last_used_at < now - LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk, last_used_at=token.last_used_at).update(
            last_used_at=now
        )
        token.last_used_at = now
    return token


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
