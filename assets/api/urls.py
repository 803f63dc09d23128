from django.urls import path
from rest_framework.routers import SimpleRouter

from assets.accounts.api import views as account_views
from assets.api import views
from assets.attachments.api import views as attachment_views
from assets.custody.api import views as custody_views
from assets.disposals.api import views as disposal_views
from assets.handovers.api import views as handover_views
from assets.imports.api import urls as import_urls
from assets.maintenance.api import views as maintenance_views
from assets.reconciliations.api import urls as reconciliation_urls  # reconciliations (issue 19)

# register reports
from assets.reports.api import urls as report_urls
from assets.reports.api import views as report_views
from assets.security.api import urls as security_urls

router = SimpleRouter()
router.register("departments", views.DepartmentViewSet, basename="department")
router.register("locations", views.LocationViewSet, basename="location")
router.register("categories", views.CategoryViewSet, basename="category")
router.register("users", views.UserViewSet, basename="user")
router.register("assets", views.AssetViewSet, basename="asset")
router.register("projects", handover_views.ProjectViewSet, basename="project")
router.register("handovers", handover_views.HandoverViewSet, basename="handover")
# Disposals
router.register("disposals", disposal_views.DisposalViewSet, basename="disposal")
router.register("disposal-tiers", disposal_views.ApprovalTierViewSet, basename="disposal-tier")
# Maintenance contracts (issue 18)
router.register("contracts", maintenance_views.ContractViewSet, basename="contract")
# attachments (evidence)
router.register("attachments", attachment_views.AttachmentViewSet, basename="attachment")
# register reports
router.register("reports/frozen", report_views.FrozenReportViewSet, basename="frozen-report")
# Reconciliation with the finance books (issue 19)
reconciliation_urls.register(router)
# API tokens a bureau can manage (issue 20)
router.register("tokens", account_views.ApiTokenViewSet, basename="token")

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    *handover_views.extra_urlpatterns,
    *disposal_views.extra_urlpatterns,  # Disposals
    *attachment_views.extra_urlpatterns,  # attachments (evidence)
    *import_urls.urlpatterns,  # imports and register exports, before the router's asset routes
    # Custody (issue 18), before the router's asset routes
    *custody_views.urlpatterns,
    *maintenance_views.urlpatterns,
    *reconciliation_urls.urlpatterns,  # reconciliations (issue 19), before the router's routes
    *router.urls,
    # register reports
    *report_urls.urlpatterns,
    # Security log
    *security_urls.urlpatterns,
]
