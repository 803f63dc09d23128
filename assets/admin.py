"""Django admin for the register's reference data and accounts.

Scope comes from `assets.permissions`, as for the API and the web pages: administrators change
reference data and accounts, auditors read them. Cards and their history are read-only here (cards
change through the register's pages, which call the services); nothing is ever deleted.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from assets import credentials, permissions, selectors, services
from assets.accounts import twofactor
from assets.models import (
    ApiToken,
    Asset,
    AssetEvent,
    Category,
    Department,
    Location,
    SsoRoleRule,
    User,
)
from config import formatting
from config.admin import CardRowsAdmin, ReadOnlyAdmin, RoleScopedAdmin

# Nothing in Yika is hard-deleted (DESIGN.md invariant 4): no bulk delete anywhere in the admin.
admin.site.disable_action("delete_selected")
admin.site.site_header = _("Yika administration")
admin.site.site_title = _("Yika")
admin.site.index_title = _("Reference data and accounts")


@admin.register(Department)
class DepartmentAdmin(RoleScopedAdmin):
    list_display = ("code", "name", "kind", "parent", "contact", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name")
    list_select_related = ("parent",)
    autocomplete_fields = ("parent",)
    raw_id_fields = ("head",)
    ordering = ("code",)


@admin.register(Location)
class LocationAdmin(RoleScopedAdmin):
    list_display = ("code", "name", "kind", "parent", "department", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name")
    list_select_related = ("parent", "department")
    autocomplete_fields = ("parent", "department")
    ordering = ("code",)


@admin.register(Category)
class CategoryAdmin(RoleScopedAdmin):
    list_display = (
        "code",
        "name",
        "code_system",
        "parent",
        "default_useful_life_months",
        "usually_embedded",
        "is_active",
    )
    list_filter = ("code_system", "usually_embedded", "is_active")
    search_fields = ("code", "name")
    list_select_related = ("parent",)
    autocomplete_fields = ("parent", "maps_to")
    ordering = ("code_system", "code")


class PasswordChangeForm(AdminPasswordChangeForm):
    """The admin's "change password" form, saved through `credentials.change_password` (which
    ends the user's tokens and other sessions)."""

    def save(self, commit=True):
        password = (
            self.cleaned_data["password1"] if self.cleaned_data["set_usable_password"] else None
        )
        # Who is changing it: never the system, even if the admin did not say (then nobody).
        actor = getattr(self.user, "_yika_admin_actor", None) or permissions.requester(None)
        self.user = credentials.change_password(actor=actor, user=self.user, password=password)
        return self.user


class RoleFilter(admin.SimpleListFilter):
    """Users by role, named in the reader's language (the groups' names are codes)."""

    title = _("role")
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return [(code, label) for code, label in permissions.ROLE_LABELS.items()]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(groups__name=self.value())
        return queryset


