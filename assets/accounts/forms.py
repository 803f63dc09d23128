from datetime import datetime, time

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from assets.models import ApiToken
from config import forms as yika_forms


class TokenForm(yika_forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=80,
        help_text=_("What uses it, e.g. “PDA 3, second floor”."),
    )
    scope = forms.ChoiceField(
        label=_("Scope"), choices=ApiToken.Scope.choices, initial=ApiToken.Scope.SCAN
    )
    expires_on = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: the default period."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The idle rule ends a token before its date too: say so where the date is chosen.
        days = settings.YIKA_TOKEN_IDLE_DAYS
        self.fields["expires_on"].help_text = ngettext(
            "Empty: the default period. A token unused for %(days)s day stops working anyway.",
            "Empty: the default period. A token unused for %(days)s days stops working anyway.",
            days,
        ) % {"days": days}

    def expires_at(self):
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


class CodeForm(yika_forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )
