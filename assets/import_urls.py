"""Pages of the ledger import, included from `assets/urls.py` (namespace `assets`)."""

from django.urls import path

from assets import import_views

urlpatterns = [
    path("imports/", import_views.ImportUploadView.as_view(), name="import-upload"),
    path("imports/<int:pk>/", import_views.ImportJobDetailView.as_view(), name="import-detail"),
    path("imports/<int:pk>/apply/", import_views.ImportApplyView.as_view(), name="import-apply"),
]
