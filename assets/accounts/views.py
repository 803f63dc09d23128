"""The user's own account page (`/accounts/`): API tokens and two-factor sign-in, and the second
sign-in step after the password."""

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from assets import credentials, permissions
from assets.accounts import twofactor
from assets.accounts.forms import CodeForm, TokenForm
from assets.accounts.services import SsoRefused, end_sessions_signed_out_at_cas, move_cas_session
from assets.security.services import Kind as SecurityKind
from assets.security.services import record_security_event
from assets.security.signals import passed_second_step


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


def _renew_session_key(request) -> None:
    """A new session key once the second step is passed (no session fixation); a CAS sign-in's
    ticket moves with it, so the CAS server's single sign-out still ends this session."""
    old_key = request.session.session_key
    request.session.cycle_key()
    if old_key:
        move_cas_session(old_key=old_key, new_key=request.session.session_key)


# Sections other apps add to the account page (registered in their AppConfig.ready; assets
# imports no other app): each is called with the request and returns its template and context.
ACCOUNT_SECTIONS = []


def register_account_section(section) -> None:
    if section not in ACCOUNT_SECTIONS:
        ACCOUNT_SECTIONS.append(section)


def account_context(request, **extra):
    """What the account page shows (`assets/account.html`), for its own views and for the
    views of the sections other apps add to it."""
    user = request.user
    return {
        "account_sections": [section(request) for section in ACCOUNT_SECTIONS],
        "tokens": credentials.live_tokens(user=user),
        "token_form": TokenForm(),
        "token_days": settings.YIKA_TOKEN_DAYS,
        "two_factor_enrolled": twofactor.enrolled(user),
        "two_factor_required": twofactor.required_for(user),
        "recovery_codes_left": twofactor.recovery_codes_left(user),
        "roles": sorted(permissions.roles_of(user)),
        **extra,
    }


@method_decorator(never_cache, name="dispatch")
class AccountView(LoginRequiredMixin, View):
    """The signed-in user's page: their department and roles, password, two-factor sign-in and
    API tokens."""

    def get(self, request):
        return render(request, "assets/account.html", account_context(request))


@method_decorator(never_cache, name="dispatch")
class TokenCreateView(LoginRequiredMixin, View):
    def post(self, request):
        form = TokenForm(request.POST)
        if form.is_valid():
            try:
                token, key = credentials.create_token(
                    user=request.user,
                    name=form.cleaned_data["name"],
                    scope=form.cleaned_data["scope"],
                    expires_at=form.expires_at(),
                    request=request,
                )
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    form.add_error("expires_on" if field == "expires_at" else field, problems)
            else:
                # The key is on this answer only: it is not stored and never shown again.
                return render(
                    request, "assets/account_token_created.html", {"token": token, "key": key}
                )
        context = account_context(request, token_form=form)
        return render(request, "assets/account.html", context, status=400)


class TokenRevokeView(LoginRequiredMixin, View):
    def post(self, request, pk):
        token = credentials.live_tokens(user=request.user).filter(pk=pk).first()
        if token is None:
            raise Http404(_("No such token."))
        credentials.revoke_tokens(
            actor=request.user, user=request.user, token=token, request=request
        )
        messages.success(
            request,
            _("The token “%(name)s” has been revoked; clients using it are signed out.")
            % {"name": token.name or token.prefix},
        )
        return HttpResponseRedirect(reverse("accounts:account") + "#tokens")


