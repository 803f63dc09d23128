"""Web pages of the ledger import: upload → preview → apply, and the export buttons.

Jobs are private to their uploader: another user's job is a 404. Only clerks and admins import.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from assets import permissions, spreadsheets
from assets.errors import TransitionNotAllowed
from assets.imports import jobs
from assets.imports.columns import ImportHasErrors, said, said_errors
from config import forms as yika_forms

ERRORS_ON_PAGE = 1000


class ImportUploadForm(yika_forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Ledger file"),
        help_text=gettext_lazy(
            "An .xlsx or .csv file (UTF-8, UTF-8 with BOM or GB18030), at most 25 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


class ImporterRequiredMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not permissions.can_change_assets(request.user):
            raise PermissionDenied(
                _(
                    "Only asset clerks and administrators import ledgers; you can read the "
                    "register and export it from the asset list."
                )
            )
        return super().dispatch(request, *args, **kwargs)


class ImportUploadView(ImporterRequiredMixin, TemplateView):
    template_name = "assets/import_upload.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", ImportUploadForm())
        context["jobs"] = permissions.visible_import_jobs(self.request.user)[:20]
        return context

    def post(self, request, *args, **kwargs):
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                job = jobs.create_import_job(actor=request.user, upload=form.cleaned_data["file"])
            except spreadsheets.SpreadsheetError as problem:
                form.add_error("file", str(problem.message))
            else:
                return redirect("assets:import-detail", pk=job.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ImportJobDetailView(ImporterRequiredMixin, TemplateView):
    template_name = "assets/import_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        job = get_object_or_404(
            permissions.visible_import_jobs(self.request.user), pk=self.kwargs["pk"]
        )
        failed = {error["row"] for error in job.errors}
        context.update(
            job=job,
            # Said in the reader's language, whoever uploaded the file.
            errors=said_errors(job.errors[:ERRORS_ON_PAGE]),
            error_rows=len(failed),
            more_errors=max(len(job.errors) - ERRORS_ON_PAGE, 0),
            # A row with an error does nothing: it is shown as such, not as its planned action.
            preview=[
                {**row, "action": "error"} if row["row"] in failed else row for row in job.preview
            ],
            more_rows=max(job.row_count - len(job.preview), 0),
            unmatched=[
                {**warning, "message": said(warning)}
                for warning in (job.columns or {}).get("unmatched", [])
            ],
            examples=(job.columns or {}).get("examples", []),
        )
        return context


class ImportApplyView(ImporterRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        job = permissions.visible_import_jobs(request.user).filter(pk=pk).first()
        if job is None:
            raise Http404
        try:
            job = jobs.apply_import_job(job=job, actor=request.user)
        except ImportHasErrors as failure:
            messages.error(request, str(failure.message))
        except TransitionNotAllowed as refusal:
            messages.warning(request, str(refusal.message))
        else:
            messages.success(
                request,
                _("Imported: %(create)s cards registered, %(update)s updated, %(same)s unchanged.")
                % {
                    "create": job.create_count,
                    "update": job.update_count,
                    "same": job.unchanged_count,
                },
            )
        return redirect("assets:import-detail", pk=pk)
