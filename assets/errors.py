"""The register's domain errors, on the one base in `config.errors` (re-exported here for the
register's callers). Services raise these; config.api maps them to HTTP answers."""

from django.utils.translation import gettext_lazy as _

from config.errors import DomainError

__all__ = ["Conflict", "DisposalRequired", "DomainError", "NotInScope", "TransitionNotAllowed"]


class TransitionNotAllowed(DomainError):
    """A state machine refused a move (409)."""

    status_code = 409
    code = "transition_not_allowed"
    default_message = _("This change of state is not allowed.")


class Conflict(DomainError):
    """Somebody else changed the object first (409)."""

    status_code = 409
    code = "conflict"
    default_message = _("The object was changed by someone else; reload and try again.")


class NotInScope(DomainError):
    """The object is outside the user's department scope; answered like a missing object."""

    status_code = 404
    code = "not_found"
    default_message = _("Not found.")


# Disposals
class DisposalRequired(DomainError):
    """A card is retired only by executing an approved disposal case (409, DESIGN.md rule)."""

    status_code = 409
    code = "disposal_required"
    default_message = _(
        "A card leaves the register only through an approved disposal case: open one under "
        "Disposals (POST /api/v1/disposals/) and retire the card by executing it."
    )
