from django.urls import include, path

from assets import views

app_name = "assets"

urlpatterns = [
    path("", views.AssetListView.as_view(), name="asset-list"),
    path("assets/<str:tag>/", views.AssetDetailView.as_view(), name="asset-detail"),
    path("", include("assets.handover_urls")),
]
