"""How often one address may open the public label page `/a/{TAG}` (`YIKA_PUBLIC_SCAN_RATE`).

A window counted in Django's cache, keyed by the client's address as `config.net.client_address`
reads it (the connecting address, or behind trusted proxies the one they saw; never a forwarded
entry a client can forge). Sequential tags carry a computable check character, so
without a limit anyone could walk the register one tag after another (SECURITY.md).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache

from config.net import client_address

UNITS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60}
UNITS |= {"h": 3600, "hour": 3600, "d": 86400, "day": 86400}


def parse_rate(rate: str) -> tuple[int, int] | None:
    """`"30/min"` → (30, 60); None when there is no limit ("off", "0" or empty)."""
    rate = (rate or "").strip().lower()
    if rate in ("", "0", "off"):
        return None
    count, unit = rate.split("/", 1)
    return int(count), UNITS[unit]


def public_scan_wait(request) -> int:
    """Counts this view of the public page; 0 if it may be shown, else the seconds to wait."""
    rate = parse_rate(settings.YIKA_PUBLIC_SCAN_RATE)
    if rate is None:
        return 0
    limit, period = rate
    now = time.time()
    address = client_address(request) or "unknown"
    # The window opens with an address's first view and lasts `period`: the count and the
    # opening time expire together (incr keeps a key's expiry).
    key = f"yika:public-scan:{address}:{limit}/{period}"
    if cache.add(key, 1, timeout=period):
        cache.set(key + ":since", now, timeout=period)
        return 0
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: a new window
        cache.set(key, 1, timeout=period)
        cache.set(key + ":since", now, timeout=period)
        return 0
    if count <= limit:
        return 0
    since = cache.get(key + ":since", now)
    return max(1, int(since + period - now) + 1)
