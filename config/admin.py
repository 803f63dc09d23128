"""The admin site and the admin bases every app's `admin.py` builds on.

`YikaAdminSite` is the project's `admin.site` (see `config.apps.YikaAdminConfig`). Whatever admin
is registered on it, ours or an installed app's (django-celery-beat's enable/disable), runs its
actions only for a user with change permission on that model: a user who may only read the model
sees no actions, and a forged action POST is a 403 (SECURITY.md section 4, "Third-party admin
actions"). Django itself lets an action without `allowed_permissions` run for anyone who can open
the list.
"""

from django.apps import apps as django_apps
from django.contrib import admin
from django.core.exceptions import PermissionDenied

from assets import permissions
from assets.security.services import Kind as SecurityKind
from assets.security.services import record_security_event
from config.forms import EMPTY_CHOICE


class ActionsNeedChangePermission:
    """Mixed into every registered ModelAdmin by `YikaAdminSite.register`."""

    def get_actions(self, request):
        if not self.has_change_permission(request):
            return {}
        return super().get_actions(request)

    def get_action_choices(self, request, default_choices=None):
        """The action select opens on a prompt in the reader's language, not Django's
        "---------" (which read "动作 ---------")."""
        blank = [("", EMPTY_CHOICE)]
        return super().get_action_choices(request, default_choices=blank)

    def changelist_view(self, request, extra_context=None):
        # An action POST names an action; the list-editable save ("_save") carries an empty one.
        if (
            request.method == "POST"
            and request.POST.get("action")
            and "_save" not in request.POST
            and not self.has_change_permission(request)
        ):
            raise PermissionDenied
        if request.method == "POST" and request.POST.get("action") and "_save" not in request.POST:
            self._log_admin_change(
                request,
                "action",
                action=request.POST["action"],
                selected=len(request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME)),
            )
        return super().changelist_view(request, extra_context)

    # Security log: every change made in the admin (additions, changes, deletions, actions).
    def _log_admin_change(self, request, operation: str, **detail):
        record_security_event(
            kind=SecurityKind.ADMIN_CHANGE,
            request=request,
            detail={"model": self.model._meta.label_lower, "operation": operation, **detail},
        )

    def log_addition(self, request, obj, message):
        self._log_admin_change(request, "add", object=str(obj.pk), repr=str(obj)[:200])
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        self._log_admin_change(
            request, "change", object=str(obj.pk), repr=str(obj)[:200], changes=message
        )
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        objects = [str(pk) for pk in queryset.values_list("pk", flat=True)[:100]]
        self._log_admin_change(request, "delete", objects=objects)
        return super().log_deletions(request, queryset)


class YikaAdminSite(admin.AdminSite):
    def get_app_list(self, request, app_label=None):
        """Sections in INSTALLED_APPS order, Yika's own first. Django sorts them by their
        translated names, which in Chinese sorts by code point and put 定时任务 (beat) first."""
        position = {config.label: i for i, config in enumerate(django_apps.get_app_configs())}
        app_list = sorted(
            self._build_app_dict(request, app_label).values(),
            key=lambda app: position.get(app["app_label"], len(position)),
        )
        for app in app_list:
            app["models"].sort(key=lambda model: model["name"])
        return app_list

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, ActionsNeedChangePermission):
            admin_class = type(
                admin_class.__name__,
                (ActionsNeedChangePermission, admin_class),
                {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
            )
        super().register(model_or_iterable, admin_class, **options)


class RoleScopedAdmin(admin.ModelAdmin):
    """Admins change, auditors read, nobody deletes. Other roles do not see the page.

    Yika's roles are groups without Django model permissions, so every admin of ours answers
    from `assets.permissions` instead of `user.has_perm`.
    """

    def has_module_permission(self, request):
        return permissions.has_role(request.user, permissions.ADMIN, permissions.AUDITOR)

    def has_view_permission(self, request, obj=None):
        return permissions.has_role(request.user, permissions.ADMIN, permissions.AUDITOR)

    def has_add_permission(self, request):
        return permissions.is_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return permissions.is_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(RoleScopedAdmin):
    """Read by admins and auditors, changed elsewhere (services), never deleted."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CardRowsAdmin(ReadOnlyAdmin):
    """Read-only rows about cards (history, custody, repairs): those of the cards the reader
    sees (`permissions.visible_assets`; auditors and admins: all)."""

    def get_queryset(self, request):
        visible = permissions.visible_assets(request.user).values("pk")
        return super().get_queryset(request).filter(asset__in=visible)
