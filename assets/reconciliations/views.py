"""Pages of reconciliation with the finance books: upload with the column mapping, the result
with its counts, totals and difference lists, and each difference's explain/approve/post."""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.generic import TemplateView

from assets import history, permissions, spreadsheets
from assets.errors import DomainError
from assets.reconciliations import selectors, services
from assets.reconciliations.columns import FIELDS, MappingError, RowsHaveErrors, field_label
from assets.reconciliations.models import ReconciliationDifference, ValueUnit
from config import formatting
from config import forms as yika_forms

ROWS_ON_PAGE = 100
ERRORS_ON_PAGE = 500


class ReconciliationUploadForm(yika_forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Finance export"),
        help_text=gettext_lazy(
            "The finance system's card export: .xlsx or .csv (UTF-8 or GB18030), at most 25 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    value_unit = forms.ChoiceField(
        label=gettext_lazy("Unit of amounts"),
        choices=[
            ("", gettext_lazy("As the headers say (元 unless 万元 is named)")),
            *ValueUnit.choices,
        ],
        required=False,
    )
    as_of = forms.DateField(
        label=gettext_lazy("Compare depreciation as of"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("Empty: today."),
    )

    def __init__(self, *args, saved=None, may_remember=False, **kwargs):
        super().__init__(*args, **kwargs)
        columns = (saved.columns if saved else {}) or {}
        for item in FIELDS:
            self.fields[f"map_{item.key}"] = forms.CharField(
                label=field_label(item.key),
                required=False,
                initial=columns.get(item.key, ""),
                max_length=200,
            )
        if saved and saved.value_unit and not self.is_bound:
            self.fields["value_unit"].initial = saved.value_unit
        if may_remember:
            self.fields["remember_mapping"] = forms.BooleanField(
                label=gettext_lazy("Save these headers as the deployment's mapping"),
                required=False,
            )

    def mapping_fields(self):
        return [self[f"map_{item.key}"] for item in FIELDS]

    def plain_fields(self):
        return [self[name] for name in ("file", "value_unit", "as_of")]

    def mapping(self) -> dict[str, str]:
        return {
            item.key: self.cleaned_data[f"map_{item.key}"].strip()
            for item in FIELDS
            if self.cleaned_data.get(f"map_{item.key}", "").strip()
        }


class ReconcilerMixin(LoginRequiredMixin):
    """Reading is for every role that reads reconciliations (`reads_reconciliations`, the rule
    of the header's link too); the upload is for reconcilers. Others meet the site's 403 page
    saying why, not a form they cannot submit (walk 39)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not permissions.reads_reconciliations(request.user):
            raise PermissionDenied(_("Reconciliation with finance is for the asset office."))
        return super().dispatch(request, *args, **kwargs)


class ReconciliationUploadView(ReconcilerMixin, TemplateView):
    template_name = "assets/reconciliation_upload.html"

    def _form(self, data=None, files=None):
        return ReconciliationUploadForm(
            data,
            files,
            saved=services.saved_mapping(),
            may_remember=permissions.is_admin(self.request.user),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if permissions.can_reconcile(user):
            context.setdefault("form", self._form())
        context["reconciliations"] = selectors.reconciliations_visible_to(user=user)[:20]
        context["saved"] = services.saved_mapping()
        return context

    def post(self, request, *args, **kwargs):
        if not permissions.can_reconcile(request.user):
            raise PermissionDenied(_("Only clerks and administrators reconcile with finance."))
        form = self._form(request.POST, request.FILES)
        row_errors = []
        if form.is_valid():
            try:
                reconciliation = services.create_reconciliation(
                    actor=request.user,
                    upload=form.cleaned_data["file"],
                    mapping=form.mapping(),
                    value_unit=form.cleaned_data["value_unit"],
                    as_of=form.cleaned_data["as_of"],
                    remember_mapping=form.cleaned_data.get("remember_mapping", False),
                )
            except RowsHaveErrors as failure:
                form.add_error(None, str(failure.message))
                row_errors = failure.errors
            except MappingError as problem:
                target = "value_unit" if problem.field == "value_unit" else None
                form.add_error(target, str(problem.message))
            except spreadsheets.SpreadsheetError as problem:
                form.add_error("file", str(problem.message))
            except ValidationError as problem:
                form.add_error(None, problem)
            else:
                messages.success(request, _("Reconciled: the results are below."))
                return redirect("assets:reconciliation-detail", pk=reconciliation.pk)
        context = self.get_context_data(form=form)
        context.update(
            row_errors=row_errors[:ERRORS_ON_PAGE],
            more_errors=max(len(row_errors) - ERRORS_ON_PAGE, 0),
        )
        return self.render_to_response(context, status=400)


RESULT_LABELS = {
    selectors.MATCHED: gettext_lazy("Matched"),
    **dict(ReconciliationDifference.Kind.choices),
}


class ReconciliationDetailView(ReconcilerMixin, TemplateView):
    template_name = "assets/reconciliation_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        reconciliation = get_object_or_404(
            selectors.reconciliations_visible_to(user=user), pk=self.kwargs["pk"]
        )
        counts = selectors.counts_of(reconciliation)
        result = self.request.GET.get("result")
        if result not in selectors.RESULTS:
            result = next((r for r in selectors.RESULTS[1:] if counts[r]), selectors.MATCHED)
        if result == selectors.MATCHED:
            rows = selectors.matched_rows(reconciliation=reconciliation)
        else:
            rows = selectors.differences_visible_to(
                user=user, filters={"reconciliation": reconciliation.pk, "kind": result}
            )
        page = Paginator(rows, ROWS_ON_PAGE).get_page(self.request.GET.get("page"))
        totals = reconciliation.totals or {}
        context.update(
            reconciliation=reconciliation,
            results=[(key, RESULT_LABELS[key], counts[key]) for key in selectors.RESULTS],
            result=result,
            result_label=RESULT_LABELS[result],
            page=page,
            category_gaps=[r for r in totals.get("category", []) if not r["agrees"]],
            department_gaps=[r for r in totals.get("department", []) if not r["agrees"]],
            totals=totals,
        )
        return context


class ExplainForm(yika_forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    treatment = forms.ChoiceField(
        label=gettext_lazy("Treatment"),
        choices=ReconciliationDifference.Treatment.choices,
        widget=forms.RadioSelect,
    )


class DifferenceDetailView(ReconcilerMixin, TemplateView):
    template_name = "assets/reconciliation_difference.html"

    def _difference(self):
        return get_object_or_404(
            selectors.differences_visible_to(user=self.request.user).select_related(
                "reconciliation", "explained_by", "approved_by", "posted_by"
            ),
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        difference = kwargs.get("difference") or self._difference()
        State = ReconciliationDifference.State
        may_explain = permissions.can_reconcile(user) and difference.state in (
            State.RAISED,
            State.EXPLAINED,
        )
        approver = permissions.is_admin(user)
        corrections, correction_error = {}, ""
        if difference.treatment == "card" and difference.state == State.APPROVED:
            try:
                corrections = services.card_corrections(difference)
            except ValidationError as problem:
                correction_error = " ".join(problem.messages)
        changes = _card_changes(difference, corrections)
        what = _difference_card(difference)
        context.update(
            difference=difference,
            reconciliation=difference.reconciliation,
            changes=changes,
            # Irreversible steps say what they do, in numbers and names.
            approve_confirm=_("Approve the treatment “%(treatment)s” for %(card)s?")
            % {"treatment": difference.get_treatment_display(), "card": what},
            post_confirm=(
                _(
                    "Post? Card %(card)s is corrected with the finance values: %(changes)s. This cannot be undone."
                )
                % {
                    "card": what,
                    "changes": pgettext("between changes", "; ").join(
                        f"{change['label']} {change['old']} → {change['new']}" for change in changes
                    ),
                }
                if difference.treatment == ReconciliationDifference.Treatment.CARD
                else _("Post to the finance task list? This closes the difference for good.")
            ),
            explain_form=kwargs.get("explain_form")
            or (
                ExplainForm(
                    initial={"reason": difference.reason, "treatment": difference.treatment}
                )
                if may_explain
                else None
            ),
            can_approve=approver and difference.state == State.EXPLAINED,
            can_post=approver and difference.state == State.APPROVED,
            corrections=corrections,
            correction_error=correction_error,
        )
        return context

    def post(self, request, *args, **kwargs):
        difference = self._difference()
        if not permissions.can_reconcile(request.user):
            raise PermissionDenied(_("Only clerks and administrators reconcile with finance."))
        step = request.POST.get("step")
        try:
            if step == "explain":
                form = ExplainForm(request.POST)
                if not form.is_valid():
                    context = self.get_context_data(difference=difference, explain_form=form)
                    return self.render_to_response(context, status=400)
                services.explain_difference(
                    difference=difference, actor=request.user, **form.cleaned_data
                )
                messages.success(request, _("The explanation was saved."))
            elif step == "approve":
                services.approve_difference(difference=difference, actor=request.user)
                messages.success(request, _("The difference was approved."))
            elif step == "post":
                services.post_difference(difference=difference, actor=request.user)
                messages.success(request, _("The difference was posted."))
            else:
                return redirect("assets:reconciliation-difference", pk=difference.pk)
        except ValidationError as problem:
            form = ExplainForm(request.POST) if step == "explain" else None
            if form is not None:
                form.is_valid()
                for name, errors in problem.message_dict.items():
                    for error in errors:
                        form.add_error(name if name in form.fields else None, error)
                context = self.get_context_data(difference=difference, explain_form=form)
                return self.render_to_response(context, status=400)
            messages.error(request, " ".join(problem.messages))
        except DomainError as refusal:
            messages.warning(request, str(refusal.message))
        return redirect("assets:reconciliation-difference", pk=difference.pk)


def _difference_card(difference) -> str:
    """The card a difference is about, as its reader names it: the tag, else the finance row's
    legacy number or tag."""
    if difference.asset_id:
        return f"{difference.asset.tag} {difference.asset.name}"
    row = difference.finance_row
    return (row.legacy_number or row.tag or "—") if row else "—"


def _card_value(name: str, value) -> str:
    if value in (None, ""):
        return "—"
    if name == "original_value":
        return formatting.money(value)
    if name == "booked_on":
        return value.strftime("%Y-%m-%d")
    if name == "category":
        return f"{value.code} {value.name}"
    return str(value)


def _card_changes(difference, corrections: dict) -> list[dict]:
    """Each card field posting writes: its label, the card's value now and the finance value."""
    asset = difference.asset
    return [
        {
            "label": history.field_label(name),
            "old": _card_value(name, getattr(asset, name, None) if asset else None),
            "new": _card_value(name, value),
        }
        for name, value in corrections.items()
    ]
