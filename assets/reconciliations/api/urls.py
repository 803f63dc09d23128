"""Routes of reconciliations; included before the router in `assets/api/urls.py`."""

from django.urls import path

from assets.reconciliations.api import views as v

urlpatterns = [
    path(
        "reconciliations/mapping/",
        v.ReconciliationMappingView.as_view(),
        name="reconciliation-mapping",
    ),
    path(
        "reconciliations/<int:pk>/finance-tasks.xlsx",
        v.ReconciliationViewSet.as_view({"get": "finance_tasks"}),
        name="reconciliation-finance-tasks-xlsx",
    ),
]


def register(router) -> None:
    router.register("reconciliations", v.ReconciliationViewSet, basename="reconciliation")
    router.register(
        "reconciliation-differences",
        v.ReconciliationDifferenceViewSet,
        basename="reconciliation-difference",
    )
