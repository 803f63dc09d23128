from django.contrib import admin
from django.urls import include, path

from config import schema, views

api_v1 = [
    path("", include("assets.api.urls")),
    path("", include("inventory.api.urls")),
    path("", include("inventory.reminders.api.urls")),
    path("", include("labels.api.urls")),
    path("schema/", schema.SchemaView.as_view(), name="schema"),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("api/docs/", schema.DocsView.as_view(url_name="schema"), name="api-docs"),
    path("admin/", admin.site.urls),
    path("accounts/login/", views.YikaLoginView.as_view(), name="login"),
    path("accounts/logout/", views.YikaLogoutView.as_view(), name="logout"),
    path("accounts/password/", views.YikaPasswordChangeView.as_view(), name="password_change"),
    # The user's account page, API tokens, two-factor sign-in, single sign-on (issue 20)
    path("accounts/", include("assets.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", views.healthz, name="healthz"),
    path("", include("labels.urls")),
    path("", include("inventory.urls")),
    path("", include("assets.urls")),
]

handler400 = "config.views.bad_request"
handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
