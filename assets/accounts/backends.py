"""Authentication backends: local passwords (limited to break-glass accounts while single sign-on
is on) and OIDC (mozilla-django-oidc, with the checks it leaves to its users)."""

from __future__ import annotations

import time

import jwt
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from assets.accounts.services import SsoRefused, sign_in_from_claims


def local_login_allowed(user) -> bool:
    """Whether `user` may sign in with a password: everyone unless `YIKA_LOCAL_LOGIN_USERS`
    names the break-glass accounts (set it when single sign-on is on)."""
    allowed = settings.YIKA_LOCAL_LOGIN_USERS
    return "*" in allowed or user.get_username() in allowed


class LocalPasswordBackend(ModelBackend):
    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and local_login_allowed(user)


class YikaOIDCBackend(OIDCAuthenticationBackend):
    """The authorization-code flow of mozilla-django-oidc (signature by the provider's JWKS,
    nonce, PKCE), plus what it does not check itself: the ID token's audience is Yika, its issuer
    is the configured one, it has not expired, and the user information describes the same
    subject. The claims then name the Yika user (`services.sign_in_from_claims`)."""

    def verify_token(self, token, **kwargs):
        try:
            payload = super().verify_token(token, **kwargs)
        except jwt.ExpiredSignatureError:
            raise SsoRefused("id_token_expired") from None
        except (SuspiciousOperation, jwt.InvalidTokenError):
            raise SsoRefused("id_token_invalid") from None
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SsoRefused("wrong_audience")
        if len(audiences) > 1 and payload.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise SsoRefused("wrong_audience")
        issuer = settings.YIKA_OIDC_ISSUER
        if issuer and payload.get("iss") != issuer:
            raise SsoRefused("wrong_issuer")
        expires = payload.get("exp")
        if not isinstance(expires, int | float):
            raise SsoRefused("id_token_invalid")
        if expires < time.time():
            raise SsoRefused("id_token_expired")
        return payload

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        if claims.get("sub") != payload.get("sub"):
            raise SsoRefused("subject_mismatch")
        return sign_in_from_claims(claims={**payload, **claims})
