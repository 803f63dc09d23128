"""Two-factor sign-in: a TOTP app (django-otp's TOTP device) and one-time recovery codes
(django-otp's static device), issue 20 "Two-factor sign-in".

Users with a role in `YIKA_2FA_REQUIRED_ROLES` (default: admin) must give a code after their
password; a user who enrolled on their own is asked too. The second step is enforced for every
page and the admin by `assets.accounts.middleware.TwoFactorMiddleware`, and for
`POST /api/v1/auth/token/` by its view. A TOTP code is accepted once: django-otp remembers the
last time step used (`TOTPDevice.last_t`), and `verify_code` locks the device row, so the same
code sent twice, even at once, signs in once.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from assets import permissions
from assets.errors import NotInScope
from assets.security.services import Kind as SecurityKind
from assets.security.services import record_security_event
from labels.pdf import qr_matrix

DEVICE_NAME = "Yika"


def required_for(user) -> bool:
    """Whether `user`'s roles oblige them to sign in with a second factor."""
    return bool(permissions.roles_of(user) & set(settings.YIKA_2FA_REQUIRED_ROLES))


def enrolled(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def second_step_due(user) -> bool:
    """Whether a password alone is not enough for `user`: required by role, or enrolled."""
    return required_for(user) or enrolled(user)


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@dataclass(frozen=True)
class Enrolment:
    """A TOTP secret waiting for its first code: what the setup page shows."""

    device: TOTPDevice
    config_url: str
    secret: str


def _normalise(code: str) -> str:
    return "".join(str(code or "").split()).lower()


@transaction.atomic
def start_enrolment(*, user) -> Enrolment:
    """A new, unconfirmed TOTP secret for `user` (an earlier unconfirmed one is dropped). Until a
    code from it is confirmed, nothing about the user's sign-in changes."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return _enrolment(device)


def pending_enrolment(*, user) -> Enrolment | None:
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    return _enrolment(device) if device is not None else None


def _enrolment(device: TOTPDevice) -> Enrolment:
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return Enrolment(device=device, config_url=device.config_url, secret=secret)


@transaction.atomic
def confirm_enrolment(*, user, code: str, request=None) -> tuple[TOTPDevice, list[str]]:
    """Confirm the pending TOTP secret with a code from the app: it replaces any earlier one, and
    a fresh set of recovery codes is issued (shown once). A wrong code changes nothing."""
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, confirmed=False)
        .order_by("-id")
        .first()
    )
    if device is None:
        raise ValidationError({"code": _("Start the set-up again: no new secret is waiting.")})
    if not _normalise(code).isdigit():
        # Letters are a typing slip, not an expired code: say what a code looks like.
        raise ValidationError(
            {"code": _("Type the 6-digit code your authenticator app shows (digits only).")}
        )
    if not device.verify_token(_normalise(code)):
        raise ValidationError({"code": _("That code is wrong or has expired. Try the next one.")})
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _replace_recovery_codes(user)
    record_security_event(kind=SecurityKind.TWO_FACTOR_ENABLED, user=user, request=request)
    return device, codes


def _replace_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _i in range(settings.YIKA_2FA_RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def new_recovery_codes(*, user) -> list[str]:
    """A fresh set of recovery codes for an enrolled user; the old ones stop working."""
    if not enrolled(user):
        raise ValidationError(_("Set up two-factor sign-in first."))
    return _replace_recovery_codes(user)


@transaction.atomic
def verify_code(*, user, code: str, request=None):
    """The device that accepts `code` (a TOTP code, or a recovery code, which is used up and
    goes to the security log with how many are left), or None. Each device row is locked while
    it checks, so a code is accepted once."""
    code = _normalise(code)
    if not code:
        return None
    for device in TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True):
        if code.isdigit() and device.verify_token(code):
            return device
    for device in StaticDevice.objects.select_for_update().filter(user=user, confirmed=True):
        if device.verify_token(code):
            record_security_event(
                kind=SecurityKind.RECOVERY_CODE_USED,
                user=user,
                request=request,
                detail={"left": device.token_set.count()},
            )
            return device
    # A failure is logged by the caller, which knows where it happened (page or API).
    return None


@transaction.atomic
def reset_two_factor(*, actor, user, request=None) -> None:
    """Remove `user`'s TOTP app and recovery codes. Administrators reset anyone's (a lost phone);
    a user turns off their own only when their roles do not require it."""
    own = actor is not None and actor.pk == user.pk
    if not own and not permissions.is_admin(actor):
        raise NotInScope()
    if own and required_for(user):
        raise ValidationError(_("Your role requires two-factor sign-in; it stays on."))
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    record_security_event(
        kind=SecurityKind.TWO_FACTOR_RESET,
        user=user,
        request=request,
        detail={"by": getattr(actor, "username", "")},
    )


def qr_svg(text: str, *, module: int = 6, quiet: int = 4) -> str:
    """`text` as an SVG QR code, drawn from the project's QR codec (`labels.pdf.qr_matrix`)."""
    matrix = qr_matrix(text)
    size = (matrix.size + 2 * quiet) * module
    runs = []
    for y, row in enumerate(matrix.rows):
        x = 0
        while x < matrix.size:
            if row[x] == 0:
                start = x
                while x < matrix.size and row[x] == 0:
                    x += 1
                runs.append(
                    f"M{(start + quiet) * module} {(y + quiet) * module}h{(x - start) * module}v{module}h-{(x - start) * module}z"
                )
            else:
                x += 1
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" width="{size}" '
        f'height="{size}" role="img" shape-rendering="crispEdges">'
        f'<rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(runs)}"/></svg>'
    )
