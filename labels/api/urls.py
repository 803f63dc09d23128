from django.urls import path
from rest_framework.routers import SimpleRouter

from labels.api import views

router = SimpleRouter()
router.register("labels/batches", views.PrintBatchViewSet, basename="label-batch")
router.register("labels/templates", views.LabelTemplateViewSet, basename="label-template")

urlpatterns = [
    path("labels/print/", views.PrintView.as_view(), name="label-print"),
    path("labels/void/", views.VoidView.as_view(), name="label-void"),
    *router.urls,
]
