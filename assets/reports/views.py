"""Web pages of the register reports: the dashboard (概览)."""

import datetime as dt

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from assets import permissions
from assets.reports import dashboard, selectors


class DashboardView(LoginRequiredMixin, TemplateView):
    """The register at a glance, in the reader's scope; every chart has its table."""

    template_name = "assets/dashboard.html"

    def get(self, request, *args, **kwargs):
        # A plain holder's register is the cards they hold: their home is "my assets" (the
        # department figures here would all be another scope's, or zero).
        if permissions.holds_only(request.user):
            return redirect("assets:my-assets")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        user = self.request.user
        figures = dashboard.figures(user)
        panels = [
            {"key": "category", "title": _("Value by top-level category"), **figures["category"]},
            {
                "key": "department",
                "title": _("Value by owning department"),
                **figures["department"],
            },
            {"key": "status", "title": _("Status mix"), **figures["status"]},
            {"key": "age", "title": _("Age profile"), **figures["age"]},
            *dashboard.extra_panels(user),
        ]
        today = timezone.localdate()
        yesterday = today - dt.timedelta(days=1)
        return super().get_context_data(
            today=today,
            yesterday=yesterday,
            year_start=yesterday.replace(month=1, day=1),
            scope=selectors.scope_text(user),
            panels=panels,
            age=figures["age"],
            # The list only when the age profile counted a card past its useful life.
            past_life=dashboard.past_life_cards(user) if figures["age"]["past_count"] else [],
            open_work=dashboard.open_work(user),
            **kwargs,
        )
