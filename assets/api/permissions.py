"""DRF glue for `assets.permissions`: role checks per action; object scope lives in querysets.

The role sets come from `assets.permissions` (`CARD_WRITERS`, `HANDOVER_PREPARERS`,
`HANDOVER_DECIDERS`); the object rules are asked by the viewsets' `get_queryset`/`get_object`
and again by the services.
"""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from assets import permissions


class RolePermission(BasePermission):
    """Signed in with a role; reads for every role, writes for `view.write_roles`.

    A view may narrow writes per action with `action_roles = {"decide": {"receiver", "admin"}}`.
    Auditors are in no write set, so every write of theirs is refused (invariant 8).
    """

    def has_permission(self, request, view):
        user = request.user
        if not user or not user.is_authenticated:
            return False
        roles = permissions.roles_of(user)
        if not roles:
            return False
        action = getattr(view, "action", None)
        action_roles = getattr(view, "action_roles", {})
        if action in action_roles:
            return bool(roles & set(action_roles[action]))
        if request.method in SAFE_METHODS:
            return bool(roles & set(getattr(view, "read_roles", permissions.ROLES)))
        return bool(roles & set(getattr(view, "write_roles", {permissions.ADMIN})))


class AdminOnly(BasePermission):
    def has_permission(self, request, view):
        return bool(
            request.user and request.user.is_authenticated and permissions.is_admin(request.user)
        )
