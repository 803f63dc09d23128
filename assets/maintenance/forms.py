"""Forms of the upkeep pages: a fault report, a repair, the return from repair."""

from django import forms
from django.utils.translation import gettext_lazy as _

from assets.forms import ShownLimitsMixin
from config import forms as yika_forms

DATE = {"type": "date"}


class FaultForm(ShownLimitsMixin, yika_forms.Form):
    fault = forms.CharField(
        label=_("what is wrong"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.show_limits()


class RepairForm(ShownLimitsMixin, yika_forms.Form):
    fault = forms.CharField(
        label=_("fault"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    vendor = forms.CharField(label=_("repairer"), max_length=200, required=False)
    started_on = forms.DateField(
        label=_("repair started on"),
        required=False,
        widget=forms.DateInput(attrs=DATE),
        help_text=_("From this day until it is back the card is “under repair”."),
    )
    finished_on = forms.DateField(
        label=_("repair finished on"), required=False, widget=forms.DateInput(attrs=DATE)
    )
    # No min_value: the service refuses a negative cost with the other fields' errors at once.
    cost = forms.DecimalField(
        label=_("cost (CNY)"), required=False, max_digits=14, decimal_places=2
    )
    outcome = forms.CharField(label=_("outcome"), max_length=4000, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.show_limits()


class FinishRepairForm(ShownLimitsMixin, yika_forms.Form):
    finished_on = forms.DateField(label=_("repair finished on"), widget=forms.DateInput(attrs=DATE))
    # No min_value: the service refuses a negative cost with the other fields' errors at once.
    cost = forms.DecimalField(
        label=_("cost (CNY)"), required=False, max_digits=14, decimal_places=2
    )
    outcome = forms.CharField(label=_("outcome"), max_length=4000, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.show_limits()
