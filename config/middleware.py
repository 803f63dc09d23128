"""Response headers Django does not set by itself, and requests refused at the edge."""

import io
import json

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.translation import gettext as _

CSP = (
    "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
    "style-src 'self' 'unsafe-inline'; script-src 'self'; object-src 'none'; "
    "base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)


class ContentSecurityPolicyMiddleware:
    """Set a Content-Security-Policy so stored text can never run as script (SECURITY.md C)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # Everywhere, the API too: the browsable API and Swagger UI (served split, its init script a
        # file) run no inline script.
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("Permissions-Policy", "geolocation=(), microphone=()")
        if not settings.DEBUG:
            response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


NUL = "\x00"


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _querydict_has_nul(data) -> bool:
    return any(NUL in key or any(NUL in v for v in values) for key, values in data.lists())


def _body(request) -> bytes:
    """`request.body` without Django's DATA_UPLOAD_MAX_MEMORY_SIZE, which DRF's parsers do not
    apply either (a large offline scan batch stays acceptable); the view reads the same bytes."""
    if not hasattr(request, "_body"):
        request._body = request.read()
        request._stream = io.BytesIO(request._body)
    return request._body


def _json_body_has_nul(request) -> bool:
    body = _body(request)
    if b"\x00" in body:
        return True
    if b"\\u0000" not in body.lower():
        return False
    try:
        return _has_nul(json.loads(body))
    except ValueError:
        return False  # not JSON after all: the parser answers it


class RefuseNulMiddleware:
    """Refuse a NUL character anywhere in the path, query, cookies, headers or body values (form,
    multipart fields, JSON) with a 400, before it reaches a view: PostgreSQL
    cannot store NUL in text and psycopg refuses it, so it would otherwise surface as a 500
    wherever the value meets a query (SECURITY.md section 4).

    The API gets `{"detail", "code"}`, pages the site's error page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._carries_nul(request):
            return self._refuse(request)
        return self.get_response(request)

    def _carries_nul(self, request) -> bool:
        if NUL in request.path or NUL in request.path_info:
            return True
        if _querydict_has_nul(request.GET):
            return True
        if any(NUL in k or NUL in v for k, v in request.COOKIES.items()):
            return True
        if any(NUL in str(v) for k, v in request.META.items() if k.startswith("HTTP_")):
            return True
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return False
        content_type = request.content_type or ""
        if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            try:
                if _querydict_has_nul(request.POST):
                    return True
            except MultiPartParserError:
                return False  # a broken upload: the view answers it with its own 400
            # File names need no check: Django drops unprintable characters from them.
            return any(NUL in key for key in request.FILES)
        if content_type == "application/json" or content_type.endswith("+json"):
            return _json_body_has_nul(request)
        return False

    def _refuse(self, request):
        if any(NUL in k or NUL in v for k, v in request.COOKIES.items()):
            # The session key itself may be the bad value: do not look the user up.
            request.user = AnonymousUser()
        message = _("The request contains a NUL character, which Yika does not accept.")
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message, "code": "nul_character"}, status=400)
        context = {"status_code": 400, "reason": message}
        return render(request, "400.html", context, status=400)


class DebugNotFoundMiddleware:
    """Under DEBUG (`make run`) an unknown URL or card still shows Yika's own 404 page
    (`config.views.page_not_found`), not Django's debug page: a user trying the demo must see
    the page production shows. Real errors (500) keep Django's debug page. Without DEBUG,
    Django already calls the handler and this does nothing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            settings.DEBUG
            and response.status_code == 404
            and getattr(request, "resolver_match", None) is None
        ):
            # No view matched the URL: the response is Django's technical 404 page.
            from config.views import page_not_found

            return page_not_found(request)
        return response

    def process_exception(self, request, exception):
        from django.http import Http404

        if settings.DEBUG and isinstance(exception, Http404):
            from config.views import page_not_found

            return page_not_found(request, exception)
        return None
