"""Reading the security log: one scoped, filtered queryset for the API, the page and the export."""

from __future__ import annotations

from datetime import date, datetime, time

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assets import permissions
from assets.models import ApiToken
from assets.security.models import SecurityEvent
from config import formatting

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


# How a reader reads an event's detail: known keys and method/operation values in their language.
DETAIL_LABELS = {
    "method": _("method"),
    "second_factor": _("second factor"),
    "what": _("what"),
    "filters": _("filters"),
    "rows": _("rows"),
    "complete": _("complete"),
    "by": _("by"),
    "prefix": _("token begins"),
    "tokens": _("tokens"),
    "reason": _("reason"),
    "department": _("department"),
    "added": _("roles added"),
    "removed": _("roles removed"),
    "from": _("from"),
    "to": _("to"),
    "disabled": _("password sign-in off"),
    "model": _("record type"),
    "operation": _("operation"),
    "object": _("record"),
    "objects": _("records"),
    "repr": _("name"),
    "changes": _("changes"),
    "action": _("action"),
    "selected": _("selected"),
    "handover": _("handover"),
    "disposal": _("disposal case"),
    "campaign": _("stocktake"),
    "batch": _("label batch"),
    "job": _("import"),
    "refused_url": _("refused URL"),
    "name": _("token name"),
    "scope": _("scope"),
}
DETAIL_VALUES = {
    "password": _("password (sign-in page)"),
    "api_token": _("password (API token)"),
    "admin_password": _("password (admin)"),
    "add": _("added"),
    "change": _("changed"),
    "delete": _("deleted"),
    "revoked": _("revoked"),
    "password_changed": _("password changed"),
    "moved": _("moved to another department"),
    "deactivated": _("deactivated"),
    "sso": _("single sign-on"),
    "cas_single_sign_out": _("signed out at the CAS server (single sign-out)"),
    "two_factor": _("two-factor code"),
    "totp": _("authenticator app code"),
    "recovery_code": _("recovery code"),
}
TRANSLATED_VALUES = ("method", "operation", "reason", "second_factor")
# Keys whose values are role codes (`user_roles_changed`): shown by the role's name.
ROLE_KEYS = ("added", "removed")
# A token's scope (`token_created`), by its choice label.
SCOPE_VALUES = dict(ApiToken.Scope.choices)
# What an export was (`record_export(what="assets.xlsx")`), by the name before the extension.
EXPORT_NAMES = {
    "assets": _("asset register"),
    "handover-items": _("handover list"),
    "handover-certificate": _("handover certificate"),
    "import-errors": _("import errors"),
    "stocktake-lines": _("stocktake lines"),
    "stocktake-report": _("stocktake report"),
    "label-batch": _("label batch"),
    "security-log": _("security log"),
    "disposal-application": _("disposal application form"),
}


def _export_name(what: str) -> str:
    base, _dot, extension = what.rpartition(".")
    name = EXPORT_NAMES.get(base)
    return f"{name} {extension.upper()}" if name else what


def _value_text(value) -> str:
    if isinstance(value, dict):
        return formatting.text_list(f"{k}={_value_text(v)}" for k, v in value.items())
    if isinstance(value, list):
        return formatting.text_list(_value_text(v) for v in value)
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    return "" if value is None else str(value)


def _model_name(label: str) -> str:
    from django.apps import apps

    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label


def detail_pairs(detail: dict) -> list[tuple[str, str]]:
    """(label, value) of each detail entry, labels and known values in the active language."""
    pairs = []
    for key, value in (detail or {}).items():
        if value in (None, "", [], {}):
            continue  # "by: " with nothing after it says nothing
        text = _value_text(value)
        if key in ROLE_KEYS:
            roles = value if isinstance(value, list) else [value]
            text = formatting.text_list(permissions.role_label(str(r)) for r in roles)
        elif key in TRANSLATED_VALUES and text in DETAIL_VALUES:
            text = str(DETAIL_VALUES[text])
        elif key == "scope" and text in SCOPE_VALUES:
            text = str(SCOPE_VALUES[text])
        elif key == "what":
            text = _export_name(text)
        elif key == "model":
            text = _model_name(text)
        pairs.append((str(DETAIL_LABELS.get(key, key)), text))
    return pairs


def detail_text(detail: dict) -> str:
    """An event's detail on one line: `what: assets.xlsx · rows: 12 · filters: status=in_use`."""
    return " · ".join(f"{label}: {value}" for label, value in detail_pairs(detail))
