"""Web pages of the register (server-rendered, mobile-first).

Every page starts from `assets.permissions`: a card outside the user's scope is 404, a card the
user may read but not change is 403 on the change pages. Forms validate; services change.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, FormView, ListView

from assets import forms, permissions, selectors, services, tags
from assets.api.filters import AssetFilter
from assets.custody import selectors as custody_selectors
from assets.errors import DomainError
from assets.history import describe_events
from assets.models import Asset
from config.api import paginator_for
from config.pagination import ForgivingPagesMixin


def _visible_asset(user, tag: str) -> Asset:
    asset = (
        selectors.assets_visible_to(user=user)
        .select_related("parent__parent")
        .filter(tag=tags.normalise(tag))
        .first()
    )
    if asset is None:
        raise Http404(_("No such asset."))
    return asset


def _querystring_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return f"{encoded}&" if encoded else ""


class AssetListView(LoginRequiredMixin, ForgivingPagesMixin, ListView):
    """The register: search, filters and pages over the cards the user may read."""

    template_name = "assets/asset_list.html"
    context_object_name = "assets"
    paginate_by = 50

    def get_queryset(self):
        queryset = selectors.assets_visible_to(user=self.request.user).order_by("tag")
        self.filterset = AssetFilter(self.request.GET, queryset=queryset, request=self.request)
        return self.filterset.qs

    def get_paginator(self, queryset, per_page, **kwargs):
        return paginator_for(self.request.GET)(queryset, per_page, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter_form"] = forms.AssetFilterForm(self.request.GET or None)
        context["querystring_base"] = _querystring_without_page(self.request)
        context["can_register"] = permissions.can_change_assets(self.request.user)
        # Ticked cards open the disposal form (资产处置申请) prefilled with their tags.
        context["can_dispose"] = permissions.may_prepare_disposals(self.request.user)
        # A filter value that is no choice of its filter is ignored: say so, and the list is
        # "filtered" only by the values that apply.
        form = self.filterset.form
        unknown = [name for name in form.errors if name in form.fields]
        notes = list(getattr(self, "list_notes", []))
        for name in unknown:
            notes.append(
                _("Unknown value “%(value)s” for the filter “%(filter)s”: it was ignored.")
                % {"value": self.request.GET.get(name, ""), "filter": form.fields[name].label}
            )
        context["list_notes"] = notes
        context["filtered"] = any(
            v for k, v in self.request.GET.items() if k != "page" and k not in unknown
        )
        # A host the reader may not open is shown as "outside your scope", not by its tag.
        context["assets"] = selectors.mark_hidden_hosts(context["assets"], user=self.request.user)
        return context


class AssetDetailView(LoginRequiredMixin, DetailView):
    """The card: every field grouped as DOMAIN.md §2, host chain, components and history."""

    template_name = "assets/asset_detail.html"
    context_object_name = "asset"

    def get_object(self, queryset=None):
        return _visible_asset(self.request.user, self.kwargs["tag"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        asset = self.object
        user = self.request.user
        # Both read through the user's scope: a host or component they may not open is shown
        # as "outside your scope" (breadcrumb) or only counted (components).
        host_chain = selectors.asset_host_chain(asset=asset, user=user)
        subtree = selectors.visible_asset_subtree(asset=asset, user=user)
        context.update(
            can_change=permissions.may_change_card(user, asset),
            may_dispose=permissions.may_dispose_of_card(user, asset),
            host_chain=host_chain,
            host=host_chain[-1] if host_chain else None,
            components=subtree.nodes,
            hidden_components=subtree.hidden,
            events=describe_events(
                selectors.redact_event_tags(selectors.asset_events(asset=asset)[:200], user=user)
            ),
            accumulated_depreciation=asset.accumulated_depreciation(),
            net_book_value=asset.net_book_value(),
            monthly_depreciation=asset.monthly_depreciation(),
            months_depreciated=asset.months_depreciated(),
            is_retired=asset.status == Asset.Status.RETIRED,
            # Disposals: with approval on, a card leaves the register through a case.
            disposal_required=settings.YIKA_DISPOSAL_APPROVAL,
        )
        # Custody and upkeep (issue 18)
        context.update(custody_selectors.card_context(asset=asset, user=user))
        return context


class ChangeMixin(LoginRequiredMixin):
    """A page that changes a card: 404 outside the scope, 403 when the user may only read it."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.asset = _visible_asset(request.user, kwargs["tag"])
        # Before the form is read (the service asks it again): 403 for a read-only user.
        permissions.require_card_change(request.user, self.asset)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["asset"] = self.asset
        return context

    def get_success_url(self):
        return reverse("assets:asset-detail", args=[self.asset.tag])

    def form_valid(self, form):
        try:
            self.run(form)
        except (ValidationError, DomainError) as error:
            forms.apply_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return HttpResponseRedirect(self.get_success_url())


class AssetCreateView(LoginRequiredMixin, FormView):
    template_name = "assets/asset_form.html"
    form_class = forms.AssetCreateForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            permissions.require_card_writer(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        initial = super().get_initial()
        host_tag = self.request.GET.get("parent", "").strip()
        if host_tag:
            initial.update(parent=host_tag, install_mode=Asset.InstallMode.EMBEDDED)
        return initial

    def form_valid(self, form):
        try:
            asset = services.register_asset(actor=self.request.user, fields=form.register_fields())
        except (ValidationError, DomainError) as error:
            forms.apply_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Registered %(tag)s.") % {"tag": asset.tag})
        return HttpResponseRedirect(reverse("assets:asset-detail", args=[asset.tag]))

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "creating": True}


