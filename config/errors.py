"""The domain error base. Services raise its subclasses; `config.api` maps them to HTTP answers.

It lives in config because every app raises it and the exception handler answers it: the
register's own errors (`assets.errors`) and every other app's build on it, and config imports no
app to know what a refusal is.
"""

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
