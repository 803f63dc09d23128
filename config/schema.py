"""The API's schema and docs: `/api/v1/schema/` and `/api/docs/` (Swagger UI from the vendored
sidecar build), for signed-in users unless YIKA_API_DOCS_PUBLIC; and drf-spectacular hooks that
keep the schema free of duplicates (and `check --deploy` clean)."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import exceptions
from rest_framework.permissions import AllowAny, IsAuthenticated


class DocsAccess:
    """Signed-in users (session or token), or anyone when YIKA_API_DOCS_PUBLIC is set."""

    def get_permissions(self):
        return [AllowAny() if settings.YIKA_API_DOCS_PUBLIC else IsAuthenticated()]


class SchemaView(DocsAccess, SpectacularAPIView):
    pass


class DocsView(DocsAccess, SpectacularSwaggerSplitView):
    """Swagger UI with its init script served as a file (`?script=`), so the CSP holds."""

    def handle_exception(self, exc):
        # A browser that is not signed in goes to the sign-in page and comes back.
        not_signed_in = (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)
        if isinstance(exc, not_signed_in) and self.request.GET.get("script") is None:
            return redirect_to_login(self.request.get_full_path())
        return super().handle_exception(exc)


def drop_trailing_slash_twins(endpoints):
    """Some contract paths (e.g. `handovers/{number}/certificate.pdf`) are routed both with and
    without the router's trailing slash; document only the contract's spelling, once."""
    seen = {(path, method) for path, _regex, method, _view in endpoints}
    return [
        (path, regex, method, view)
        for path, regex, method, view in endpoints
        if not (path.endswith("/") and (path.rstrip("/"), method) in seen)
    ]
