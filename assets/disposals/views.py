"""Web pages of disposal cases (资产处置): the list with filters (auditors read it all), the
clerk's form (from a selection of tags) and submission, the approver's inbox with approve
(number and date) and reject (reason), the case page with its items, actions and form (PDF).

Pages call `assets.disposals.services`; every case comes through the scoped querysets of
`assets.permissions` (another department's case is 404).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views import View
from django.views.generic import ListView

from assets import permissions
from assets import selectors as asset_selectors
from assets.attachments.models import Attachment
from assets.disposals import selectors, services
from assets.disposals.document import application_response
from assets.disposals.models import APPROVAL_NO_MAX
from assets.errors import DomainError
from assets.forms import ShownLimitsMixin, apply_errors
from assets.handovers.views import _error_messages, scanned_tags
from assets.models import Asset, Department, DisposalCase
from assets.security.services import record_export
from config import forms as yika_forms
from config.pagination import ForgivingPagesMixin


def _case_or_404(user, number: str) -> DisposalCase:
    """The case `number` if `user` may open its page (`permissions.readable_disposals`)."""
    return get_object_or_404(
        permissions.readable_disposals(user, selectors.disposals_visible_to(user=user)),
        number=(number or "").strip().upper(),
    )


class DisposalReaderMixin(LoginRequiredMixin):
    """Every disposal page is for the roles the header's link is for (`reads_disposals`): one
    rule for link and page, so a receiver meets the site's 403 page saying why, not a form they
    cannot submit (walk 39)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not permissions.reads_disposals(request.user):
            raise PermissionDenied(_("Disposal cases are for the asset office and approvers."))
        return super().dispatch(request, *args, **kwargs)


class DisposalListView(DisposalReaderMixin, ForgivingPagesMixin, ListView):
    """Every case the user may read, filtered by state, method, department and year."""

    template_name = "assets/disposal_list.html"
    paginate_by = 50
    context_object_name = "cases"

    def _filters(self):
        get = self.request.GET
        filters = {
            name: (get.get(name) or "").strip()
            for name in ("state", "method", "department", "year")
        }
        if filters["state"] not in DisposalCase.State.values:
            filters["state"] = ""
        if filters["method"] not in DisposalCase.Method.values:
            filters["method"] = ""
        if not selectors.valid_year(filters["year"]):
            filters["year"] = ""
        return filters

    def get_queryset(self):
        return selectors.disposals_visible_to(user=self.request.user, filters=self._filters())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filters = self._filters()
        context.update(
            filters=filters,
            filtered=any(filters.values()),
            states=DisposalCase.State.choices,
            methods=DisposalCase.Method.choices,
            departments=permissions.visible_departments(self.request.user).order_by("code"),
            querystring_base="".join(f"{k}={v}&" for k, v in filters.items() if v),
            can_create=permissions.may_prepare_disposals(self.request.user),
            inbox_count=selectors.approver_inbox(user=self.request.user).count(),
        )
        return context


class DisposalInboxView(DisposalReaderMixin, ForgivingPagesMixin, ListView):
    """The approver's inbox: submitted cases whose tier names their role."""

    template_name = "assets/disposal_inbox.html"
    paginate_by = 50
    context_object_name = "cases"

    def get_queryset(self):
        return selectors.approver_inbox(user=self.request.user)


