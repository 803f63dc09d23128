"""The security log page for auditors and administrators: filters, the events, an export."""

from __future__ import annotations

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django.views.generic import ListView

from assets import permissions
from assets.security import selectors
from assets.security.models import SecurityEvent
from config import forms as yika_forms
from config.pagination import ForgivingPagesMixin


class SecurityLogFilterForm(yika_forms.Form):
    kind = forms.ChoiceField(
        label=_("Event"),
        required=False,
        choices=[("", _("All events")), *SecurityEvent.Kind.choices],
    )
    user = forms.CharField(label=_("User"), required=False, max_length=150)
    since = forms.DateField(
        label=_("Since"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class SecurityLogView(LoginRequiredMixin, ForgivingPagesMixin, ListView):
    template_name = "assets/security_log.html"
    context_object_name = "events"
    paginate_by = 50

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not permissions.may_read_security_log(request.user):
            raise PermissionDenied(_("Only auditors and administrators read the security log."))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        self.form = SecurityLogFilterForm(request.GET or None)
        response = super().get(request, *args, **kwargs)
        if self.form.is_bound and not self.form.is_valid():
            response.status_code = 400
        return response

    def get_queryset(self):
        if self.form.is_bound and not self.form.is_valid():
            return SecurityEvent.objects.none()
        data = self.form.cleaned_data if self.form.is_bound else {}
        return selectors.security_events(
            user=self.request.user,
            kind=data.get("kind") or None,
            username=(data.get("user") or "").strip() or None,
            since=data.get("since"),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for event in context["events"]:
            event.detail_pairs = selectors.detail_pairs(event.detail)
        query = self.request.GET.copy()
        query.pop("page", None)
        encoded = query.urlencode()
        context.update(
            form=self.form,
            filtered=bool(encoded),
            querystring_base=f"{encoded}&" if encoded else "",
            export_query=encoded,
        )
        return context
