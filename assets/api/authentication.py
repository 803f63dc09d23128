"""`Authorization: Token <key>` against `assets.models.ApiToken` (stored as a digest, idle and
expired ones end; see `assets.credentials`). The token's scope is enforced here, for every API
view at once: a `read` token that tries a write, or a `scan` token that tries anything but a
read or a stocktake scan, is a 403 `token_scope`."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from assets import credentials


class TokenScopeRefused(exceptions.PermissionDenied):
    default_detail = _("This API token's scope does not allow this request.")
    default_code = "token_scope"


class ExpiringTokenAuthentication(TokenAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        answer = super().authenticate(request)
        if answer is None:
            return None
        user, token = answer
        match = getattr(request._request, "resolver_match", None)
        route = match.url_name if match is not None else None
        if not credentials.scope_allows(token=token, method=request.method, route=route):
            raise TokenScopeRefused()
        return user, token

    def authenticate_credentials(self, key):
        token = credentials.token_for_key(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid, revoked or expired token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return (token.user, token)
