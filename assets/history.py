"""A card's history as its reader reads it: field names in their language, values as words.

Events store natural keys and codes (`{"location": ["R-101", "R-301"]}`, DESIGN.md "History
events"); this module turns each change into the field's verbose name and readable values: a
choice by its label, a reference by its name, money as ¥, a yes/no as words. References are
looked up once per page (one query per kind of reference, whatever the number of events).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from assets.models import (
    CURRENT_CODE_SYSTEM,
    Asset,
    Category,
    DelegatedProject,
    Department,
    Location,
)
from config import formatting

EMPTY = formatting.EMPTY

# Change keys that are not fields of the card.
EXTRA_LABELS = {
    "components": _("components"),
    "embedded": _("embedded"),
    "label_serial": _("label serial"),
    "label_template": _("label template"),
    "print_batch": _("print batch"),
    "handover": _("handover"),
    "manual_reason": _("reason for a manual count"),
    "reprint_requested": _("label reprint requested"),
}


def field_label(name: str) -> str:
    """The card field's verbose name in the reader's language (or the extra key's label)."""
    try:
        return str(capfirst(Asset._meta.get_field(name).verbose_name))
    except Exception:  # FieldDoesNotExist, or a reverse relation without verbose_name
        return str(capfirst(EXTRA_LABELS.get(name, name.replace("_", " "))))


def _field(name: str):
    try:
        field = Asset._meta.get_field(name)
    except Exception:
        return None
    return field if getattr(field, "concrete", False) else None


def _references(rows) -> dict:
    """{model: {natural key: display}} for every reference the changes name, one query each."""
    wanted: dict = defaultdict(set)
    for name, values in rows:
        field = _field(name)
        model = field.related_model if field is not None and field.is_relation else None
        if name == "components":
            model = Asset
        if name == "label_template":
            from django.apps import apps

            model = apps.get_model("labels", "LabelTemplate")
        if model is None:
            continue
        wanted[model].update(str(value) for value in values if value not in (None, ""))
    found: dict = {}
    for model, keys in wanted.items():
        if not keys:
            continue
        if model is Asset:
            found[model] = {
                tag: f"{tag} {name}"
                for tag, name in Asset.objects.filter(tag__in=keys).values_list("tag", "name")
            }
        elif model in (Department, Location, DelegatedProject):
            found[model] = dict(model.objects.filter(code__in=keys).values_list("code", "name"))
        elif model is Category:
            found[model] = {
                code: f"{code} {name}"
                for code, name in Category.objects.filter(
                    code_system=CURRENT_CODE_SYSTEM, code__in=keys
                ).values_list("code", "name")
            }
        elif model._meta.label_lower == "assets.user":
            found[model] = {
                user.username: str(user) for user in model.objects.filter(username__in=keys)
            }
        elif model._meta.label_lower == "labels.labeltemplate":
            found[model] = dict(model.objects.filter(code__in=keys).values_list("code", "name"))
    return found


def _value(name: str, value, references: dict) -> str:
    if value is None or value == "":
        return EMPTY
    field = _field(name)
    if isinstance(value, bool) or isinstance(field, models.BooleanField):
        return gettext("yes") if value else gettext("no")
    if field is not None and field.choices:
        return str(dict(field.choices).get(value, value))
    if isinstance(field, models.DecimalField):
        return formatting.money(value)
    if field is not None and field.is_relation:
        return references.get(field.related_model, {}).get(str(value), str(value))
    if name == "components":
        return references.get(Asset, {}).get(str(value), str(value))
    if name == "label_template":
        for model, names in references.items():
            if model._meta.label_lower == "labels.labeltemplate":
                return names.get(str(value), str(value))
    if name == "print_batch":
        return f"#{value}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _pair(pair) -> tuple:
    if isinstance(pair, list | tuple):
        before, after = (list(pair) + [None, None])[:2]
        return before, after
    return None, pair


def describe_events(events) -> list[dict]:
    """History rows ready for the timeline: `{"event", "changes": [{"label", "before",
    "after"}]}`, labels in the reader's language and values as words."""
    events = list(events)
    pairs = [
        (name, _pair(pair)) for event in events for name, pair in (event.changes or {}).items()
    ]
    references = _references(pairs)
    rows = []
    for event in events:
        changes = []
        for name, pair in (event.changes or {}).items():
            before, after = _pair(pair)
            changes.append(
                {
                    "label": field_label(name),
                    "before": _value(name, before, references),
                    "after": _value(name, after, references),
                }
            )
        rows.append({"event": event, "changes": changes})
    return rows
