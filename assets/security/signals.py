"""Sign-in events from Django's and django-axes' signals, connected in `AssetsConfig.ready`.

Django sends `user_logged_in` / `user_logged_out` from `login()` / `logout()` (the sign-in page,
the admin's) and `user_login_failed` from `authenticate()` (the page and `POST
/api/v1/auth/token/`); django-axes sends `user_locked_out` when a username + address reaches the
failure limit. Each handler is one INSERT.
"""

from __future__ import annotations

from assets.security.services import Kind, record_security_event


def _method(request) -> str:
    path = getattr(request, "path", "") or ""
    if path.startswith("/api/"):
        return "api_token"
    if path.startswith("/admin/"):
        return "admin_password"
    if path.startswith("/accounts/sso/"):
        return "sso"
    return "password"


# The first step's method, kept in the session until the second step is passed.
FIRST_STEP_KEY = "yika_sign_in_method"


def signed_in(sender, request, user, **kwargs):
    method = _method(request)
    session = getattr(request, "session", None)
    if method != "api_token" and session is not None and _second_step_due(user):
        # Not signed in yet: the sign-in is written once, when the second step passes.
        session[FIRST_STEP_KEY] = method
        return
    record_security_event(kind=Kind.SIGN_IN, user=user, request=request, detail={"method": method})


def _second_step_due(user) -> bool:
    from assets.accounts import twofactor  # it writes this log: imported late, no cycle

    return twofactor.second_step_due(user)


def passed_second_step(*, request, user, device) -> None:
    """The sign-in, written once the second factor is accepted: the first step's method and
    the second factor (an authenticator app's code or a recovery code)."""
    from django_otp.plugins.otp_static.models import StaticDevice

    method = request.session.pop(FIRST_STEP_KEY, "password")
    second = "recovery_code" if isinstance(device, StaticDevice) else "totp"
    record_security_event(
        kind=Kind.SIGN_IN,
        user=user,
        request=request,
        detail={"method": method, "second_factor": second},
    )


def sign_in_failed(sender, credentials, request=None, **kwargs):
    username = str((credentials or {}).get("username", ""))
    record_security_event(
        kind=Kind.SIGN_IN_FAILED,
        request=request,
        username=username,
        detail={"method": _method(request)},
    )


def signed_out(sender, request, user, **kwargs):
    if user is None:  # signing out without a session
        return
    record_security_event(kind=Kind.SIGN_OUT, user=user, request=request)


def locked_out(sender, request, username, ip_address, **kwargs):
    record_security_event(
        kind=Kind.LOCKOUT,
        request=request,
        username=str(username or ""),
        detail={"method": _method(request)},
    )


def connect() -> None:
    from axes.signals import user_locked_out
    from django.contrib.auth import signals

    signals.user_logged_in.connect(signed_in, dispatch_uid="yika_security_sign_in")
    signals.user_login_failed.connect(sign_in_failed, dispatch_uid="yika_security_sign_in_failed")
    signals.user_logged_out.connect(signed_out, dispatch_uid="yika_security_sign_out")
    user_locked_out.connect(locked_out, dispatch_uid="yika_security_lockout")
