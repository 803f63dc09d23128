from django.urls import include, path

from assets import views
from assets.reports import views as report_views

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
    # Disposals
    path("", include("assets.disposals.urls")),
    # Custody (issue 18)
    path("", include("assets.custody.urls")),
    path("", include("assets.maintenance.urls")),
    # attachments (evidence)
    path("", include("assets.attachments.urls")),
    # register reports
    path("dashboard/", report_views.DashboardView.as_view(), name="dashboard"),
    # Reconciliation with the finance books (issue 19)
    path("", include("assets.reconciliations.urls")),
    # Security log
    path("", include("assets.security.urls")),
]
