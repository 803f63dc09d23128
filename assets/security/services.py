"""Writing the security log: `record_security_event` (one INSERT, no other query) and the
retention purge, the only code that deletes from it.

Every caller passes what it already has: the user object, the request (for the address), a small
`detail` dict. Nothing here reads the session or the user from the database, so a sign-in, an
export or an admin save costs exactly one more statement. Scans and card look-ups are not logged.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction

from assets.security.models import SecurityEvent
from config.net import client_address

Kind = SecurityEvent.Kind

# The trigger's own floor (migration 0009): whatever a session sets, no row younger than this is
# ever deleted (网络安全法 art. 21: network logs are kept at least six months).
MIN_RETENTION_DAYS = 180
RETENTION_SETTING = "yika.security_log_retention_days"


def _clean(value: Any) -> Any:
    """`detail` as plain JSON (dates, Decimals, lazy strings as text), without NUL characters
    PostgreSQL's jsonb refuses."""
    text = json.dumps(value, cls=DjangoJSONEncoder, default=str, ensure_ascii=False)
    return json.loads(text.replace("\\u0000", ""))


def _request_user(request):
    """The request's user when the request has already loaded it (no query); else None."""
    if request is None:
        return None
    # A DRF Request's own user comes first: middleware that looked at `request.user` (the
    # second sign-in step) leaves an anonymous `_cached_user` on a token-authenticated call.
    wrapped = getattr(request, "_request", None)  # a DRF Request
    for user in (
        getattr(request, "_user", None),  # DRF, once it has authenticated
        getattr(request, "_cached_user", None),  # Django's AuthenticationMiddleware cache
        getattr(wrapped, "_cached_user", None),
    ):
        if getattr(user, "is_authenticated", False):
            return user
    return None


def record_security_event(
    *,
    kind: str,
    user=None,
    request=None,
    detail: dict[str, Any] | None = None,
    username: str | None = None,
) -> SecurityEvent:
    """Append one event: `kind` (SecurityEvent.Kind), the user it concerns (default: the
    request's signed-in user), the address the request came from, and `detail` (what, which
    filters, how many rows, which method…). One INSERT."""
    if user is None:
        user = _request_user(request)
    if username is None:
        username = getattr(user, "username", "") or ""
    address = None
    if request is not None:
        try:
            address = client_address(request)
        except AttributeError:  # an object without META (a management command's stand-in)
            address = None
    return SecurityEvent.objects.create(
        kind=kind,
        user=user if getattr(user, "pk", None) else None,
        username=str(username).replace("\x00", "")[:150],
        address=address,
        detail=_clean(detail or {}),
    )


def record_export(
    *, request, what: str, filters: dict | None = None, rows: int | None = None, **extra
) -> SecurityEvent:
    """An export or a report download: what (e.g. `assets.xlsx`), its filters, its row count."""
    detail: dict[str, Any] = {"what": what, **extra}
    if filters:
        detail["filters"] = {k: v for k, v in filters.items() if k not in ("page", "page_size")}
    if rows is not None:
        detail["rows"] = rows
    return record_security_event(kind=Kind.EXPORT, request=request, detail=detail)


def query_filters(request) -> dict[str, Any]:
    """The query string as a flat dict (a repeated key keeps its list), for `record_export`."""
    params = getattr(request, "query_params", None) or request.GET
    return {
        key: (values if len(values) > 1 else values[0])
        for key, values in params.lists()
        if key not in ("page", "page_size", "format") and any(value != "" for value in values)
    }


def counted_export(
    rows: Iterable, *, request, what: str, filters: dict | None = None, **extra
) -> Iterator:
    """Pass `rows` through and record the export with the number of rows actually written, when
    the writer is done (an XLSX in the request; a streamed CSV when its last line is sent, or
    when the download is cut short: then `complete` is false)."""
    count = 0
    complete = False
    try:
        for row in rows:
            yield row
            count += 1
        complete = True
    finally:
        record_export(
            request=request,
            what=what,
            filters=filters,
            rows=count,
            **({} if complete else {"complete": False}),
            **extra,
        )


def retention_days() -> int:
    return max(MIN_RETENTION_DAYS, int(settings.YIKA_SECURITY_LOG_RETENTION_DAYS))


def purge_expired_events(*, days: int | None = None) -> int:
    """Delete the events older than the retention period (default
    `YIKA_SECURITY_LOG_RETENTION_DAYS`); returns how many. The trigger allows a DELETE only with
    the retention set in this transaction, and only of rows older than it (never younger than
    MIN_RETENTION_DAYS), measured by the database's clock, the one the trigger uses."""
    days = max(MIN_RETENTION_DAYS, int(days if days is not None else retention_days()))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, true)", [RETENTION_SETTING, str(days)])
        cursor.execute(
            "DELETE FROM assets_securityevent WHERE at < now() - make_interval(days => %s)",
            [days],
        )
        return cursor.rowcount
