"""Forms of the evidence pages: upload a file to a subject, withdraw one with a reason."""

from django import forms
from django.utils.translation import gettext_lazy as _

from assets.attachments.models import Attachment
from config import forms as yika_forms


class UploadForm(yika_forms.Form):
    kind = forms.ChoiceField(label=_("kind of paper"), choices=Attachment.Kind.choices)
    file = forms.FileField(
        label=_("file"),
        help_text=_("PDF, image (PNG, JPEG, GIF, WebP) or Office document (.docx, .xlsx, .pptx)."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".pdf,.png,.jpg,.jpeg,.gif,.webp,.docx,.xlsx,.pptx"}
        ),
    )


class WithdrawForm(yika_forms.Form):
    reason = forms.CharField(
        label=_("why is it withdrawn"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
