"""Pages of the ledger import, included from `assets/urls.py` (namespace `assets`)."""

from django.urls import path

from assets.imports import views

urlpatterns = [
    path("imports/", views.ImportUploadView.as_view(), name="import-upload"),
    path("imports/<int:pk>/", views.ImportJobDetailView.as_view(), name="import-detail"),
    path("imports/<int:pk>/apply/", views.ImportApplyView.as_view(), name="import-apply"),
]
