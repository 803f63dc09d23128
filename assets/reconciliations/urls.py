"""Pages of reconciliations, included from `assets/urls.py` (namespace `assets`)."""

from django.urls import path

from assets.reconciliations import views

urlpatterns = [
    path(
        "reconciliations/", views.ReconciliationUploadView.as_view(), name="reconciliation-upload"
    ),
    path(
        "reconciliations/<int:pk>/",
        views.ReconciliationDetailView.as_view(),
        name="reconciliation-detail",
    ),
    path(
        "reconciliations/differences/<int:pk>/",
        views.DifferenceDetailView.as_view(),
        name="reconciliation-difference",
    ),
]