class DisposalForm(ShownLimitsMixin, yika_forms.Form):
    method = forms.ChoiceField(label=gettext_lazy("Method"), choices=DisposalCase.Method.choices)
    grounds = forms.ChoiceField(label=gettext_lazy("Grounds"), choices=DisposalCase.Grounds.choices)
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Required for cards below their service life and for other grounds."
        ),
    )
    to_department = forms.ModelChoiceField(
        label=gettext_lazy("Receiving department (transfer)"),
        queryset=Department.objects.none(),
        empty_label=pgettext_lazy("empty choice", "Choose…"),
        required=False,
        to_field_name="code",
    )
    counterparty = forms.CharField(
        label=gettext_lazy("Counterparty (donation, sale, exchange)"),
        required=False,
        max_length=200,
    )
    evidence = forms.CharField(
        label=gettext_lazy("Evidence reference"),
        required=False,
        max_length=500,
        help_text=gettext_lazy("Appraisal or technical assessment report, its number or place."),
    )
    components = forms.ChoiceField(
        label=gettext_lazy("Live components not listed"),
        choices=[
            ("refuse", gettext_lazy("Refuse: list every live component too")),
            ("detach", gettext_lazy("Detach them at execution; they stay in use")),
        ],
        initial="refuse",
    )
    tags = forms.CharField(
        label=gettext_lazy("Cards (tags or scanned labels)"),
        widget=forms.Textarea(attrs={"rows": 4, "autocapitalize": "characters"}),
        # No length shown: the service bounds the number of cards (and Django the request).
        help_text=gettext_lazy("One per line, or separated by commas or spaces."),
    )

    evidence_kind = forms.ChoiceField(
        label=gettext_lazy("Kind of evidence file"),
        choices=Attachment.Kind.choices,
        initial=Attachment.Kind.ASSESSMENT,
        required=False,
    )
    evidence_file = forms.FileField(
        label=gettext_lazy("Evidence file"),
        required=False,
        help_text=gettext_lazy(
            "Optional: the appraisal or assessment report. More files can be attached on the "
            "case's page."
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".pdf,.png,.jpg,.jpeg,.gif,.webp,.docx,.xlsx,.pptx"}
        ),
    )

    def evidence_files(self) -> list[tuple[str, object]]:
        """The (kind, file) pairs to attach with the case; the fields are taken out of the data."""
        upload = self.cleaned_data.pop("evidence_file", None)
        kind = self.cleaned_data.pop("evidence_kind", "") or Attachment.Kind.OTHER
        return [(kind, upload)] if upload else []

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # A free transfer goes to another unit: no department of the clerk's own unit (that
        # is an internal transfer, a handover without project) receives one.
        own_unit = (
            asset_selectors.unit_department_ids(user.department) if user.department_id else []
        )
        self.fields["to_department"].queryset = (
            Department.objects.filter(is_active=True).exclude(pk__in=own_unit).order_by("code")
        )
        self.show_limits()


class DisposalCreateView(DisposalReaderMixin, View):
    """The clerk's form: method, grounds, the cards (from the register's selection or typed)."""

    template_name = "assets/disposal_form.html"

    def _check(self, request):
        if not permissions.may_prepare_disposals(request.user):
            raise PermissionDenied(_("Only asset clerks prepare disposal cases."))

    def get(self, request):
        """The form, prefilled with the register's ticked cards (`?tags=`): a card out of the
        clerk's scope is answered as one that does not exist (404)."""
        self._check(request)
        tags = scanned_tags(" ".join(request.GET.getlist("tags")))
        if tags:
            # The card page's "Dispose of" button asks the same (`may_dispose_of_card`).
            mine = {
                card.tag
                for card in permissions.changeable_assets(
                    request.user, Asset.objects.filter(tag__in=tags)
                )
                if permissions.may_dispose_of_card(request.user, card)
            }
            if set(tags) - mine:
                raise Http404(_("No card you may dispose of has one of these tags."))
        form = DisposalForm(user=request.user, initial={"tags": "\n".join(tags)})
        return render(request, self.template_name, {"form": form})

    def post(self, request):
        self._check(request)
        form = DisposalForm(request.POST, request.FILES, user=request.user)
        case = save_case_form(
            request,
            form,
            lambda **given: services.create_disposal(actor=request.user, **given),
        )
        if case is not None:
            return HttpResponseRedirect(reverse("assets:disposal-detail", args=[case.number]))
        return render(request, self.template_name, {"form": form}, status=400)


