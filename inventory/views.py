"""Web pages of stocktakes: the campaign list and dashboard, the phone scan page, the
discrepancy list and the admin forms. Pages call services and selectors only."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from assets import permissions
from assets.errors import DomainError
from assets.models import Location
from inventory import exports, selectors, services
from inventory.api.views import can_manage
from inventory.forms import CampaignForm
from inventory.models import Difference, LineResult, StocktakeCampaign


class CampaignMixin(LoginRequiredMixin):
    def get_campaign(self) -> StocktakeCampaign:
        campaign = (
            selectors.campaigns_visible_to(user=self.request.user)
            .filter(pk=self.kwargs["pk"])
            .first()
        )
        if campaign is None:
            raise Http404
        return campaign


class CampaignListView(LoginRequiredMixin, ListView):
    template_name = "inventory/campaign_list.html"
    paginate_by = 30
    context_object_name = "campaigns"

    def get_queryset(self):
        return selectors.campaigns_visible_to(user=self.request.user).order_by("-year", "-id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_plan"] = permissions.has_role(
            self.request.user, permissions.CLERK, permissions.ADMIN
        )
        return context


class CampaignCreateView(LoginRequiredMixin, FormView):
    template_name = "inventory/campaign_form.html"
    form_class = CampaignForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not permissions.has_role(
            request.user, permissions.CLERK, permissions.ADMIN
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        today = timezone.localdate()
        return {"year": today.year, "reference_date": date(today.year, 12, 31)}

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["departments"] = permissions.assignable_departments(self.request.user)
        return kwargs

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            campaign = services.create_campaign(actor=self.request.user, **data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            return self.form_invalid(form)
        messages.success(self.request, _("Campaign planned. Activate it to start counting."))
        return redirect("inventory:campaign-detail", pk=campaign.pk)


class CampaignDetailView(CampaignMixin, TemplateView):
    """The auditor's dashboard: progress per department and location, overdue, differences."""

    template_name = "inventory/campaign_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        campaign = self.get_campaign()
        user = self.request.user
        by_department = selectors.progress(campaign=campaign, user=user, by="department")
        summary = selectors.progress_summary(by_department)
        report = (
            selectors.report(campaign=campaign, user=user)
            if campaign.state != StocktakeCampaign.State.DRAFT
            else None
        )
        overdue = campaign.state == StocktakeCampaign.State.ACTIVE and (
            timezone.localdate() > campaign.due_on
        )
        context.update(
            campaign=campaign,
            by_department=by_department,
            by_location=selectors.progress(campaign=campaign, user=user, by="location"),
            summary=summary,
            total=summary["total"],
            done=summary["done"],
            percent=summary["percent"],
            overdue=overdue,
            overdue_departments=[r for r in by_department if r["pending"]] if overdue else [],
            can_manage=can_manage(self.request.user, campaign),
            is_admin=permissions.is_admin(self.request.user),
            can_count=campaign.state == StocktakeCampaign.State.ACTIVE
            and permissions.has_role(self.request.user, permissions.CLERK, permissions.ADMIN),
            report=report,
            report_coverage=exports.coverage_text(report) if report else "",
            intact=selectors.result_is_intact(campaign=campaign) if campaign.result else None,
        )
        return context


class CampaignActionView(CampaignMixin, View):
    """POST activate / close / archive from the dashboard."""

    actions = {
        "activate": services.activate_campaign,
        "close": services.close_campaign,
        "archive": services.archive_campaign,
    }

    def post(self, request, pk, verb):
        campaign = self.get_campaign()
        if verb not in self.actions:
            raise Http404
        if not can_manage(request.user, campaign) or (
            verb == "archive" and not permissions.is_admin(request.user)
        ):
            raise PermissionDenied
        try:
            self.actions[verb](campaign=campaign, actor=request.user)
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Done."))
        return redirect("inventory:campaign-detail", pk=campaign.pk)


class ScanView(CampaignMixin, TemplateView):
    """The clerk's phone page: camera, keyboard-wedge field, big answer, pending nearby."""

    template_name = "inventory/scan.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        campaign = self.get_campaign()
        if campaign.state != StocktakeCampaign.State.ACTIVE or not permissions.has_role(
            self.request.user, permissions.CLERK, permissions.ADMIN
        ):
            raise PermissionDenied
        context["campaign"] = campaign
        context["locations"] = Location.objects.filter(is_active=True).order_by("code")
        return context


class DifferenceListView(CampaignMixin, ListView):
    """The discrepancy list with filters; read-only for auditors."""

    template_name = "inventory/difference_list.html"
    paginate_by = 50
    context_object_name = "differences"

    def get_queryset(self):
        self.campaign = self.get_campaign()
        items = selectors.differences_visible_to(user=self.request.user, campaign=self.campaign)
        kind = self.request.GET.get("kind")
        if kind in Difference.Kind.values:
            items = items.filter(kind=kind)
        state = self.request.GET.get("state")
        if state in Difference.State.values:
            items = items.filter(state=state)
        department = (self.request.GET.get("department") or "").strip()
        if department:
            items = items.filter(line__department__code=department)
        return items

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            campaign=self.campaign,
            kinds=Difference.Kind.choices,
            states=Difference.State.choices,
            querystring_base=(query.urlencode() + "&") if query else "",
        )
        return context


class LineListView(CampaignMixin, ListView):
    template_name = "inventory/line_list.html"
    paginate_by = 100
    context_object_name = "lines"

    def get_queryset(self):
        self.campaign = self.get_campaign()
        lines = selectors.lines_visible_to(user=self.request.user, campaign=self.campaign)
        result = self.request.GET.get("result")
        if result in LineResult.values:
            lines = lines.filter(result=result)
        return lines.order_by("tag", "id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            campaign=self.campaign,
            results=LineResult.choices,
            querystring_base=(query.urlencode() + "&") if query else "",
        )
        return context


class LinePhotoView(CampaignMixin, View):
    """A surplus or confirmation photo, from private storage, to those who may read the line."""

    def get(self, request, pk, line_id):
        from pathlib import Path

        from django.conf import settings

        campaign = self.get_campaign()
        line = get_object_or_404(
            selectors.lines_visible_to(user=request.user, campaign=campaign), pk=line_id
        )
        if not line.photo:
            raise Http404
        root = Path(settings.PRIVATE_MEDIA_ROOT).resolve()
        path = (root / line.photo).resolve()
        if root not in path.parents or not path.is_file():
            raise Http404
        response = FileResponse(
            open(path, "rb"),  # noqa: SIM115 - FileResponse closes it
            as_attachment=True,
            filename=path.name,
            content_type="image/png" if path.suffix == ".png" else "image/jpeg",
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response
