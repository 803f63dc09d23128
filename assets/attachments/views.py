"""Web pages of evidence: the upload form (sent from a card's or a handover's page), download
and sandboxed preview, the withdraw page (asks first, says what it does), and the ZIP of a
handover's files. Every page reads through `selectors` (404 outside the reader's scope) and
changes through `services`."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from assets import permissions
from assets.attachments import archive, selectors, services, subjects
from assets.attachments.forms import UploadForm, WithdrawForm
from assets.attachments.serving import file_response
from assets.errors import DomainError
from assets.forms import apply_errors
from assets.handovers import selectors as handover_selectors


def _subject_url(kind, obj) -> str:
    return kind.url(obj) if kind.url else reverse("assets:asset-list")


def _require_attacher(user) -> None:
    if not permissions.has_role(user, *permissions.ATTACHMENT_WRITERS):
        raise PermissionDenied(_("Your role may not add or withdraw files."))


class AttachmentUploadView(LoginRequiredMixin, View):
    """GET: the form for `?subject=`; POST (to the same URL): store the file and go back to the
    subject's page, or show the form again (400) with the refusal at its field."""

    template_name = "assets/attachments/upload.html"

    def _subject(self, request):
        _require_attacher(request.user)
        try:
            return subjects.resolve(user=request.user, reference=request.GET.get("subject", ""))
        except ValidationError:
            raise Http404(_("No such subject.")) from None

    def _page(self, request, form, kind, obj, status=200):
        context = {
            "form": form,
            "subject_label": kind.label,
            "subject_key": getattr(obj, kind.key),
            "back": _subject_url(kind, obj),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        kind, obj = self._subject(request)
        return self._page(request, UploadForm(), kind, obj)

    def post(self, request):
        kind, obj = self._subject(request)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > services.max_bytes() + 64 * 1024:
            # Refused before the body is read: the form comes back with the limit named.
            form = UploadForm(data={"kind": request.GET.get("kind") or "other"})
            form.is_valid()
            form.errors.pop("file", None)
            form.add_error("file", services.too_large_message())
            return self._page(request, form, kind, obj)
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                attachment = services.add_attachment(
                    actor=request.user,
                    subject=kind.reference(obj),
                    kind=form.cleaned_data["kind"],
                    upload=form.cleaned_data["file"],
                )
            except (ValidationError, DomainError) as error:
                apply_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(name)s was attached (SHA-256 %(sha)s…).")
                    % {"name": attachment.file_name, "sha": attachment.blob.sha256[:12]},
                )
                return HttpResponseRedirect(_subject_url(kind, obj))
        return self._page(request, form, kind, obj)


class AttachmentFileView(LoginRequiredMixin, View):
    """The file, to a reader of its subject: a download, or (`preview`) a sandboxed inline view
    of a PDF or an image."""

    inline = False

    def get(self, request, pk):
        attachment = selectors.readable_attachment(user=request.user, pk=pk)
        if attachment is None:
            raise Http404(_("No such file."))
        return file_response(attachment, inline=self.inline)


class AttachmentWithdrawView(LoginRequiredMixin, View):
    """Withdraw a wrong upload: the page says what happens (it stays, marked, with the reason)
    and asks for the reason; the button asks once more."""

    template_name = "assets/attachments/withdraw.html"

    def _attachment(self, request, pk):
        attachment = selectors.readable_attachment(user=request.user, pk=pk)
        if attachment is None:
            raise Http404(_("No such file."))
        _require_attacher(request.user)
        services.require_attachment_withdrawer(actor=request.user, attachment=attachment)
        return attachment

    def _page(self, request, attachment, form, status=200):
        kind, obj = subjects.subject_of(attachment)
        context = {
            "attachment": attachment,
            "form": form,
            "subject_label": kind.label,
            "subject_key": getattr(obj, kind.key),
            "back": _subject_url(kind, obj),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request, pk):
        attachment = self._attachment(request, pk)
        return self._page(request, attachment, WithdrawForm())

    def post(self, request, pk):
        attachment = self._attachment(request, pk)
        form = WithdrawForm(request.POST)
        if form.is_valid():
            try:
                services.withdraw_attachment(
                    attachment=attachment, actor=request.user, reason=form.cleaned_data["reason"]
                )
            except (ValidationError, DomainError) as error:
                apply_errors(form, error)
            else:
                messages.success(
                    request, _("%(name)s is marked withdrawn.") % {"name": attachment.file_name}
                )
                kind, obj = subjects.subject_of(attachment)
                return HttpResponseRedirect(_subject_url(kind, obj))
        return self._page(request, attachment, form)


class HandoverAttachmentsZipView(LoginRequiredMixin, View):
    """Every file of a handover and of its cards, as one ZIP with SHA-256 sums (for auditors,
    and anyone who reads the handover; cards they do not read are left out)."""

    def get(self, request, number):
        handover = (
            handover_selectors.handovers_visible_to(user=request.user)
            .filter(number=(number or "").strip().upper())
            .first()
        )
        if handover is None:
            raise Http404(_("No such handover."))
        files = list(
            selectors.attachments_of(user=request.user, kind="handover", ids=[handover.pk])
        )
        card_ids = handover.items.values_list("asset_id", flat=True)
        files += list(selectors.attachments_of(user=request.user, kind="asset", ids=card_ids))
        return archive.zip_response(
            files, file_name=_("%(number)s-attachments.zip") % {"number": handover.number}
        )
