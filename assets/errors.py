"""Domain errors. Services raise these; config.api maps them to HTTP answers."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A rule of the domain refused the change. Carries a stable `code` and an HTTP status."""

    status_code = 400
    code = "refused"
    default_message = _("The change was refused.")

    def __init__(self, message=None, *, code: str | None = None, field: str | None = None):
        self.message = message if message is not None else self.default_message
        if code:
            self.code = code
        self.field = field
        super().__init__(str(self.message))


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
