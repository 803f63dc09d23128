"""Django admin of disposals: administrators edit the approval tiers (through the services);
cases are read-only here (they change through their pages and API). Imported by `assets.admin`."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from assets import permissions
from assets.disposals import services
from assets.models import ApprovalTier, DisposalCase
from config.admin import ReadOnlyAdmin, RoleScopedAdmin


class ApprovalTierForm(forms.ModelForm):
    class Meta:
        model = ApprovalTier
        fields = ["up_to", "approver_role", "body"]

    def clean(self):
        data = super().clean()
        candidate = ApprovalTier(
            pk=self.instance.pk,
            up_to=data.get("up_to"),
            approver_role=data.get("approver_role") or "",
            body=data.get("body") or "",
        )
        try:
            services.validate_tier(candidate)
        except ValidationError as refused:
            if not hasattr(refused, "error_dict"):
                raise
            # A field the form already refused (empty) keeps that one message, not two.
            for name, errors in refused.error_dict.items():
                if name not in self.errors:
                    self.add_error(name if name in self.fields else None, errors)
        return data


@admin.register(ApprovalTier)
class ApprovalTierAdmin(RoleScopedAdmin):
    form = ApprovalTierForm
    list_display = ("body", "up_to", "approver_role")

    def has_delete_permission(self, request, obj=None):
        return permissions.is_admin(request.user)

    def save_model(self, request, obj, form, change):
        saved = services.save_tier(
            actor=request.user,
            tier=obj if change else None,
            fields={name: form.cleaned_data.get(name) for name in ApprovalTierForm.Meta.fields},
        )
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.delete_tier(actor=request.user, tier=obj)


@admin.register(DisposalCase)
class DisposalCaseAdmin(ReadOnlyAdmin):
    list_display = (
        "number",
        "method",
        "department",
        "state",
        "total_original_value",
        "approving_body",
        "approval_no",
        "executed_on",
    )
    list_filter = ("state", "method")
    search_fields = ("number", "approval_no")
    list_select_related = ("department",)