@method_decorator(never_cache, name="dispatch")
class TwoFactorView(View):
    """The second sign-in step: a code from the app, or a recovery code."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return HttpResponseRedirect(reverse(settings.LOGIN_URL))
        if request.user.is_verified() or not twofactor.enrolled(request.user):
            return HttpResponseRedirect(_next_url(request))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self._page(request, CodeForm())

    def post(self, request):
        form = CodeForm(request.POST)
        if form.is_valid():
            device = twofactor.verify_code(
                user=request.user, code=form.cleaned_data["code"], request=request
            )
            if device is not None:
                _renew_session_key(request)
                django_otp.login(request, device)
                passed_second_step(request=request, user=request.user, device=device)
                return HttpResponseRedirect(_next_url(request))
            record_security_event(
                kind=SecurityKind.SIGN_IN_FAILED,
                user=request.user,
                request=request,
                detail={"method": "two_factor"},
            )
            form.add_error(
                "code",
                _(
                    "That code is wrong, expired or already used. Wait for the next code and try again."
                ),
            )
        return self._page(request, form, status=400)

    def _page(self, request, form, status=200):
        return render(
            request,
            "assets/two_factor_verify.html",
            {"form": form, "next": _next_url(request), "second_step_pending": True},
            status=status,
        )


@method_decorator(never_cache, name="dispatch")
class TwoFactorSetupView(View):
    """Enrol a TOTP app: scan the QR code, type one code, keep the recovery codes. Reached
    between the password and the first code by users whose role requires two-factor sign-in;
    replacing an app that is already set up needs a signed-in, verified session."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return HttpResponseRedirect(reverse(settings.LOGIN_URL))
        if twofactor.enrolled(request.user) and not request.user.is_verified():
            return HttpResponseRedirect(reverse("accounts:two-factor"))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        enrolment = twofactor.pending_enrolment(user=request.user)
        if enrolment is None or "restart" in request.GET:
            enrolment = twofactor.start_enrolment(user=request.user)
        return self._page(request, enrolment, CodeForm())

    def post(self, request):
        form = CodeForm(request.POST)
        if form.is_valid():
            try:
                device, codes = twofactor.confirm_enrolment(
                    user=request.user, code=form.cleaned_data["code"], request=request
                )
            except ValidationError as error:
                form.add_error("code", error.message_dict.get("code", error.messages))
            else:
                _renew_session_key(request)
                django_otp.login(request, device)
                passed_second_step(request=request, user=request.user, device=device)
                return render(
                    request,
                    "assets/two_factor_codes.html",
                    {"codes": codes, "enrolled_now": True, "next": _next_url(request)},
                )
        enrolment = twofactor.pending_enrolment(user=request.user)
        if enrolment is None:
            enrolment = twofactor.start_enrolment(user=request.user)
        return self._page(request, enrolment, form, status=400)

    def _page(self, request, enrolment, form, status=200):
        context = {
            "form": form,
            "secret": enrolment.secret,
            "next": _next_url(request),
            "required": twofactor.required_for(request.user),
            "replacing": twofactor.enrolled(request.user),
            "second_step_pending": not request.user.is_verified()
            and twofactor.second_step_due(request.user),
        }
        return render(request, "assets/two_factor_setup.html", context, status=status)


@never_cache
def two_factor_qr(request):
    """The pending secret's otpauth:// URL as an SVG QR code (for the setup page's image)."""
    if not request.user.is_authenticated:
        raise Http404()
    if twofactor.enrolled(request.user) and not request.user.is_verified():
        raise Http404()
    enrolment = twofactor.pending_enrolment(user=request.user)
    if enrolment is None:
        raise Http404()
    return HttpResponse(twofactor.qr_svg(enrolment.config_url), content_type="image/svg+xml")


