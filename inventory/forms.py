"""Forms of the stocktake pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from assets.models import CURRENT_CODE_SYSTEM, Category, Department, Location
from config import forms as yika_forms

# <input type=date> takes ISO 8601 whatever the page's language; without a format Django renders
# the locale's first input format (2026/12/31 in Chinese), which the browser shows as blank.
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CampaignForm(yika_forms.Form):
    name = forms.CharField(label=_("Campaign name"), max_length=200)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2200)
    reference_date = forms.DateField(label=_("Reference date"), widget=DATE_INPUT)
    due_on = forms.DateField(label=_("Due date"), widget=DATE_INPUT)
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

    def __init__(self, *args, departments=None, locations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if departments is not None:
            self.fields["departments"].queryset = departments
        if locations is not None:
            self.fields["locations"].queryset = locations


class ExplainForm(yika_forms.Form):
    """差异说明: the cause, who is responsible and the proposed treatment."""

    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    responsible = forms.CharField(label=_("Responsible person"), max_length=80, required=False)
    treatment = forms.CharField(
        label=_("Proposed treatment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    write_back = forms.BooleanField(
        label=_("Write the counted location back to the card when approved"), required=False
    )


class PostSurplusForm(yika_forms.Form):
    """Posting a surplus find books a draft card (取得方式 盘盈): what the card needs."""

    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.filter(code_system=CURRENT_CODE_SYSTEM, is_active=True),
    )
    owner_department = forms.ModelChoiceField(
        label=_("Owning department"), queryset=Department.objects.none()
    )
    name = forms.CharField(label=_("Asset name"), max_length=200, required=False)
    original_value = forms.DecimalField(
        label=_("Original value (CNY)"),
        max_digits=14,
        decimal_places=2,
        min_value=0,
        required=False,
    )

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        if departments is not None:
            self.fields["owner_department"].queryset = departments
