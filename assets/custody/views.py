"""Custody pages: "my assets" for every signed-in user (phone-first), and the clerk's custody
page of a card (check out, lend, check in). Forms validate; services change."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView, TemplateView

from assets import permissions, tags
from assets.custody import forms, selectors, services
from assets.errors import DomainError
from assets.forms import apply_errors
from assets.views import ChangeMixin
from config.pagination import ForgivingPagesMixin


class MyAssetsView(LoginRequiredMixin, TemplateView):
    """The cards the signed-in user holds: confirm receipt of each, and "I still hold these"
    for the annual count."""

    template_name = "assets/custody/my_assets.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = timezone.localdate().year
        held = list(selectors.held_by(user=self.request.user, year=year))
        for asset in held:
            asset.custody = asset.open_custody[0] if asset.open_custody else None
        context.update(
            held=held,
            year=year,
            unconfirmed=sum(1 for a in held if not a.held_confirmed),
            awaiting_receipt=sum(
                1
                for a in held
                if a.custody and a.custody.kind == "checkout" and not a.custody.confirmed_at
            ),
            today=timezone.localdate(),
        )
        return context


class ConfirmReceiptView(LoginRequiredMixin, View):
    """POST: the holder confirms they received the card."""

    def post(self, request, tag):
        asset = get_object_or_404(
            permissions.visible_assets(request.user) | permissions.held_assets(request.user),
            tag=tags.normalise(tag),
        )
        try:
            services.confirm_receipt(asset=asset, actor=request.user)
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Receipt of %(tag)s confirmed.") % {"tag": asset.tag})
        return HttpResponseRedirect(reverse("assets:my-assets"))


class ConfirmAllView(LoginRequiredMixin, View):
    """POST: "I still hold these": one confirmation per held card for this year's count."""

    def post(self, request):
        created = services.confirm_holdings(actor=request.user)
        messages.success(
            request,
            _("Thank you: %(count)s card(s) confirmed for the %(year)s count.")
            % {"count": len(created), "year": timezone.localdate().year},
        )
        # walk4-6: a card the count recorded missing is not silently confirmed.
        for confirmation in created:
            asset = confirmation.asset
            if asset.suspected_shortage:
                messages.warning(
                    request,
                    _(
                        "%(tag)s was recorded missing by the count: the asset clerk of "
                        "%(department)s sees your confirmation on the difference and checks it."
                    )
                    % {"tag": asset.tag, "department": asset.owner_department.name},
                )
        return HttpResponseRedirect(reverse("assets:my-assets"))


class LeaversView(LoginRequiredMixin, ForgivingPagesMixin, ListView):
    """The cards still held by deactivated users, in the clerk's scope: check each in or out to
    someone else (the leaver's list the reminders send links here)."""

    template_name = "assets/custody/leavers.html"
    context_object_name = "cards"
    paginate_by = 100

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not permissions.can_change_assets(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.held_by_leavers(user=self.request.user)


class AssetCustodyView(ChangeMixin, TemplateView):
    """A clerk's custody page of one card: check it out or lend it, or check it in."""

    template_name = "assets/custody/asset_custody.html"
    actions = ("checkout", "lend", "checkin")

    def get_forms(self, data=None, action=None):
        bound = lambda name: data if action == name else None  # noqa: E731
        return {
            "checkout_form": forms.CheckoutForm(
                bound("checkout"), user=self.request.user, asset=self.asset, prefix="checkout"
            ),
            "lend_form": forms.LendForm(bound("lend"), prefix="lend"),
            "checkin_form": forms.CheckinForm(bound("checkin"), prefix="checkin"),
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("forms", self.get_forms())
        context.update(context.pop("forms"))
        context["custody"] = selectors.open_custody(asset=self.asset)
        context["history"] = selectors.custody_history(asset=self.asset)[:20]
        return context

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        if action not in self.actions:
            return self.render_to_response(self.get_context_data(), status=400)
        all_forms = self.get_forms(request.POST, action)
        form = all_forms[f"{action}_form"]
        if form.is_valid():
            try:
                self.run(action, form.cleaned_data)
            except (ValidationError, DomainError) as error:
                apply_errors(form, error)
            else:
                messages.success(request, self.done_message(action))
                return HttpResponseRedirect(reverse("assets:asset-detail", args=[self.asset.tag]))
        return self.render_to_response(self.get_context_data(forms=all_forms), status=400)

    def run(self, action, data):
        user = self.request.user
        if action == "checkout":
            services.checkout_asset(
                asset=self.asset,
                actor=user,
                holder=data["user"],
                due_on=data["due_on"],
                note=data["note"],
            )
        elif action == "lend":
            services.lend_asset(
                asset=self.asset,
                actor=user,
                counterparty=data["counterparty"],
                due_on=data["due_on"],
                approval_ref=data["approval_ref"],
                note=data["note"],
            )
        else:
            services.checkin_asset(asset=self.asset, actor=user, note=data["note"])

    def done_message(self, action):
        return {
            "checkout": _("%(tag)s checked out."),
            "lend": _("%(tag)s lent."),
            "checkin": _("%(tag)s checked in."),
        }[action] % {"tag": self.asset.tag}
