"""The project's form bases: every page form's drop-downs offer a worded empty choice.

Django's empty choice reads "---------" (`ModelChoiceField.empty_label`, and the blank choice a
model field with `blank=True` or `choices` adds). On Yika's pages it reads "请选择…"/"Choose…",
or "全部"/"All" on a filter form (`empty_choice = EMPTY_FILTER`). A field given its own
`empty_label` keeps it. Every page form derives from `Form` or `ModelForm` here
(`tests/test_page_forms.py` renders every page and fails on "---------"); the admin keeps
Django's own.
"""

from __future__ import annotations

from django import forms
from django.db.models.fields import BLANK_CHOICE_DASH
from django.utils.translation import pgettext_lazy

DASH = BLANK_CHOICE_DASH[0][1]  # "---------"
EMPTY_CHOICE = pgettext_lazy("empty choice", "Choose…")
EMPTY_FILTER = pgettext_lazy("empty choice", "All")


def word_empty_choices(form: forms.BaseForm, label) -> None:
    """Replace the dashes of every drop-down's empty choice in `form` with `label`."""
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField):
            if field.empty_label == DASH:
                field.empty_label = label
        elif isinstance(field, forms.ChoiceField):
            choices = list(field.choices)
            if any(value == "" and text == DASH for value, text in choices):
                field.choices = [
                    (value, label if value == "" and text == DASH else text)
                    for value, text in choices
                ]


class WordedChoicesMixin:
    """Worded empty choices for a form (see the module's docstring)."""

    empty_choice = EMPTY_CHOICE

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        word_empty_choices(self, self.empty_choice)


class Form(WordedChoicesMixin, forms.Form):
    pass


class ModelForm(WordedChoicesMixin, forms.ModelForm):
    pass
