"""Routes of imports and register exports; included before the router in `assets/api/urls.py`."""

from django.urls import path

from assets.imports.api import views as v

urlpatterns = [
    path(
        "assets/export.xlsx",
        v.for_format(v.AssetExportView, "get", "xlsx").as_view(),
        {"fmt": "xlsx"},
        name="asset-export-xlsx",
    ),
    path(
        "assets/export.csv",
        v.for_format(v.AssetExportView, "get", "csv").as_view(),
        {"fmt": "csv"},
        name="asset-export-csv",
    ),
    path(
        "handovers/<str:number>/items.xlsx",
        v.for_format(v.HandoverListExportView, "get", "xlsx").as_view(),
        {"fmt": "xlsx"},
        name="handover-items-xlsx",
    ),
    path(
        "handovers/<str:number>/items.csv",
        v.for_format(v.HandoverListExportView, "get", "csv").as_view(),
        {"fmt": "csv"},
        name="handover-items-csv",
    ),
    path("imports/", v.job_list, name="import-list"),
    path(
        "imports/template.xlsx",
        v.for_format(v.ImportTemplateView, "get", "xlsx").as_view(),
        {"fmt": "xlsx"},
        name="import-template-xlsx",
    ),
    path(
        "imports/template.csv",
        v.for_format(v.ImportTemplateView, "get", "csv").as_view(),
        {"fmt": "csv"},
        name="import-template-csv",
    ),
    path("imports/<int:pk>/", v.job_detail, name="import-detail"),
    path("imports/<int:pk>/apply/", v.job_apply, name="import-apply"),
    path(
        "imports/<int:pk>/errors.xlsx",
        v.job_errors_xlsx,
        {"fmt": "xlsx"},
        name="import-errors-xlsx",
    ),
    path("imports/<int:pk>/errors.csv", v.job_errors_csv, {"fmt": "csv"}, name="import-errors-csv"),
]
