"""The QR payload codec: the one module that builds and reads what a label's QR code holds.

A label encodes `{SITE_URL}/a/{TAG}?l={LABEL_SERIAL}` (DESIGN.md, "QR payload"). Scanners hand us
that URL (or one under an earlier site address, `YIKA_EARLIER_SITE_URLS`, for labels printed before
the server moved), a bare tag, or a tag typed by a keyboard-wedge scanner (stray whitespace, lower
case, a trailing CR). The address of any other site is not our label, whatever its path says. It imports
no models (only the pure tag codec `assets.tags`), so every PDF and every scan path shares it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, quote, urlsplit

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from assets.tags import TagError, validate_tag

MAX_CODE_LENGTH = 512
_PATH_RE = re.compile(r"^(?:/[^/]+)*/a/(?P<tag>[^/?#]+)/?$", re.IGNORECASE)


class QRPayloadError(ValueError):
    """The scanned text is not a Yika label; `message` says why in the user's language."""

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


@dataclass(frozen=True)
class ScannedCode:
    """What a scan identified: the tag, and the label serial when the code came from a label."""

    tag: str
    label_serial: int | None = None
    from_url: bool = False


def encode(*, site_url: str, tag: str, label_serial: int | None) -> str:
    """The text to put in a label's QR code."""
    url = f"{site_url.rstrip('/')}/a/{quote(tag, safe='')}"
    if label_serial is not None:
        url += f"?l={int(label_serial)}"
    return url


def parse(text: str) -> ScannedCode:
    """Read a scanned code; raise QRPayloadError (never anything else) when it is not ours."""
    if not isinstance(text, str):
        raise QRPayloadError(_("The scanned code must be text."))
    if len(text) > MAX_CODE_LENGTH:
        raise QRPayloadError(_("The scanned code is too long to be a Yika label."))
    # Scanners add control characters and NULs; none of them can be part of a tag or URL.
    cleaned = "".join(ch for ch in text if ch.isprintable()).strip()
    if not cleaned:
        raise QRPayloadError(_("The scanned code is empty."))
    if "://" in cleaned or cleaned.lower().startswith(("http:", "https:")):
        return _parse_url(cleaned)
    return ScannedCode(tag=_tag(cleaned))


def _parse_url(text: str) -> ScannedCode:
    try:
        parts = urlsplit(text)
    except ValueError:
        raise QRPayloadError(_("The scanned code is not a valid address."))
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise QRPayloadError(_("The scanned address is not a Yika label (http or https only)."))
    if _site(text) not in _our_sites():
        raise QRPayloadError(
            _(
                "The scanned address is of another site (%(host)s), not a label of this register "
                "(%(site)s). Scan the card's own label or type its tag."
            )
            % {"host": parts.hostname or parts.netloc, "site": urlsplit(settings.SITE_URL).netloc}
        )
    match = _PATH_RE.match(parts.path)
    if not match:
        raise QRPayloadError(_("The scanned address does not point to an asset card (…/a/TAG)."))
    serial = None
    try:
        query = parse_qs(parts.query, strict_parsing=False, max_num_fields=10)
    except ValueError:
        raise QRPayloadError(_("The scanned address has a malformed query."))
    values = query.get("l")
    if values:
        raw = values[0].strip()
        if not raw.isascii() or not raw.isdigit() or len(raw) > 9 or int(raw) < 1:
            raise QRPayloadError(_("The label number in the scanned address is not valid."))
        serial = int(raw)
    return ScannedCode(tag=_tag(match.group("tag")), label_serial=serial, from_url=True)


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _site(url: str) -> tuple[str, int | None]:
    """The host and port an address points at (the scheme's default port when none is given)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return ("", None)
    return ((parts.hostname or "").lower(), port or _DEFAULT_PORTS.get(parts.scheme.lower()))


def _our_sites() -> set[tuple[str, int | None]]:
    urls = [settings.SITE_URL, *getattr(settings, "YIKA_EARLIER_SITE_URLS", [])]
    return {_site(url) for url in urls if url}


def _tag(text: str) -> str:
    try:
        return validate_tag(text)
    except TagError as error:
        raise QRPayloadError(error.message)
