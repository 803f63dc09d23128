"""How values read on every page, export and PDF: money, rates, code systems, lists.

One function per kind of value, used by the template filters (`assets/templatetags/yika.py`,
built into every template) and by the PDFs, so a page and its printed twin say the same thing.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

EMPTY = "—"
CENTS = Decimal("0.01")


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def money(value) -> str:
    """An amount in yuan: ¥ and thousands separators, two decimals (24743800 → ¥24,743,800.00).

    An empty amount is "—"; a negative one "-¥1,000.00". Decimals stay decimals (no float).
    """
    amount = _decimal(value)
    if amount is None:
        return EMPTY
    amount = amount.quantize(CENTS, rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.2f}"


def rate(value, digits: int = 2) -> str:
    """A percentage (12.5 → "12.50%"); an empty rate is "—" alone, never "—%"."""
    number = _decimal(value)
    if number is None:
        return EMPTY
    step = Decimal(1).scaleb(-digits) if digits else Decimal(1)
    return f"{number.quantize(step, rounding=ROUND_HALF_UP)}%"


# Stored code-system keys ("GBT14885-2022") and how the standard writes its name.
_STANDARD = re.compile(r"^(GB|GB/T|GBT|GB_T)\s*(\d+)(?:[-–](\d{4}))?$", re.IGNORECASE)


def code_system(value) -> str:
    """A classification standard as it is printed: "GBT14885-2022" → "GB/T 14885-2022"."""
    if not value:
        return EMPTY
    match = _STANDARD.match(str(value).strip())
    if not match:
        return str(value)
    prefix = "GB" if match.group(1).upper() == "GB" else "GB/T"
    year = f"-{match.group(3)}" if match.group(3) else ""
    return f"{prefix} {match.group(2)}{year}"


def text_list(items, *, limit: int | None = None) -> str:
    """Names or tags as one list in the reader's language: "A、B、C" in Chinese (the enumeration
    comma, the catalogue's "list separator"), "A, B, C" in English; past `limit` items an
    ellipsis says there are more. The one join of user-visible lists (pages, messages, exports,
    PDFs)."""
    from django.utils.translation import pgettext

    shown = [str(item) for item in items]
    more = limit is not None and len(shown) > limit
    if more:
        shown = shown[:limit]
    text = pgettext("list separator", ", ").join(shown)
    return f"{text}…" if more else text
