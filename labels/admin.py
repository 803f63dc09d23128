"""Admin: administrators edit label templates here (through `save_template`, which refuses content
that would overflow); auditors read them. Labels and batches are read-only (they change through
the services)."""

from django.contrib import admin

from config.admin import ReadOnlyAdmin, RoleScopedAdmin
from labels import services
from labels.models import Label, LabelTemplate, PrintBatch


@admin.register(LabelTemplate)
class LabelTemplateAdmin(RoleScopedAdmin):
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
