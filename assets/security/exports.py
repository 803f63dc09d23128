"""The security log as XLSX (formula-safe through `config.spreadsheets`; headers in the reader's
language, Chinese by default)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from assets.security.selectors import EXPORT_MAX_ROWS, detail_text
from assets.security.services import counted_export, query_filters
from config import spreadsheets as sx


def columns() -> list[sx.Column]:
    return [
        sx.Column("at", _("Time"), sx.DATETIME, width=18),
        sx.Column("kind", _("Event"), width=18),
        sx.Column("user", _("User"), width=16),
        sx.Column("address", _("Address"), width=16),
        sx.Column("detail", _("Detail"), width=60),
    ]


def rows(queryset):
    for event in queryset[:EXPORT_MAX_ROWS].iterator(chunk_size=2000):
        yield {
            "at": event.at,
            "kind": event.get_kind_display(),
            "user": event.username,
            "address": event.address or "",
            "detail": detail_text(event.detail),
        }


def security_log_response(queryset, *, request):
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    logged = counted_export(
        rows(queryset),
        request=request,
        what="security-log.xlsx",
        filters=query_filters(request),
    )
    return sx.xlsx_response(
        f"{_('security-log')}-{stamp}.xlsx", columns(), logged, sheet_title=_("Security log")
    )
