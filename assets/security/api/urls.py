"""Routes of the security log; included from `assets/api/urls.py`."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from assets.security.api import views

router = SimpleRouter()
router.register("security-events", views.SecurityEventViewSet, basename="security-event")

urlpatterns = [
    path(
        "security-events/export.xlsx",
        views.SecurityEventExportView.as_view(),
        name="security-event-export-xlsx",
    ),
    *router.urls,
]
