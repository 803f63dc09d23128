"""Upkeep pages: report a fault (phone-first, for whoever holds or reads the card), a clerk's
repairs page of a card, and the lists of cards out of warranty without a contract and of cards
whose repairs cost more than they are worth. Forms validate; services change."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from assets import permissions
from assets.custody import selectors as custody_selectors
from assets.errors import DomainError
from assets.forms import apply_errors
from assets.maintenance import forms, selectors, services
from assets.views import ChangeMixin, _visible_asset


class ReportFaultView(LoginRequiredMixin, FormView):
    """ "Report a fault" on a card the user holds or reads (auditors read only: 403)."""

    template_name = "assets/maintenance/report_fault.html"
    form_class = forms.FaultForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.asset = _visible_asset(request.user, kwargs["tag"])
        permissions.require_fault_reporter(request.user, self.asset)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "asset": self.asset}

    def form_valid(self, form):
        try:
            services.report_fault(
                asset=self.asset, actor=self.request.user, fault=form.cleaned_data["fault"]
            )
        except (ValidationError, DomainError) as error:
            apply_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Fault on %(tag)s reported to the asset office.") % {"tag": self.asset.tag},
        )
        return HttpResponseRedirect(reverse("assets:asset-detail", args=[self.asset.tag]))


class AssetRepairsView(ChangeMixin, TemplateView):
    """A clerk's repairs page of a card: record a repair, or the return of the one under way."""

    template_name = "assets/maintenance/asset_repairs.html"

    def under_way(self):
        return (
            selectors.repairs_of(asset=self.asset)
            .filter(started_on__isnull=False, finished_on__isnull=True)
            .first()
        )

    def fault_report(self):
        """The latest reported fault not yet sent for repair: the repair recorded here is that
        record's (one line, the report linked to its repair), not a second one."""
        return (
            selectors.repairs_of(asset=self.asset)
            .filter(started_on__isnull=True, finished_on__isnull=True)
            .first()
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        repair = self.under_way()
        context["under_way"] = repair
        report = None if repair else self.fault_report()
        context["fault_report"] = report
        if repair:
            context.setdefault("form", forms.FinishRepairForm(prefix="finish"))
        else:
            initial = {"fault": report.fault} if report else {}
            context.setdefault("form", forms.RepairForm(initial=initial))
        context["repairs"] = selectors.repairs_of(asset=self.asset)[:50]
        return context

    def post(self, request, *args, **kwargs):
        repair = self.under_way()
        report = None if repair else self.fault_report()
        if repair:
            form = forms.FinishRepairForm(request.POST, prefix="finish")
        else:
            form = forms.RepairForm(request.POST)
        if form.is_valid():
            fields = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
            try:
                if repair or report:
                    services.update_repair(
                        repair=repair or report, actor=request.user, fields=fields
                    )
                else:
                    services.record_repair(asset=self.asset, actor=request.user, fields=fields)
            except (ValidationError, DomainError) as error:
                apply_errors(form, error)
            else:
                messages.success(
                    request, _("Repair of %(tag)s recorded.") % {"tag": self.asset.tag}
                )
                return HttpResponseRedirect(reverse("assets:asset-detail", args=[self.asset.tag]))
        return self.render_to_response(self.get_context_data(form=form), status=400)


class UpkeepListsView(LoginRequiredMixin, TemplateView):
    """The upkeep work lists: reported faults and repairs under way, check-outs and loans past
    their due date (the dashboard's counter links here), cards out of warranty with no contract,
    and cards whose repairs exceed their net value. Each work row links to its card and, for
    whoever may change the card, to the page that settles it."""

    template_name = "assets/maintenance/upkeep_lists.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        repairs = list(selectors.open_repairs(user=user)[:500])
        overdue = list(custody_selectors.overdue_records(user=user)[:500])
        changeable = set(
            permissions.changeable_assets(user)
            .filter(pk__in={r.asset_id for r in repairs} | {r.asset_id for r in overdue})
            .values_list("pk", flat=True)
        )
        for row in repairs + overdue:
            row.may_act = row.asset_id in changeable
        context["open_repairs"] = repairs
        context["overdue"] = overdue
        context["uncovered"] = selectors.uncovered_after_warranty(user=user)[:500]
        costly = selectors.costly_to_repair(user=user)[:500]
        for asset in costly:
            asset.net_value = asset.net_book_value()
        context["costly"] = costly
        return context