class RecoveryCodesView(LoginRequiredMixin, View):
    """New recovery codes (the old ones stop working), shown once."""

    def post(self, request):
        try:
            codes = twofactor.new_recovery_codes(user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return HttpResponseRedirect(reverse("accounts:account"))
        return render(
            request,
            "assets/two_factor_codes.html",
            {"codes": codes, "enrolled_now": False, "next": reverse("accounts:account")},
        )


class TwoFactorRemoveView(LoginRequiredMixin, View):
    def post(self, request):
        try:
            twofactor.reset_two_factor(actor=request.user, user=request.user, request=request)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Two-factor sign-in is off for your account."))
        return HttpResponseRedirect(reverse("accounts:account"))


# ---------------------------------------------------------------------------- single sign-on


def sso_refused(request, reason: str, code: str = "", status: int = 403):
    """The page that says why a single sign-on was refused (nobody is signed in)."""
    record_security_event(
        kind=SecurityKind.SIGN_IN_FAILED,
        request=request,
        username=code if reason == "unknown_user" else "",
        detail={
            "method": "sso",
            "reason": reason,
            **({"department": code} if reason == "unknown_department" else {}),
        },
    )
    return render(
        request,
        "assets/sso_refused.html",
        {"reason": SsoRefused(reason, code).message},
        status=status,
    )


class OidcStartView(View):
    """Off unless `YIKA_OIDC_ENABLED`: then mozilla-django-oidc's authorization request."""

    def get(self, request):
        if not settings.YIKA_OIDC_ENABLED:
            raise Http404()
        from mozilla_django_oidc.views import OIDCAuthenticationRequestView

        return OIDCAuthenticationRequestView.as_view()(request)


class OidcCallbackView(View):
    """The provider's answer: a missing or foreign `state`, a provider error and every failed
    check of the ID token end on a page that says why, with nobody signed in."""

    def get(self, request):
        if not settings.YIKA_OIDC_ENABLED:
            raise Http404()
        import requests
        from mozilla_django_oidc.views import OIDCAuthenticationCallbackView

        states = request.session.get("oidc_states") or {}
        state = request.GET.get("state", "")
        if request.GET.get("error"):
            states.pop(state, None)
            request.session.modified = True
            return sso_refused(request, "provider_error")
        if not request.GET.get("code") or state not in states:
            return sso_refused(request, "state", status=400)
        try:
            response = OIDCAuthenticationCallbackView.as_view()(request)
        except SsoRefused as refusal:
            return sso_refused(request, refusal.reason, refusal.code)
        except (requests.RequestException, SuspiciousOperation, ValueError):
            return sso_refused(request, "provider_error", status=502)
        if not request.user.is_authenticated:
            return sso_refused(request, "provider_error")
        # The security log has the sign-in already (Django's user_logged_in, method "sso").
        return response


@method_decorator(csrf_exempt, name="dispatch")  # the CAS server's single sign-out POST
class CasLoginView(View):
    """Off unless `YIKA_CAS_ENABLED`. Without a ticket: django-cas-ng's redirect to the CAS
    server's login; with one (the server's answer): its validation, then the sign-in, landing on
    `next` when it is a page of this site (another site's is dropped: the default landing page).
    A ticket the server does not confirm, a server that cannot be reached and every account rule
    end on the page that says why, with nobody signed in.

    A POST is the CAS server's single sign-out (a SAML `logoutRequest`, sent server to server
    without a CSRF token, hence the exemption of this view alone): the sessions its ticket
    signed in end."""

    def get(self, request):
        if not settings.YIKA_CAS_ENABLED:
            raise Http404()
        from xml.etree.ElementTree import ParseError

        import requests
        from django_cas_ng.views import LoginView

        target = request.GET.get("next")
        if target is not None and _next_url(request) != target:
            # Not a page of this site: django-cas-ng would fail on it; land on the default page.
            request.GET = request.GET.copy()
            del request.GET["next"]
        try:
            return LoginView.as_view()(request)
        except SsoRefused as refusal:
            return sso_refused(request, refusal.reason, refusal.code)
        except (requests.RequestException, ParseError, SuspiciousOperation):
            return sso_refused(request, "provider_error", status=502)

    def post(self, request):
        if not settings.YIKA_CAS_ENABLED:
            raise Http404()
        logout_request = request.POST.get("logoutRequest", "")
        if not logout_request:
            return HttpResponseBadRequest("logoutRequest missing\n", content_type="text/plain")
        end_sessions_signed_out_at_cas(logout_request=logout_request, request=request)
        return HttpResponse("ok\n", content_type="text/plain")
