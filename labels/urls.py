from django.urls import path

from labels import views

app_name = "labels"

urlpatterns = [
    path("a/<str:tag>", views.scan, name="scan"),
    path("labels/", views.PrintQueueView.as_view(), name="queue"),
    path("labels/batches/", views.BatchListView.as_view(), name="batch-list"),
    path("labels/batches/<int:pk>/", views.BatchDetailView.as_view(), name="batch-detail"),
    path("labels/batches/<int:pk>/retry/", views.BatchRetryView.as_view(), name="batch-retry"),
    path("labels/cards/<str:tag>/qr.svg", views.QrPreviewView.as_view(), name="qr-svg"),
    path("labels/cards/<str:tag>/print/", views.CardPrintView.as_view(), name="card-print"),
    path("labels/cards/<str:tag>/void/", views.CardVoidView.as_view(), name="card-void"),
]
