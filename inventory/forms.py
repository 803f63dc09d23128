"""Forms of the stocktake pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from assets.models import CURRENT_CODE_SYSTEM, Category, Department, Location


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2200)
    reference_date = forms.DateField(
        label=_("Reference date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    due_on = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))
    departments = forms.ModelMultipleChoiceField(
        label=_("Departments"),
        queryset=Department.objects.filter(is_active=True),
        required=False,
        help_text=_("Empty: the whole register (administrators only)."),
    )
    locations = forms.ModelMultipleChoiceField(
        label=_("Locations"), queryset=Location.objects.filter(is_active=True), required=False
    )
    categories = forms.ModelMultipleChoiceField(
        label=_("Categories"),
        queryset=Category.objects.filter(code_system=CURRENT_CODE_SYSTEM, is_active=True),
        required=False,
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        if departments is not None:
            self.fields["departments"].queryset = departments