def save_case_form(request, form: DisposalForm, create) -> DisposalCase | None:
    """Open a draft from the bound case form through `create(fields=, tags=, evidence=)` (a
    service): the case, with the message said; or None, the refusal at the form's fields."""
    if not form.is_valid():
        return None
    evidence = form.evidence_files()
    fields = dict(form.cleaned_data)
    tags = scanned_tags(fields.pop("tags"))
    try:
        case = create(fields=fields, tags=tags, evidence=evidence)
    except (ValidationError, DomainError) as error:
        add_case_errors(form, error)
        return None
    messages.success(
        request,
        _("Draft disposal case %(number)s created with %(count)s card(s).")
        % {"number": case.number, "count": len(tags)},
    )
    return case


def add_case_errors(form: DisposalForm, error: Exception) -> None:
    """A refusal of the disposal service, at the form's fields (the cards' at `tags`)."""
    if isinstance(error, DomainError):
        form.add_error("tags", str(error.message))
        return
    for field, problems in error.message_dict.items():
        target = field if field in form.fields else None
        if field == "items":
            target = "tags"
        elif field == "file":
            target = "evidence_file"
        for problem in problems:
            form.add_error(target, problem)


class ApproveForm(ShownLimitsMixin, yika_forms.Form):
    approval_no = forms.CharField(
        label=gettext_lazy("Approval document number (批复文号)"), max_length=APPROVAL_NO_MAX
    )
    approved_on = forms.DateField(
        label=gettext_lazy("Approved on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.show_limits()
        # The browser refuses a future date before the confirm is asked (the service refuses
        # it too); today is Shanghai's.
        self.fields["approved_on"].widget.attrs["max"] = timezone.localdate().isoformat()


class RejectForm(ShownLimitsMixin, yika_forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for rejecting"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.show_limits()


class DisposalDetailView(DisposalReaderMixin, View):
    """The case: fields, tier, items with values, the actions its reader may take, the form."""

    def get(self, request, number, approve_form=None, reject_form=None, status=200):
        case = _case_or_404(request.user, number)
        can_prepare = permissions.can_prepare_disposal(request.user, case)
        can_decide = (
            case.state == DisposalCase.State.SUBMITTED
            and permissions.can_approve_disposal(request.user, case)
        )
        context = {
            "case": case,
            "items": list(selectors.disposal_items(case=case)),
            "can_submit": can_prepare and case.state == DisposalCase.State.DRAFT,
            "can_execute": can_prepare and case.state == DisposalCase.State.APPROVED,
            "can_decide": can_decide,
            "approve_form": approve_form
            or ApproveForm(initial={"approved_on": timezone.localdate()}),
            "reject_form": reject_form or RejectForm(),
        }
        return render(request, "assets/disposal_detail.html", context, status=status)


class _DisposalAction(DisposalReaderMixin, View):
    """A POST that runs one service and comes back to the case page with a message."""

    def authorise(self, request, case):
        if not permissions.can_prepare_disposal(request.user, case):
            raise PermissionDenied(_("Only clerks of the disposing department prepare it."))

    def post(self, request, number):
        case = _case_or_404(request.user, number)
        self.authorise(request, case)
        try:
            answer = self.run(request, case)
        except ValidationError as error:
            for message in _error_messages(error):
                messages.error(request, message)
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            if answer is not None:
                return answer
        return HttpResponseRedirect(reverse("assets:disposal-detail", args=[case.number]))


class DisposalSubmitView(_DisposalAction):
    def run(self, request, case):
        case = services.submit_disposal(case=case, actor=request.user)
        messages.success(
            request,
            _("Case %(number)s submitted: its cards are pending disposal; %(body)s approves it.")
            % {"number": case.number, "body": case.approving_body},
        )


class DisposalExecuteView(_DisposalAction):
    def run(self, request, case):
        case = services.execute_disposal(case=case, actor=request.user)
        if case.handover_id:
            text = _("Case %(number)s executed: handover %(handover)s opened to %(to)s.") % {
                "number": case.number,
                "handover": case.handover.number,
                "to": case.to_department.name,
            }
        else:
            text = _("Case %(number)s executed: %(count)s card(s) retired.") % {
                "number": case.number,
                "count": case.items.count(),
            }
        messages.success(request, text)


class DisposalApproveView(_DisposalAction):
    def authorise(self, request, case):
        permissions.require_disposal_approver(request.user, case)

    def run(self, request, case):
        form = ApproveForm(request.POST)
        if form.is_valid():
            try:
                services.approve_disposal(case=case, actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                # Said at the fields, with what the approver typed still in them.
                apply_errors(form, error)
        if form.errors:
            return DisposalDetailView().get(request, case.number, approve_form=form, status=400)
        messages.success(request, _("Case %(number)s approved.") % {"number": case.number})


class DisposalRejectView(_DisposalAction):
    def authorise(self, request, case):
        permissions.require_disposal_approver(request.user, case)

    def run(self, request, case):
        form = RejectForm(request.POST)
        if not form.is_valid():
            return DisposalDetailView().get(request, case.number, reject_form=form, status=400)
        services.reject_disposal(case=case, actor=request.user, reason=form.cleaned_data["reason"])
        messages.success(
            request,
            _("Case %(number)s rejected; its cards are back in their status before.")
            % {"number": case.number},
        )


class DisposalEditView(DisposalReaderMixin, View):
    """A draft's own form, filled in with what it says now (`services.update_disposal`)."""

    template_name = "assets/disposal_edit.html"

    def _case(self, request, number):
        case = _case_or_404(request.user, number)
        if not permissions.can_prepare_disposal(request.user, case):
            raise PermissionDenied(_("Only clerks of the disposing department prepare it."))
        if case.state != DisposalCase.State.DRAFT:
            raise PermissionDenied(_("Only a draft case can be edited."))
        return case

    def get(self, request, number):
        case = self._case(request, number)
        initial = {name: getattr(case, name) for name in services.CASE_FIELDS}
        initial["reason"] = case.reason_shown  # the system's reason in the reader's language
        initial["to_department"] = case.to_department.code if case.to_department_id else None
        initial["tags"] = "\n".join(
            case.items.order_by("asset__tag").values_list("asset__tag", flat=True)
        )
        form = self._form(request, initial=initial)
        return render(request, self.template_name, {"form": form, "case": case})

    @staticmethod
    def _form(request, *args, **kwargs) -> DisposalForm:
        # A draft's files are added and withdrawn on its page (attachments panel), not here.
        form = DisposalForm(*args, user=request.user, **kwargs)
        del form.fields["evidence_file"], form.fields["evidence_kind"]
        return form

    def post(self, request, number):
        case = self._case(request, number)
        form = self._form(request, request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            tags = scanned_tags(data.pop("tags"))
            try:
                services.update_disposal(case=case, actor=request.user, fields=data, tags=tags)
            except (ValidationError, DomainError) as error:
                add_case_errors(form, error)
            else:
                messages.success(request, _("Draft %(number)s saved.") % {"number": case.number})
                return HttpResponseRedirect(reverse("assets:disposal-detail", args=[case.number]))
        context = {"form": form, "case": case}
        return render(request, self.template_name, context, status=400)


class DisposalDeleteView(_DisposalAction):
    def run(self, request, case):
        number = services.delete_disposal(case=case, actor=request.user)
        messages.success(request, _("Draft %(number)s deleted.") % {"number": number})
        return HttpResponseRedirect(reverse("assets:disposal-list"))


class DisposalApplicationView(DisposalReaderMixin, View):
    """The application form (资产处置申请表) PDF; an executed case's is the stored one."""

    def get(self, request, number):
        case = _case_or_404(request.user, number)
        response = application_response(case)
        record_export(request=request, what="disposal-application.pdf", disposal=case.number)
        return response
