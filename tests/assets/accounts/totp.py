"""Codes an authenticator app would show, computed from a device's secret (RFC 6238)."""

import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def code_for(user=None, *, device=None, steps_ahead: int = 0, secret_b32: str | None = None) -> str:
    if secret_b32 is not None:
        import base64

        key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
        step, t0, digits, drift = 30, 0, 6, 0
    else:
        device = device or TOTPDevice.objects.filter(user=user).order_by("-id").first()
        key, step, t0, digits, drift = (
            device.bin_key,
            device.step,
            device.t0,
            device.digits,
            device.drift,
        )
    totp = TOTP(key, step, t0, digits, drift)
    totp.time = time.time() + steps_ahead * step
    return f"{totp.token():0{digits}d}"
