"""Project-wide views: sign-in, sign-out, the user's own password, health check, error pages."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.db import connection
from django.http import HttpResponseRedirect, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_GET

from assets import credentials
from assets.accounts.backends import cas_logout_url
from assets.accounts.services import end_cas_session


class YikaLoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        # Single sign-on (issue 20): the unified identity platform's button when it is on.
        return {
            **super().get_context_data(**kwargs),
            "sso_oidc": settings.YIKA_OIDC_ENABLED,
            "sso_cas": settings.YIKA_CAS_ENABLED,
        }


class YikaLogoutView(auth_views.LogoutView):
    """Django's sign-out; a session signed in through CAS goes on to the CAS server's logout, so
    the single sign-on session there ends too (and other applications' with it). A password or
    OIDC sign-in ends here, on the sign-in page."""

    def post(self, request, *args, **kwargs):
        by_cas = settings.YIKA_CAS_ENABLED and end_cas_session(
            session_key=request.session.session_key
        )
        response = super().post(request, *args, **kwargs)
        if by_cas:
            return HttpResponseRedirect(cas_logout_url(request))
        return response


class OwnPasswordForm(auth_forms.PasswordChangeForm):
    """Saved through `credentials.change_password`: the user's API tokens and other sessions end."""

    def save(self, commit=True):
        self.user = credentials.change_password(
            actor=self.user,
            user=self.user,
            password=self.cleaned_data["new_password1"],
            request=getattr(self, "request", None),
        )
        return self.user


class YikaPasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change_form.html"
    form_class = OwnPasswordForm
    success_url = reverse_lazy("password_change")

    def form_valid(self, form):
        form.request = self.request  # the security log records the address
        form.save()
        # This browser stays signed in; every other session and every API token has ended.
        update_session_auth_hash(self.request, form.user)
        messages.success(
            self.request,
            _(
                "Your password has been changed. Your other sign-ins and your API tokens have "
                "been ended."
            ),
        )
        return redirect(self.get_success_url())


@never_cache
@require_GET
def healthz(request):
    """For the reverse proxy and process manager: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


# Error handlers (config/urls.py): JSON `{"detail", "code"}` under /api/, the site's pages elsewhere.


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def _api_error(detail: str, code: str, status: int) -> JsonResponse:
    return JsonResponse({"detail": detail, "code": code}, status=status)


def bad_request(request, exception=None):
    if _is_api(request):
        return _api_error(_("Bad request."), "bad_request", 400)
    return render(request, "400.html", {"status_code": 400}, status=400)


def permission_denied(request, exception=None):
    # A PermissionDenied raised with a message says why; Django's own carry none.
    reason = str(exception) if exception is not None and exception.args else ""
    if _is_api(request):
        detail = reason or _("You do not have permission to perform this action.")
        return _api_error(detail, "permission_denied", 403)
    return render(request, "403.html", {"status_code": 403, "reason": reason}, status=403)


def csrf_failure(request, reason=""):
    """A form posted without a valid CSRF token (an old tab, cookies off): say what to do."""
    message = _(
        "This form was open too long or your browser refused the site's cookie. Reload the "
        "page and submit it again."
    )
    if _is_api(request):
        return _api_error(message, "csrf_failed", 403)
    return render(request, "403.html", {"status_code": 403, "reason": message}, status=403)


def page_not_found(request, exception=None):
    if _is_api(request):
        return _api_error(_("Not found."), "not_found", 404)
    return render(request, "404.html", {"status_code": 404}, status=404)


@requires_csrf_token
def server_error(request):
    """No request context: the session, the user and the notification count are not read."""
    if _is_api(request):
        return _api_error(
            _("Server error. The error has been logged; try again in a moment."),
            "server_error",
            500,
        )
    return HttpResponseServerError(loader.get_template("500.html").render())
