from django.conf import settings

from assets import permissions


def yika(request):
    """What every page's header needs: the user's roles and the organisation's name."""
    user = getattr(request, "user", None)
    roles = permissions.roles_of(user) if user is not None and user.is_authenticated else set()
    return {
        "yika_roles": roles,
        "yika_org_name": settings.YIKA_ORG_NAME,
        "SITE_URL": settings.SITE_URL,
    }
