from django.urls import path

from assets.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.AccountView.as_view(), name="account"),
    path("tokens/", views.TokenCreateView.as_view(), name="token-create"),
    path("tokens/<int:pk>/revoke/", views.TokenRevokeView.as_view(), name="token-revoke"),
    path("two-factor/", views.TwoFactorView.as_view(), name="two-factor"),
    path("two-factor/setup/", views.TwoFactorSetupView.as_view(), name="two-factor-setup"),
    path("two-factor/qr.svg", views.two_factor_qr, name="two-factor-qr"),
    path("security/recovery-codes/", views.RecoveryCodesView.as_view(), name="recovery-codes"),
    path("security/two-factor-off/", views.TwoFactorRemoveView.as_view(), name="two-factor-off"),
    path("sso/oidc/", views.OidcStartView.as_view(), name="oidc-start"),
    path("sso/oidc/callback/", views.OidcCallbackView.as_view(), name="oidc-callback"),
    # CAS: the sign-in's start and the service URL the CAS server sends the ticket back to.
    path("sso/cas/", views.CasLoginView.as_view(), name="cas-login"),
]
