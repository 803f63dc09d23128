"""Authentication backends: local passwords (limited to break-glass accounts while single sign-on
is on), OIDC (mozilla-django-oidc, with the checks it leaves to its users) and CAS
(django-cas-ng's ticket validation). Both single sign-on backends end in
`services.sign_in_from_claims`, so the account rules are the same."""

from __future__ import annotations

import time
from urllib.parse import urljoin

import jwt
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from django.urls import reverse
from django_cas_ng.backends import CASBackend
from django_cas_ng.utils import get_cas_client
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
        claims = {**payload, **claims}
        return sign_in_from_claims(
            method="oidc",
            username=claims.get(settings.YIKA_OIDC_USERNAME_CLAIM),
            subject=payload.get("sub", ""),
            claims=claims,
            request=self.request,
        )


class YikaCASBackend(CASBackend):
    """A CAS service ticket, validated by django-cas-ng's client at the CAS server's
    `serviceValidate` (CAS 3: with the user's attributes), names the Yika user through the same
    rules as OIDC: the attributes are the claims (department code, groups for the role rules).
    A ticket the server does not confirm (reused, expired, another service's) is refused with a
    reason; django-cas-ng's own user creation and attribute copying are not used."""

    def authenticate(self, request, ticket, service):
        client = get_cas_client(service_url=service, request=request)
        username, attributes, _pgtiou = client.verify_ticket(ticket)
        if not username:
            raise SsoRefused("cas_ticket")
        return sign_in_from_claims(
            method="cas",
            username=username,
            subject=username,
            claims=attributes or {},
            request=request,
        )


def cas_logout_url(request) -> str:
    """The CAS server's logout, which ends the single sign-on session there and sends the browser
    back to Yika's sign-in page (the URL the CAS server knows Yika by, `CAS_ROOT_PROXIED_AS`,
    behind a proxy)."""
    login = reverse(settings.LOGIN_URL)
    if settings.CAS_ROOT_PROXIED_AS:
        back = urljoin(settings.CAS_ROOT_PROXIED_AS, login)
    else:
        back = request.build_absolute_uri(login)
    return get_cas_client(request=request).get_logout_url(back)
