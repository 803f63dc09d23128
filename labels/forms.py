"""Forms of the label pages: the queue filter and the print selection."""

from django import forms
from django.utils.translation import gettext_lazy as _

from config import forms as yika_forms
from labels.models import QUEUE_FILTERS, LabelTemplate


class TemplateChoiceField(forms.ModelChoiceField):
    """A label template by the name people read; its code is the option's value, not its text
    (on a phone "A4 标签纸 70×40（3×7）(a4-70x40)" no longer fits the box)."""

    def label_from_instance(self, obj):
        return obj.display_name


class QueueFilterForm(yika_forms.Form):
    FILTERS = QUEUE_FILTERS
    filter = forms.ChoiceField(label=_("Show"), choices=FILTERS, required=False)
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    owner_department = forms.CharField(
        label=_("Owning department code"), required=False, max_length=32
    )


class PrintForm(yika_forms.Form):
    """What to print: the ticked cards, everything the filter shows, or a host and its subtree."""

    MODE_SELECTED = "selected"
    MODE_FILTER = "filter"
    MODE_HOST = "host"
    MODES = [
        (MODE_SELECTED, _("The ticked assets")),
        (MODE_FILTER, _("Every asset the filter shows")),
        (MODE_HOST, _("A host and its subtree")),
    ]
    template = TemplateChoiceField(
        label=_("Template"),
        queryset=LabelTemplate.objects.filter(is_active=True).order_by("kind", "code"),
        to_field_name="code",
        empty_label=None,
    )
    mode = forms.ChoiceField(
        label=_("Print"), choices=MODES, initial=MODE_SELECTED, widget=forms.RadioSelect
    )
    tags = forms.MultipleChoiceField(required=False)  # choices are checked by the scoped lookup
    host = forms.CharField(label=_("Host tag"), required=False, max_length=100)
    filter = forms.CharField(required=False, widget=forms.HiddenInput)
    q = forms.CharField(required=False, widget=forms.HiddenInput, max_length=100)
    owner_department = forms.CharField(required=False, widget=forms.HiddenInput, max_length=32)
    page = forms.CharField(required=False, widget=forms.HiddenInput, max_length=9)
    # The labels the clerk agreed to void ("TAG:serial,…"), set by the page that asked.
    confirm_void = forms.CharField(required=False, widget=forms.HiddenInput, max_length=100000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any tag may be posted; `selectors.resolve_tags` decides which exist and are in scope.
        self.fields["tags"].valid_value = lambda value: True

    def clean(self):
        data = super().clean()
        mode = data.get("mode")
        if mode == self.MODE_SELECTED and not data.get("tags"):
            self.add_error("tags", _("Tick at least one asset in the list below."))
        if mode == self.MODE_HOST and not (data.get("host") or "").strip():
            self.add_error("host", _("Enter the host's tag."))
        return data


class CardPrintForm(yika_forms.Form):
    template = TemplateChoiceField(
        label=_("Template"),
        queryset=LabelTemplate.objects.filter(is_active=True).order_by("kind", "code"),
        to_field_name="code",
        empty_label=None,
    )


class VoidForm(yika_forms.Form):
    reason = forms.CharField(label=_("Why is the label voided?"), max_length=2000)
