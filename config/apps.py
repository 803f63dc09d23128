from django.contrib.admin.apps import AdminConfig


class YikaAdminConfig(AdminConfig):
    """`django.contrib.admin` with Yika's site as `admin.site` (config/admin.py)."""

    default_site = "config.admin.YikaAdminSite"
