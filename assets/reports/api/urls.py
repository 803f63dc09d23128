"""Routes of the register reports; included from `assets/api/urls.py`."""

from django.urls import path

from assets.reports.api import views as v

urlpatterns = [
    path("reports/balance/", v.BalanceReportView.as_view(), name="report-balance"),
    path(
        "reports/balance.xlsx",
        v.for_format(v.BalanceReportView, "xlsx").as_view(),
        {"fmt": "xlsx"},
        name="report-balance-xlsx",
    ),
    path(
        "reports/balance.pdf",
        v.for_format(v.BalanceReportView, "pdf").as_view(),
        {"fmt": "pdf"},
        name="report-balance-pdf",
    ),
    path("reports/movements/", v.MovementsReportView.as_view(), name="report-movements"),
    path(
        "reports/movements.xlsx",
        v.for_format(v.MovementsReportView, "xlsx").as_view(),
        {"fmt": "xlsx"},
        name="report-movements-xlsx",
    ),
    path(
        "reports/movements.pdf",
        v.for_format(v.MovementsReportView, "pdf").as_view(),
        {"fmt": "pdf"},
        name="report-movements-pdf",
    ),
]