@admin.register(User)
class UserAdmin(RoleScopedAdmin, DjangoUserAdmin):
    """Accounts with their department and roles (the groups clerk, receiver, auditor, admin)."""

    change_password_form = PasswordChangeForm
    actions = ("revoke_api_tokens", "reset_two_factor")

    list_display = ("username", "display_name", "department", "roles", "is_active", "is_staff")
    list_filter = ("is_active", RoleFilter, "department")
    search_fields = ("username", "display_name", "email", "first_name", "last_name")
    list_select_related = ("department",)
    autocomplete_fields = ("department",)
    filter_horizontal = ("groups",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("display_name", "first_name", "last_name", "email", "language")}),
        (
            _("Department and roles"),
            {"fields": ("department", "groups", "is_active", "is_staff", "is_superuser")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "password1", "password2", "department", "groups"),
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined")

    # Accounts are for administrators only, as in the API (auditors do not read e-mail addresses).
    def has_module_permission(self, request):
        return permissions.is_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.is_admin(request.user)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        """The role picker names each role in the reader's language (the groups' names are
        codes: `clerk` reads 资产管理员), as the list's roles column and filter do."""
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "groups" and field is not None:
            field.label_from_instance = lambda group: permissions.role_label(group.name)
        return field

    def get_object(self, request, object_id, from_field=None):
        user = super().get_object(request, object_id, from_field)
        if user is not None:
            # Who is changing it, for the password form (Django builds it from the user alone).
            user._yika_admin_actor = request.user
        return user

    @admin.action(description=_("Revoke the selected users' API tokens"))
    def revoke_api_tokens(self, request, queryset):
        count = sum(
            credentials.revoke_tokens(actor=request.user, user=user, request=request)
            for user in queryset
        )
        self.message_user(
            request,
            ngettext("%(count)s API token revoked.", "%(count)s API tokens revoked.", count)
            % {"count": count},
            level=messages.SUCCESS,
        )

    # Two-factor sign-in (issue 20): a lost phone is reset here; the user enrols again.
    @admin.action(
        description=_("Reset the selected users' two-factor sign-in"), permissions=["change"]
    )
    def reset_two_factor(self, request, queryset):
        for user in queryset:
            twofactor.reset_two_factor(actor=request.user, user=user)
        self.message_user(
            request,
            ngettext(
                "Two-factor sign-in reset for %(count)s user; they set it up again at their next sign-in.",
                "Two-factor sign-in reset for %(count)s users; they set it up again at their next sign-in.",
                len(queryset),
            )
            % {"count": len(queryset)},
            level=messages.SUCCESS,
        )

    @admin.display(description=_("roles"))
    def roles(self, obj):
        labels = sorted(permissions.role_label(g.name) for g in obj.groups.all())
        return formatting.text_list(labels)

    def save_model(self, request, obj, form, change):
        """Through `save_user`, so a department move or deactivation also ends API tokens."""
        names = [
            f.name
            for f in User._meta.concrete_fields
            if f.name in form.cleaned_data and f.name not in {"id", "password"}
        ]
        fields = {name: getattr(obj, name) for name in names}
        if change:
            user = User.objects.get(pk=obj.pk)
        else:
            user = None
            fields["password"] = form.cleaned_data.get("password1")
        saved = services.save_user(actor=request.user, user=user, fields=fields, request=request)
        obj.pk = saved.pk
        obj._state.adding = False
        obj.password = saved.password

    def save_related(self, request, form, formsets, change):
        """The groups (roles) are saved by the form; a change goes to the security log."""
        user = form.instance
        before = set(user.groups.values_list("name", flat=True)) if change else set()
        super().save_related(request, form, formsets, change)
        after = set(user.groups.values_list("name", flat=True))
        if after != before:
            services.record_user_roles_changed(
                actor=request.user, user=user, before=before, after=after, request=request
            )


@admin.register(Asset)
class AssetAdmin(ReadOnlyAdmin):
    list_display = (
        "tag",
        "name",
        "category",
        "owner_department",
        "location",
        "status",
        "open_in_register",
    )
    list_filter = ("status", "install_mode", "label_mode", "value_type")
    # Shows the search box; the search itself is the register's (get_search_results).
    search_fields = ("tag",)
    list_select_related = ("category", "owner_department", "location")
    show_full_result_count = False

    def get_queryset(self, request):
        return permissions.visible_assets(request.user, super().get_queryset(request))

    def get_search_results(self, request, queryset, search_term):
        # The register's `?q=` search: the same fields as the list pages and the API, served by
        # its one trigram index (per-column admin lookups would read the whole table).
        if not search_term.strip():
            return queryset, False
        return selectors.filter_assets(queryset, {"q": search_term}), False

    @admin.display(description=_("register"))
    def open_in_register(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("assets:asset-detail", args=[obj.tag]), _("open")
        )


@admin.register(AssetEvent)
class AssetEventAdmin(CardRowsAdmin):
    """The append-only history (a read-only view)."""

    list_display = ("at", "asset", "kind", "actor", "note")
    list_filter = ("kind",)
    search_fields = ("asset__tag", "note")
    list_select_related = ("asset", "actor")
    date_hierarchy = "at"
    show_full_result_count = False


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """Who holds API tokens, their scope and expiry and when each was last used (administrators
    only; revoke them here or from the accounts list). The keys themselves are not stored."""

    list_display = ("name", "prefix", "user", "scope", "created_at", "expires_at", "last_used_at")
    list_filter = ("scope",)
    list_select_related = ("user",)
    search_fields = ("user__username", "prefix", "name")
    fields = ("user", "name", "prefix", "scope", "created_at", "expires_at", "last_used_at")
    readonly_fields = fields
    actions = ("revoke_selected_tokens",)

    def has_module_permission(self, request):
        return permissions.is_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.is_admin(request.user)

    def has_change_permission(self, request, obj=None):
        # The list's revoke action (actions need change permission, config/admin.py); a token
        # itself is never edited, so its page stays read-only.
        return obj is None and permissions.is_admin(request.user)

    def has_revoke_permission(self, request):
        return permissions.is_admin(request.user)

    @admin.action(description=_("Revoke the selected API tokens"), permissions=["revoke"])
    def revoke_selected_tokens(self, request, queryset):
        count = sum(
            credentials.revoke_tokens(actor=request.user, user=token.user, token=token)
            for token in queryset.select_related("user")
        )
        self.message_user(
            request,
            ngettext("%(count)s API token revoked.", "%(count)s API tokens revoked.", count)
            % {"count": count},
            level=messages.SUCCESS,
        )


# Single sign-on (issue 20): which claim value gives which role.
class SsoRoleRuleForm(forms.ModelForm):
    role = forms.ChoiceField(
        label=_("role"),
        choices=[(role, permissions.ROLE_LABELS.get(role, role)) for role in permissions.ROLES],
    )

    class Meta:
        model = SsoRoleRule
        fields = ("claim", "value", "role")


@admin.register(SsoRoleRule)
class SsoRoleRuleAdmin(RoleScopedAdmin):
    form = SsoRoleRuleForm
    list_display = ("claim", "value", "role")
    list_filter = ("role",)
    search_fields = ("value",)

    def has_module_permission(self, request):
        return permissions.is_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.is_admin(request.user)

    def has_add_permission(self, request):
        return permissions.is_admin(request.user)


# Disposals: the approval tiers and the cases (read-only), from their package.
# Custody (check-outs, loans, holders' confirmations) and upkeep (repairs, contracts).
from assets.custody import admin as custody_admin  # noqa: E402,F401
from assets.disposals import admin as disposals_admin  # noqa: E402,F401
from assets.maintenance import admin as maintenance_admin  # noqa: E402,F401

# Reconciliation: the finance export's column mapping, from its package.
from assets.reconciliations import admin as reconciliations_admin  # noqa: E402,F401

# Security log: its admin lives with it in assets/security/.
from assets.security import admin as security_admin  # noqa: E402,F401
