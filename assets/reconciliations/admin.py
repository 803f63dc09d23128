"""Django admin of the finance export's column mapping (对账列映射): one row per deployment,
each reconciliation field shown under its Chinese name with the header the finance system
writes, saved through `services.save_mapping`. Administrators change it, auditors read it.
Imported by `assets.admin`."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.html import format_html_join
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from assets import permissions
from assets.errors import DomainError
from assets.reconciliations import services
from assets.reconciliations.columns import FIELDS, clean_mapping, field_label
from assets.reconciliations.models import ReconciliationMapping, ValueUnit
from config import formatting
from config.admin import RoleScopedAdmin


class _MappingForm(forms.ModelForm):
    """One text field per reconciliation field (`map_<field>`, declared below), labelled in the
    reader's language."""

    value_unit = forms.ChoiceField(
        label=_("unit of amounts"),
        choices=[("", _("As the headers say (元 unless 万元 is named)")), *ValueUnit.choices],
        required=False,
    )

    class Meta:
        model = ReconciliationMapping
        fields = ["value_unit"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        columns = self.instance.columns or {}
        for item in FIELDS:
            self.fields[f"map_{item.key}"].initial = columns.get(item.key, "")

    def headers(self) -> dict[str, str]:
        return {
            item.key: self.cleaned_data[f"map_{item.key}"].strip()
            for item in FIELDS
            if self.cleaned_data.get(f"map_{item.key}", "").strip()
        }

    def clean(self):
        data = super().clean()
        try:
            clean_mapping(self.headers())
        except DomainError as error:
            raise ValidationError(str(error.message)) from error
        return data


def _header_field(item) -> forms.CharField:
    return forms.CharField(
        label=lazy(field_label, str)(item.key),
        required=False,
        max_length=200,
        help_text=format_lazy(
            _("Empty: found by its usual name ({names})."),
            names=formatting.text_list((item.zh, *item.aliases[:2])),
        ),
    )


# Declared fields (the admin builds its form from those), one per reconciliation field.
ReconciliationMappingForm = type(
    "ReconciliationMappingForm",
    (_MappingForm,),
    {"__module__": __name__, **{f"map_{item.key}": _header_field(item) for item in FIELDS}},
)


@admin.register(ReconciliationMapping)
class ReconciliationMappingAdmin(RoleScopedAdmin):
    form = ReconciliationMappingForm
    list_display = ("__str__", "mapped_columns", "value_unit", "updated_by", "updated_at")
    list_select_related = ("updated_by",)
    readonly_fields = ("updated_by", "updated_at")
    actions = ("clear_mapping",)

    def get_fields(self, request, obj=None):
        return ["value_unit", *(f"map_{item.key}" for item in FIELDS), *self.readonly_fields]

    def has_add_permission(self, request):
        # One mapping per deployment: added once, then changed.
        return permissions.is_admin(request.user) and not ReconciliationMapping.objects.exists()

    @admin.display(description=_("mapped columns"))
    def mapped_columns(self, obj):
        columns = obj.columns or {}
        pairs = [
            (field_label(item.key), columns[item.key]) for item in FIELDS if item.key in columns
        ]
        if not pairs:
            return _("none: every column found by its usual name")
        return format_html_join("；", "{} ← {}", pairs)

    def save_model(self, request, obj, form, change):
        saved = services.save_mapping(
            actor=request.user,
            headers=form.headers(),
            value_unit=form.cleaned_data.get("value_unit") or "",
        )
        obj.pk = saved.pk

    @admin.action(description=_("Clear the saved mapping (find columns by their names)"))
    def clear_mapping(self, request, queryset):
        # Actions need change permission (config/admin.py): auditors see none, a forged POST is 403.
        services.save_mapping(actor=request.user, headers={}, value_unit="")
        self.message_user(request, _("The saved mapping was cleared."), level=messages.SUCCESS)