class AssetUpdateView(ChangeMixin, FormView):
    template_name = "assets/asset_form.html"
    form_class = forms.AssetForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "instance": self.asset}

    @property
    def success_message(self):
        return _("Saved %(tag)s.") % {"tag": self.asset.tag}

    def run(self, form):
        services.update_asset(asset=self.asset, actor=self.request.user, fields=form.plain_fields())


class AssetNestView(ChangeMixin, FormView):
    template_name = "assets/asset_action.html"
    form_class = forms.NestForm
    # Lazy: a class attribute is read in the request's language, not the import's.
    title = gettext_lazy("Nest or take out")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        return {
            "parent": self.asset.parent.tag if self.asset.parent_id else "",
            "embedded": self.asset.install_mode == Asset.InstallMode.EMBEDDED,
        }

    @property
    def success_message(self):
        return _("Nesting of %(tag)s saved.") % {"tag": self.asset.tag}

    def run(self, form):
        services.nest_asset(
            asset=self.asset,
            actor=self.request.user,
            parent=form.cleaned_data["parent"],
            embedded=form.cleaned_data["embedded"],
            note=form.cleaned_data["note"],
        )

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "title": self.title, "action": "nest"}


class AssetMoveView(ChangeMixin, FormView):
    template_name = "assets/asset_action.html"
    form_class = forms.MoveForm
    title = gettext_lazy("Move")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        return {"location": self.asset.location_id}

    @property
    def success_message(self):
        return _("Moved %(tag)s.") % {"tag": self.asset.tag}

    def run(self, form):
        services.move_asset(
            asset=self.asset,
            actor=self.request.user,
            location=form.cleaned_data["location"],
            note=form.cleaned_data["note"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        nodes = selectors.asset_subtree(asset=self.asset)
        visible = selectors.visible_asset_subtree(
            asset=self.asset, user=self.request.user, nodes=nodes
        ).nodes

        def follows(node):
            return node.install_mode in services.PHYSICALLY_INSIDE and node.is_live

        # Every follower moves; only those the reader may open are named, the rest counted.
        followers = [node for node in visible if follows(node)]
        moving = sum(1 for node in nodes if follows(node))
        context.update(
            title=self.title,
            action="move",
            followers=followers,
            moving_components=moving,
            hidden_components=moving - len(followers),
        )
        return context


class AssetStatusView(ChangeMixin, FormView):
    template_name = "assets/asset_action.html"
    form_class = forms.StatusForm
    title = gettext_lazy("Change status")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "asset": self.asset}

    @property
    def success_message(self):
        return _("Status of %(tag)s changed.") % {"tag": self.asset.tag}

    def run(self, form):
        services.change_status(
            asset=self.asset,
            actor=self.request.user,
            status=form.cleaned_data["status"],
            note=form.cleaned_data["note"],
        )

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "title": self.title, "action": "status"}


class AssetRetireView(ChangeMixin, FormView):
    template_name = "assets/asset_action.html"
    form_class = forms.RetireForm
    title = gettext_lazy("Retire")

    def _live(self) -> tuple[list[Asset], list[Asset]]:
        """(every live card below the host, the live direct components)."""
        live = [n for n in selectors.asset_subtree(asset=self.asset) if n.is_live]
        return live, [n for n in live if n.tree_depth == 1]

    def run(self, form):
        live, direct = self._live()
        choice = form.cleaned_data["components"]
        services.retire_asset(
            asset=self.asset,
            actor=self.request.user,
            reason=form.cleaned_data["reason"],
            components=choice,
        )
        values = {"tag": self.asset.tag, "name": self.asset.name}
        if choice == services.RetireComponents.RETIRE and live:
            self.success_message = _(
                "Retired %(tag)s %(name)s and %(count)s component(s) with it."
            ) % {**values, "count": len(live)}
        elif choice == services.RetireComponents.DETACH and direct:
            self.success_message = _(
                "Retired %(tag)s %(name)s; %(count)s component(s) were detached and stay in use."
            ) % {**values, "count": len(direct)}
        else:
            self.success_message = _("Retired %(tag)s %(name)s.") % values

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        live, direct = self._live()
        values = {"tag": self.asset.tag, "name": self.asset.name}
        # The counts are of every live component; only those the reader may open are named.
        shown = [
            node
            for node in selectors.visible_asset_subtree(
                asset=self.asset, user=self.request.user
            ).nodes
            if node.is_live
        ]
        context.update(
            # Disposals: with approval on, the page points to the disposal route instead.
            disposal_required=settings.YIKA_DISPOSAL_APPROVAL,
            title=self.title,
            action="retire",
            live_components=live,
            shown_components=shown,
            hidden_components=len(live) - len(shown),
            danger=True,
            confirm={
                services.RetireComponents.REFUSE: _(
                    "Retire %(tag)s %(name)s? The card stays in the register with its history "
                    "but can no longer be used, moved or changed. This cannot be undone."
                )
                % values,
                services.RetireComponents.DETACH: _(
                    "Retire %(tag)s %(name)s and detach its %(count)s direct component(s), which "
                    "stay in use? This cannot be undone."
                )
                % {**values, "count": len(direct)},
                services.RetireComponents.RETIRE: _(
                    "Retire %(tag)s %(name)s and all %(count)s live component(s) inside it "
                    "(%(total)s cards in all)? This cannot be undone."
                )
                % {**values, "count": len(live), "total": len(live) + 1},
            },
        )
        return context
