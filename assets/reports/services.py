"""Freezing a register report (冻结): the figures stored once, with the SHA-256 of their
canonical form, like a stocktake's frozen result."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assets import permissions
from assets.reports import selectors
from assets.reports.models import FrozenReport


def digest(payload: dict) -> str:
    """SHA-256 of the report's canonical JSON (sorted keys, no spaces, UTF-8)."""
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def is_intact(frozen: FrozenReport) -> bool:
    return digest(frozen.payload) == frozen.sha256


def _past(day: dt.date, field: str) -> dt.date:
    if day >= timezone.localdate():
        raise ValidationError({field: _("Only a report of a day that has ended can be frozen.")})
    return day


@transaction.atomic
def freeze_report(
    *,
    actor,
    kind: str,
    by: str,
    level: int | None = None,
    on: dt.date | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> FrozenReport:
    """Draw the report up in `actor`'s scope and store it with its SHA-256.

    Only days that have ended: a report of today could still move. Freezing the same figures
    again (same report, same scope) answers the copy frozen first.
    """
    permissions.require_report_freezer(actor)
    if kind == FrozenReport.Kind.BALANCE:
        if on is None:
            raise ValidationError({"on": _("Give the date as YYYY-MM-DD.")})
        report = selectors.balance(user=actor, on=_past(on, "on"), by=by, level=level)
        parameters = {"on": on.isoformat(), "by": by, "level": level}
    elif kind == FrozenReport.Kind.MOVEMENTS:
        if start is None:
            raise ValidationError({"from": _("Give the date as YYYY-MM-DD.")})
        if end is None:
            raise ValidationError({"to": _("Give the date as YYYY-MM-DD.")})
        report = selectors.movements(
            user=actor, start=start, end=_past(end, "to"), by=by, level=level
        )
        parameters = {"from": start.isoformat(), "to": end.isoformat(), "by": by, "level": level}
    else:
        raise ValidationError({"report": _("Choose one of: balance, movements.")})
    whole = selectors.scope_of(actor) is None
    department = None if whole else actor.department
    if not whole and department is None:
        raise PermissionDenied(_("Only a user with a department may freeze its reports."))
    sha256 = digest(report)
    existing = FrozenReport.objects.filter(
        sha256=sha256, whole_register=whole, department=department
    ).first()
    if existing is not None:
        return existing
    frozen = FrozenReport(
        kind=kind,
        parameters=parameters,
        payload=report,
        sha256=sha256,
        department=department,
        whole_register=whole,
        frozen_by=actor,
    )
    frozen.save(force_insert=True)
    return frozen
