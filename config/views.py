"""Project-wide views: sign-in, sign-out, health check."""

from django.contrib.auth import views as auth_views
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


class YikaLoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class YikaLogoutView(auth_views.LogoutView):
    pass


@never_cache
@require_GET
def healthz(request):
    """For the reverse proxy and process manager: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
