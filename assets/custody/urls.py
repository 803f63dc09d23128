"""Custody pages; included from `assets.urls`, so names are `assets:my-assets`, …"""

from django.urls import path

from assets.custody import views

urlpatterns = [
    path("me/assets/", views.MyAssetsView.as_view(), name="my-assets"),
    path("me/assets/confirm-all/", views.ConfirmAllView.as_view(), name="my-assets-confirm-all"),
    path(
        "me/assets/<str:tag>/confirm-receipt/",
        views.ConfirmReceiptView.as_view(),
        name="my-assets-confirm-receipt",
    ),
    path("assets/<str:tag>/custody/", views.AssetCustodyView.as_view(), name="asset-custody"),
    path("custody/leavers/", views.LeaversView.as_view(), name="custody-leavers"),
]
