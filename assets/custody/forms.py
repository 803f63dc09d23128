"""Forms of the custody pages: check-out, loan outside the unit, check-in."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from assets import permissions
from assets.forms import ShownLimitsMixin
from config import forms as yika_forms


class CheckoutForm(ShownLimitsMixin, yika_forms.Form):
    user = forms.ModelChoiceField(
        label=_("holder"), queryset=None, empty_label=pgettext_lazy("empty choice", "Choose…")
    )
    due_on = forms.DateField(
        label=_("due back on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Optional; not in the past."),
    )
    note = forms.CharField(label=_("note"), required=False, max_length=2000)

    def __init__(self, *args, user, asset, **kwargs):
        super().__init__(*args, **kwargs)
        # The accounts the clerk may name that may hold this card (the service checks again).
        candidates = permissions.assignable_custodians(user).select_related("department")
        allowed = [c.pk for c in candidates if permissions.may_hold_card(c, asset)]
        self.fields["user"].queryset = candidates.filter(pk__in=allowed).order_by("username")
        self.fields["due_on"].widget.attrs["min"] = timezone.localdate().isoformat()
        self.show_limits()


class LendForm(ShownLimitsMixin, yika_forms.Form):
    counterparty = forms.CharField(label=_("borrower"), max_length=200)
    due_on = forms.DateField(label=_("due back on"), widget=forms.DateInput(attrs={"type": "date"}))
    approval_ref = forms.CharField(
        label=_("approval reference"),
        max_length=80,
        help_text=_("Lending outside the unit needs approval (批复文号)."),
    )
    note = forms.CharField(label=_("note"), required=False, max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.show_limits()


class CheckinForm(ShownLimitsMixin, yika_forms.Form):
    note = forms.CharField(label=_("note"), required=False, max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.show_limits()
