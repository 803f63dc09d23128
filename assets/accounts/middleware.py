"""The second sign-in step, everywhere a session reaches: pages, the Django admin and the API
when it is called with the session (`assets.accounts.twofactor`)."""

from urllib.parse import urlencode

from django.http import HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from assets.accounts import twofactor

# Reachable between the password and the code: the second step itself, signing out, the
# language switch and what pages load.
OPEN_PREFIXES = ("/accounts/two-factor/", "/accounts/logout/", "/i18n/", "/static/", "/healthz")


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not request.path.startswith(OPEN_PREFIXES)
            and twofactor.second_step_due(user)
        ):
            if request.path.startswith("/api/"):
                if request.META.get("HTTP_AUTHORIZATION", "").startswith("Token "):
                    # A token was issued after its own second step; the token decides (a bad
                    # one is a 401, never a fall-back to this session).
                    return self.get_response(request)
                return JsonResponse(
                    {
                        "detail": _("Finish signing in with your two-factor code first."),
                        "code": "two_factor_required",
                    },
                    status=403,
                )
            name = (
                "accounts:two-factor" if twofactor.enrolled(user) else "accounts:two-factor-setup"
            )
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse(name)}?{query}")
        return self.get_response(request)
