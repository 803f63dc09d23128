"""Upkeep pages; included from `assets.urls`, so names are `assets:asset-report-fault`, …"""

from django.urls import path

from assets.maintenance import views

urlpatterns = [
    path(
        "assets/<str:tag>/report-fault/",
        views.ReportFaultView.as_view(),
        name="asset-report-fault",
    ),
    path("assets/<str:tag>/repairs/", views.AssetRepairsView.as_view(), name="asset-repairs"),
    path("upkeep/", views.UpkeepListsView.as_view(), name="upkeep-lists"),
]
