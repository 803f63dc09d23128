from django.conf import settings

from assets import permissions


def yika(request):
    """What every page's header needs: the user's roles and the organisation's name."""
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    roles = permissions.roles_of(user) if signed_in else set()
    return {
        "yika_roles": roles,
        "yika_reads_disposals": signed_in and permissions.reads_disposals(user),
        "yika_reads_reconciliations": signed_in and permissions.reads_reconciliations(user),
        "yika_org_name": settings.YIKA_ORG_NAME,
        "SITE_URL": settings.SITE_URL,
    }
