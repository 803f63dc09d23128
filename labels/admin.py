"""Admin: administrators edit label templates here (through `save_template`, which refuses content
that would overflow); auditors read them. Labels and batches are read-only (they change through
the services)."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from config import formatting
from config.admin import ReadOnlyAdmin, RoleScopedAdmin
from labels import services
from labels.models import Label, LabelTemplate, PrintBatch


class LabelTemplateForm(forms.ModelForm):
    """The printed fields as ticks from the fixed list, not a JSON text box."""

    fields = forms.MultipleChoiceField(
        label=_("printed fields"),
        choices=LabelTemplate.Field.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("The tag and its QR code are always printed."),
    )

    class Meta:
        model = LabelTemplate
        fields = list(services.TEMPLATE_FIELDS)

    def clean_fields(self):
        # In the list's order, whatever order the ticks came in.
        chosen = set(self.cleaned_data.get("fields") or [])
        return [value for value in LabelTemplate.Field.values if value in chosen]


@admin.register(LabelTemplate)
class LabelTemplateAdmin(RoleScopedAdmin):
    form = LabelTemplateForm
    list_display = [
        "code",
        "name",
        "kind",
        "media",
        "label_width_mm",
        "label_height_mm",
        "columns",
        "rows",
        "is_active",
    ]
    list_filter = ["kind", "media", "is_active"]
    search_fields = ["code", "name"]

    def get_readonly_fields(self, request, obj=None):
        # A reader (auditor) sees the printed fields as words, not as JSON.
        if self.has_change_permission(request, obj):
            return []
        return ["printed_fields"]

    def get_exclude(self, request, obj=None):
        return [] if self.has_change_permission(request, obj) else ["fields"]

    @admin.display(description=_("printed fields"))
    def printed_fields(self, obj):
        labels = dict(LabelTemplate.Field.choices)
        names = [str(labels.get(value, value)) for value in (obj.fields or [])]
        return formatting.text_list(names) if names else gettext("Only the tag")

    def save_model(self, request, obj, form, change):
        fields = {name: getattr(obj, name) for name in services.TEMPLATE_FIELDS}
        saved = services.save_template(
            actor=request.user, fields=fields, template=obj if change else None
        )
        obj.pk = saved.pk


@admin.register(Label)
class LabelAdmin(ReadOnlyAdmin):
    list_display = ["asset", "serial", "printed_at", "printed_by", "superseded_at", "voided_at"]
    search_fields = ["asset__tag"]
    list_select_related = ["asset", "printed_by"]


@admin.register(PrintBatch)
class PrintBatchAdmin(ReadOnlyAdmin):
    list_display = ["id", "template", "state", "total", "done_count", "requested_by", "created_at"]
    list_filter = ["state"]
    list_select_related = ["template", "requested_by"]
