"""Project-wide views: sign-in, sign-out, the user's own password, health check."""

from django.contrib import messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from assets import credentials


class YikaLoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class YikaLogoutView(auth_views.LogoutView):
    pass


class OwnPasswordForm(auth_forms.PasswordChangeForm):
    """Saved through `credentials.change_password`: the user's API tokens and other sessions end."""

    def save(self, commit=True):
        self.user = credentials.change_password(
            actor=self.user, user=self.user, password=self.cleaned_data["new_password1"]
        )
        return self.user


class YikaPasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change_form.html"
    form_class = OwnPasswordForm
    success_url = reverse_lazy("password_change")

    def form_valid(self, form):
        form.save()
        # This browser stays signed in; every other session and every API token has ended.
        update_session_auth_hash(self.request, form.user)
        messages.success(
            self.request,
            _(
                "Your password has been changed. Your other sign-ins and your API tokens have "
                "been ended."
            ),
        )
        return redirect(self.get_success_url())


@never_cache
@require_GET
def healthz(request):
    """For the reverse proxy and process manager: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
