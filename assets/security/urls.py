"""The security log page; included from `assets.urls`, so its name is `assets:security-log`."""

from django.urls import path

from assets.security import views

urlpatterns = [
    path("security-log/", views.SecurityLogView.as_view(), name="security-log"),
]
