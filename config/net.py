"""The address a request came from, the same for the sign-in lockout and the public page's limit.

Without a proxy it is the connecting address (`REMOTE_ADDR`). Behind `YIKA_TRUSTED_PROXIES`
reverse proxies it is the address the outermost trusted proxy saw: the entry that many places from
the right of `X-Forwarded-For` (each proxy appends the address it was reached from). Entries
further left are written by the client and never trusted, so a forged header cannot give anyone a
fresh count; a header shorter than the proxy chain falls back to its leftmost entry.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_address(request) -> str | None:
    """The client's IP address as text; None when the request has none (a test client's
    `force_login`, a management command), as django-axes expects."""
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = settings.YIKA_TRUSTED_PROXIES
    if not proxies:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if not forwarded:
        return remote
    candidate = forwarded[-min(proxies, len(forwarded))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:  # not an address: the proxy chain is misconfigured; count the proxy
        return remote
