from django.urls import include, path

from assets import views

app_name = "assets"

urlpatterns = [
    path("", views.AssetListView.as_view(), name="asset-list"),
    path("assets/new/", views.AssetCreateView.as_view(), name="asset-create"),
    path("assets/<str:tag>/", views.AssetDetailView.as_view(), name="asset-detail"),
    path("assets/<str:tag>/edit/", views.AssetUpdateView.as_view(), name="asset-update"),
    path("assets/<str:tag>/nest/", views.AssetNestView.as_view(), name="asset-nest"),
    path("assets/<str:tag>/move/", views.AssetMoveView.as_view(), name="asset-move"),
    path("assets/<str:tag>/status/", views.AssetStatusView.as_view(), name="asset-status"),
    path("assets/<str:tag>/retire/", views.AssetRetireView.as_view(), name="asset-retire"),
    path("", include("assets.handovers.urls")),
    path("", include("assets.imports.urls")),
    # Security log
    path("", include("assets.security.urls")),
]
