"""Web pages of the register (server-rendered, mobile-first)."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.views.generic import DetailView, ListView

from assets import permissions, selectors, tags


class AssetListView(LoginRequiredMixin, ListView):
    template_name = "assets/asset_list.html"
    paginate_by = 50

    def get_queryset(self):
        return selectors.assets_visible_to(user=self.request.user, filters=self.request.GET)


class AssetDetailView(LoginRequiredMixin, DetailView):
    template_name = "assets/asset_detail.html"
    context_object_name = "asset"

    def get_object(self, queryset=None):
        asset = (
            permissions.visible_assets(self.request.user)
            .filter(tag=tags.normalise(self.kwargs["tag"]))
            .first()
        )
        if asset is None:
            raise Http404
        return asset
