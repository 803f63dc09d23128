"""The user's reminder choice on their account page (`views.ReminderChoiceView`)."""

from django.utils.translation import gettext_lazy as _

from config import forms as yika_forms
from inventory.models import ReminderChannel, ReminderChoice
from inventory.reminders.channels import choice_of, configured_channels

KINDS = ReminderChannel.Kind.values


class ReminderChoiceForm(yika_forms.ModelForm):
    """E-mail, and each kind of channel configured for the user or their department, with the
    user id a WeCom or DingTalk robot mentions. Kinds not configured for them are not offered
    and keep what they were."""

    class Meta:
        model = ReminderChoice
        fields = [
            "by_email",
            "by_wecom",
            "wecom_userid",
            "by_dingtalk",
            "dingtalk_userid",
            "by_webhook",
        ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, instance=choice_of(user), **kwargs)
        self.user = user
        self.configured = set(configured_channels(user).values_list("kind", flat=True))
        for kind in KINDS:
            if kind not in self.configured:
                del self.fields[f"by_{kind}"]
                self.fields.pop(f"{kind}_userid", None)
        if not user.email:
            self.fields["by_email"].help_text = _(
                "You have no e-mail address in Yika, so no e-mail is sent. Ask an administrator "
                "to add one."
            )

    def chosen_kinds(self) -> set[str]:
        data = self.cleaned_data
        return {
            kind
            for kind in KINDS
            if (data[f"by_{kind}"] if kind in self.configured else self.instance.takes(kind))
        }
