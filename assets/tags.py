"""Asset tags (资产编号): prefix + year + sequence + one ISO/IEC 7064 MOD 37-2 check character.

The pure MOD 37-2 system catches every single mistyped character and every swap of two
neighbouring characters (37 is prime and neighbouring weights differ), so a clerk's typo is
refused, not matched to somebody else's asset. We measured the hybrid MOD 37,36 system here: it
misses about 1% of neighbour swaps, so it is not used. MOD 37-2's 37th check symbol is `*`; the
generator skips the sequence numbers that would need it, so every issued tag is alphanumeric.
"""

import re

from django.utils.translation import gettext_lazy as _

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
CHECK_ALPHABET = ALPHABET + "*"
_VALUE = {ch: i for i, ch in enumerate(CHECK_ALPHABET)}
_MODULUS = 37
SEQUENCE_DIGITS = 6
TAG_RE = re.compile(r"^[0-9A-Z]{4,40}$")
# The tag in a label's address (…/a/TAG?l=N), as a phone's camera or a scanner types it.
_URL_TAG = re.compile(r"/a/([^/?#\s]+)", re.IGNORECASE)


class TagError(ValueError):
    """The text is not a valid asset tag; `message` says why in the user's language."""

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


def check_character(body: str) -> str:
    """The MOD 37-2 check character for `body` (upper-case letters and digits)."""
    if not body or any(ch not in ALPHABET for ch in body):
        raise TagError(_("A tag may contain only letters A-Z and digits."))
    product = 0
    for ch in body:
        product = ((product + _VALUE[ch]) * 2) % _MODULUS
    return CHECK_ALPHABET[(_MODULUS + 1 - product) % _MODULUS]


def is_valid(tag: str) -> bool:
    body, check = tag[:-1], tag[-1:]
    return bool(body) and all(ch in ALPHABET for ch in body) and check_character(body) == check


def make_tag(prefix: str, year: int, sequence: int) -> str | None:
    """The tag for this sequence number, or None when its check symbol would be `*`."""
    body = f"{prefix}{year:04d}{sequence:0{SEQUENCE_DIGITS}d}"
    check = check_character(body)
    return None if check == "*" else body + check


def normalise(text: str) -> str:
    """Upper-case and strip what a keyboard-wedge scanner or a hurried hand adds."""
    return re.sub(r"[\s\-_]", "", text or "").upper()


def validate_tag(text: str) -> str:
    """Return the normalised tag, or raise TagError naming the problem."""
    tag = normalise(text)
    if not tag:
        raise TagError(_("The tag is empty."))
    if not TAG_RE.match(tag):
        raise TagError(_("A tag is 4 to 40 letters A-Z and digits."))
    if not is_valid(tag):
        raise TagError(
            _("“%(tag)s” is not a valid tag: its check character is wrong (mistyped?).")
            % {"tag": tag}
        )
    return tag


def typed_tags(text: str) -> list[str]:
    """Tags from a box a user types or scans into: bare tags, typed tags or label URLs, one per
    line or separated by commas or spaces; normalised, in order, without repeats."""
    found: list[str] = []
    for token in re.split(r"[\s,;，；]+", text or ""):
        if not token:
            continue
        match = _URL_TAG.search(token)
        tag = normalise(match.group(1) if match else token)
        if tag and tag not in found:
            found.append(tag)
    return found


def typing_problem(tag: str) -> str | None:
    """Why the typed `tag` can be no card's, whatever the register holds: its form or its check
    character (`validate_tag`, the scan page's answer: "mistyped?"), naming the tag; or None.

    Every page where a user types tags answers with it before it looks the tags up, so a typo
    is called a typo, not an unknown card (walk 4.10)."""
    try:
        validate_tag(tag)
    except TagError as error:
        message = str(error.message)
        if tag and tag not in message:
            message = str(_("“%(tag)s”: %(problem)s") % {"tag": tag, "problem": message})
        return message
    return None
