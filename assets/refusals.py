"""Why a card cannot join a document (a disposal case, a handover), as a code and its values.

A refusal is said in the active language when it is shown (`str(refusal)`), and stored as
`{"code", "params"}` where it outlives the request (a stocktake difference keeps why its card
joined no disposal case): each reader then reads it in their own language, not the writer's.
The rules that refuse live with their services; the words live here, once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from assets import permissions
from config.errors import DomainError

# A stored text from before refusals were codes (or an error no code names): shown as written.
AS_WRITTEN = "as_written"

MESSAGES: dict[str, Any] = {
    "retired": _("%(tag)s is retired already."),
    "surplus_not_booked": _("%(tag)s is a surplus card not booked yet."),
    "ownership_unclear": _(
        "%(tag)s: its ownership is not confirmed (a delegated-build asset never "
        "handed over); settle the handover first."
    ),
    "other_owner": _(
        "%(tag)s is owned by another department; a case disposes of one unit's cards."
    ),
    "in_open_handover": _("%(tag)s is already in open handover %(number)s."),
    "in_open_disposal": _("%(tag)s is already in open disposal case %(number)s."),
    "live_component": _(
        "%(host)s holds the live component %(tag)s, which is not in the case: "
        "list it too, or choose to detach unlisted components."
    ),
    "not_disposable_by_you": _("No card you may dispose of has the tag %(tag)s."),
    # Refusals of the whole case, raised as errors (`from_error`).
    "disposal_not_draft": _("Only a draft case can be edited."),
    "disposal_card_taken": _("One of the cards was just put into another open disposal case."),
    "not_disposal_preparer": permissions.NOT_DISPOSAL_PREPARER,
    "not_card_writer": permissions.NOT_CARD_WRITER,
    AS_WRITTEN: "%(text)s",
}


@dataclass(frozen=True)
class Refusal:
    """One reason, as a `MESSAGES` key and the values its message names."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return text(self.code, self.params)

    def stored(self) -> dict:
        """The JSON a model keeps, to say it again later in its reader's language."""
        return {"code": self.code, "params": dict(self.params)}


def by_card(pairs: Iterable[tuple[str, Refusal]]) -> dict[str, list[Refusal]]:
    """(tag, refusal) pairs (`selectors.open_elsewhere`) as each card's refusals, {tag:
    refusals} in the order given: a disposal case and a handover say them card by card."""
    found: dict[str, list[Refusal]] = {}
    for tag, refusal in pairs:
        found.setdefault(tag, []).append(refusal)
    return found


def text(code: str, params: Mapping[str, Any]) -> str:
    """A refusal in the active language; an unknown code or values say what was stored."""
    message = MESSAGES.get(code)
    if message is not None:
        try:
            return str(message) % dict(params)
        except (KeyError, TypeError, ValueError):
            pass
    return str(params.get("text", "")) if isinstance(params, Mapping) else ""


def stored_text(entries: Iterable[Mapping] | None) -> str:
    """Stored refusals (`Refusal.stored`) as one text in the active language."""
    return " ".join(
        text(entry.get("code", ""), entry.get("params") or {}) for entry in entries or ()
    ).strip()


def stored_codes(entries: Iterable[Mapping] | None) -> list[str]:
    """The codes of stored refusals (a text stored as written has none)."""
    return [entry["code"] for entry in entries or () if entry.get("code") not in ("", AS_WRITTEN)]


def _error_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    if isinstance(error, DomainError):
        return str(error.message)
    return str(error)


def _error_codes(error: Exception) -> list[str]:
    if isinstance(error, DomainError):
        return [error.code]
    if isinstance(error, ValidationError):
        groups = error.error_dict.values() if hasattr(error, "error_dict") else [error.error_list]
        return [e.code for group in groups for e in group if e.code]
    return []


def from_error(error: Exception) -> Refusal:
    """The refusal an error of a whole case stands for: by its code, or (a PermissionDenied has
    none) by its message, just raised in the active language; else its text as written."""
    for code in _error_codes(error):
        if code in MESSAGES and code != AS_WRITTEN:
            return Refusal(code)
    said = _error_text(error)
    if isinstance(error, PermissionDenied):
        for code in ("not_disposal_preparer", "not_card_writer"):
            if said == str(MESSAGES[code]):
                return Refusal(code)
    return Refusal(AS_WRITTEN, {"text": said})
