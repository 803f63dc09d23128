from django.urls import path
from rest_framework.routers import SimpleRouter

from assets.accounts.api import views as account_views
from assets.api import views
from assets.handovers.api import views as handover_views
from assets.imports.api import urls as import_urls

router = SimpleRouter()
router.register("departments", views.DepartmentViewSet, basename="department")
router.register("locations", views.LocationViewSet, basename="location")
router.register("categories", views.CategoryViewSet, basename="category")
router.register("users", views.UserViewSet, basename="user")
router.register("assets", views.AssetViewSet, basename="asset")
router.register("projects", handover_views.ProjectViewSet, basename="project")
router.register("handovers", handover_views.HandoverViewSet, basename="handover")
# API tokens a bureau can manage (issue 20)
router.register("tokens", account_views.ApiTokenViewSet, basename="token")

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    *handover_views.extra_urlpatterns,
    *import_urls.urlpatterns,  # imports and register exports, before the router's asset routes
    *router.urls,
]
