"""Reading the security log: one scoped, filtered queryset for the API, the page and the export."""

from __future__ import annotations

from datetime import date, datetime, time

from django.db.models import QuerySet
from django.utils import timezone

from assets import permissions
from assets.security.models import SecurityEvent

# The most rows one export writes (newest first); narrow the filters for older ones.
EXPORT_MAX_ROWS = 100_000


def security_events(
    *,
    user,
    kind: str | None = None,
    username: str | None = None,
    since: date | datetime | None = None,
) -> QuerySet:
    """The events `user` may read (all for auditors and admins, none otherwise), newest first;
    `since` a date means from its start in Asia/Shanghai."""
    queryset = permissions.visible_security_events(user, SecurityEvent.objects.all())
    if kind:
        queryset = queryset.filter(kind=kind)
    if username:
        queryset = queryset.filter(username=username)
    if since and not isinstance(since, datetime):
        since = timezone.make_aware(datetime.combine(since, time.min))
    if since:
        queryset = queryset.filter(at__gte=since)
    return queryset.order_by("-at", "-id")


def _value_text(value) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}={_value_text(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_value_text(v) for v in value)
    return "" if value is None else str(value)


def detail_text(detail: dict) -> str:
    """An event's detail on one line: `what: assets.xlsx · rows: 12 · filters: status=in_use`."""
    return " · ".join(f"{key}: {_value_text(value)}" for key, value in (detail or {}).items())
