"""Filters every page uses to show values as words (built into every template: settings.TEMPLATES
`builtins`, so no `{% load %}` is needed): `money`, `rate`, `code_system`, `role_label`, `field_label`,
`attribute`, `event_note`, `text_list`, `actor`."""

from django import template

from assets.permissions import role_label as _role_label
from config import formatting

register = template.Library()


@register.filter
def money(value):
    """`{{ asset.original_value|money }}` → ¥24,743,800.00 (— when empty)."""
    return formatting.money(value)


@register.filter
def rate(value, digits=2):
    """`{{ totals.match_rate_count|rate }}` → 12.50% (— alone when empty)."""
    return formatting.rate(value, int(digits))


@register.filter
def code_system(value):
    """`{{ category.code_system|code_system }}` → GB/T 14885-2022."""
    return formatting.code_system(value)


@register.filter
def text_list(items):
    """`{{ job.columns.ignored|text_list }}` → 型号、备注 (A, B in English)."""
    return formatting.text_list(items or [])


@register.filter
def role_label(value):
    """`{{ role|role_label }}` → 资产管理员 (the role's name in the reader's language)."""
    return _role_label(value)


@register.filter
def field_label(name):
    """`{{ "original_value"|field_label }}` → 原值（元）: a card field's name in the reader's
    language (history rows, import previews)."""
    from assets.history import field_label as _field_label

    return _field_label(str(name))


@register.filter
def attribute(obj, name):
    """`{{ upload|attribute:"error_count" }}`: a field named by the template that includes a
    shared piece (`assets/_upload_history.html`); never a private or dunder name."""
    name = str(name)
    if name.startswith("_"):
        return ""
    return getattr(obj, name, "")


@register.filter
def actor(user):
    """`{{ case.created_by|actor }}` → who acted, by name; the system itself (no account:
    `permissions.SYSTEM`, demo data, imports without a user, tasks) in the reader's language."""
    from django.utils.translation import gettext

    return gettext("the system") if user is None else str(user)


@register.filter
def event_note(event):
    """`{{ event|event_note }}` → a card event's note in the reader's language: a generated note
    is rendered from its code and values, a typed one shown as typed."""
    from assets.history import note_text

    if not event.note_code:
        return event.note
    return note_text(event.note_code, event.note_params or {}, event.note)
