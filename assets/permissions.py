"""Who may see and change what: the one place that answers it (DESIGN.md invariant 8).

Every API viewset, web view, admin page, export and reference inside a request (a parent tag, the
tags to print, a scanned code) starts from these scoped querysets. Out of scope is 404, never 403.
"""

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from assets.models import Asset, Department
from assets.sql import department_tree_sql

CLERK = "clerk"
RECEIVER = "receiver"
AUDITOR = "auditor"
ADMIN = "admin"
ROLES = (CLERK, RECEIVER, AUDITOR, ADMIN)
# What each role is called where a person reads it (the code stays in groups, API and URLs).
ROLE_LABELS = {
    CLERK: _("Asset clerk"),
    RECEIVER: _("Receiving department"),
    AUDITOR: _("Auditor"),
    ADMIN: _("Administrator"),
    "approver": _("Disposal approver"),
    "staff": _("Asset holder"),
}


def role_label(role: str) -> str:
    """The role's name in the reader's language; an unknown role shows its code."""
    return str(ROLE_LABELS.get(role, role))


def roles_of(user) -> set[str]:
    """The user's roles; superusers are admins. Cached on the user object for the request."""
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return set()
    cached = getattr(user, "_yika_roles", None)
    if cached is None:
        cached = {name for name in user.groups.values_list("name", flat=True) if name in ROLES}
        if user.is_superuser:
            cached.add(ADMIN)
        user._yika_roles = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))


def is_admin(user) -> bool:
    return ADMIN in roles_of(user)


def reads_everything(user) -> bool:
    """Admins and auditors read the whole register."""
    return has_role(user, ADMIN, AUDITOR)


def _department_tree(user) -> tuple[set[int], set[int]]:
    """The user's department with its sub-departments, and with its parents up to the root: one
    recursive query, cached on the user per request."""
    if user is None or not user.is_authenticated or not user.department_id:
        return set(), set()
    cached = getattr(user, "_yika_tree", None)
    if cached is None:
        scope: set[int] = set()
        ancestors: set[int] = set()
        with connection.cursor() as cursor:
            cursor.execute(department_tree_sql(), [user.department_id, user.department_id])
            for upward, pk in cursor.fetchall():
                (ancestors if upward else scope).add(pk)
        cached = user._yika_tree = (scope, ancestors)
    return cached


def department_scope_ids(user) -> set[int]:
    """The user's department and its sub-departments (one recursive query, cached per request)."""
    return _department_tree(user)[0]


def department_ancestor_ids(user) -> set[int]:
    """The user's department and its parents up to the root (the same cached query)."""
    return _department_tree(user)[1]


def asset_scope_q(user, prefix: str = "") -> Q:
    """Assets a department-bound user works with: owned, used or managed in their scope."""
    scope = department_scope_ids(user)
    return (
        Q(**{f"{prefix}owner_department__in": scope})
        | Q(**{f"{prefix}using_department__in": scope})
        | Q(**{f"{prefix}managing_department__in": scope})
    )


def visible_assets(user, queryset: QuerySet | None = None) -> QuerySet:
    """The cards `user` may read."""
    queryset = Asset.objects.all() if queryset is None else queryset
    if not user or not user.is_authenticated or not roles_of(user):
        return queryset.none()
    if reads_everything(user):
        return queryset
    return queryset.filter(asset_scope_q(user))


def card_reading_scope(user) -> set[int] | None:
    """The departments whose cards `user` reads, for rows that are not a queryset (a subtree
    walked in raw SQL): `None` means every card, an empty set none. The same rule as
    `visible_assets`; `reads_card` applies it to one row."""
    if not user or not user.is_authenticated or not roles_of(user):
        return set()
    if reads_everything(user):
        return None
    return department_scope_ids(user)


def reads_card(
    scope: set[int] | None, *, owner_id: int | None, using_id: int | None, managing_id: int | None
) -> bool:
    """Whether a card with these departments is in `scope` (from `card_reading_scope`): owned,
    used or managed in it, as `asset_scope_q` says."""
    if scope is None:
        return True
    return owner_id in scope or using_id in scope or managing_id in scope


def hides_host(scope: set[int] | None, asset) -> bool:
    """Whether `asset` sits in a host the reader with `scope` (from `card_reading_scope`) may
    not open: its tag and name are then not shown, only that there is a host (SECURITY.md §4,
    a tree leaks through its edges). `asset.parent` should be fetched alongside."""
    if not asset.parent_id:
        return False
    host = asset.parent
    return not reads_card(
        scope,
        owner_id=host.owner_department_id,
        using_id=host.using_department_id,
        managing_id=host.managing_department_id,
    )


def changeable_assets(user, queryset: QuerySet | None = None) -> QuerySet:
    """The cards `user` may change: admins everything, clerks their department scope."""
    queryset = Asset.objects.all() if queryset is None else queryset
    if is_admin(user):
        return queryset
    if has_role(user, CLERK):
        return queryset.filter(asset_scope_q(user))
    return queryset.none()


def can_change_assets(user) -> bool:
    """Role check for register writes (the object check is `changeable_assets`)."""
    return has_role(user, ADMIN, CLERK)


def assignable_departments(user) -> QuerySet:
    """Departments `user` may put a card under (owner, using, managing)."""
    if is_admin(user):
        return Department.objects.all()
    return Department.objects.filter(pk__in=department_scope_ids(user))


def may_name_custodian(user, custodian) -> bool:
    """Whether `user` may name the account `custodian` as a card's custodian (使用人): admins
    (and the system, `user=None`) anyone active; others the active users of their department
    scope. `assignable_custodians` is the same rule as a queryset."""
    if user is None or is_admin(user):
        return custodian.is_active
    return custodian.is_active and custodian.department_id in department_scope_ids(user)


def assignable_custodians(user) -> QuerySet:
    """The accounts `user` may name as a card's custodian (`may_name_custodian`)."""
    from assets.models import User

    queryset = User.objects.filter(is_active=True)
    if user is None or is_admin(user):
        return queryset
    return queryset.filter(department__in=department_scope_ids(user))


def visible_departments(user) -> QuerySet:
    """Reference data is readable by every signed-in user with a role."""
    if not roles_of(user):
        return Department.objects.none()
    return Department.objects.all()


def department_tree_ids(department: Department) -> set[int]:
    """`department` and its sub-departments (one recursive query)."""
    return set(
        Department.objects.descendants(department, include_self=True).values_list("pk", flat=True)
    )


def location_tree_ids(department_ids: set[int]) -> set[int]:
    """The locations inside the departments `department_ids`: those a department of them is
    responsible for, and below them those with no responsible department of their own (a rack
    in the department's room). A location with no responsible department anywhere above it
    belongs to no department's tree.

    One query over the locations, resolved in Python without recursion (however deep).
    """
    from assets.models import Location

    rows = {
        pk: (parent_id, dept_id)
        for pk, parent_id, dept_id in Location.objects.values_list(
            "pk", "parent_id", "department_id"
        )
    }
    responsible: dict[int, int | None] = {}
    for start in rows:
        chain: list[int] = []
        seen: set[int] = set()
        pk = start
        while pk is not None and pk not in responsible:
            parent_id, dept_id = rows[pk]
            if dept_id is not None:
                responsible[pk] = dept_id
                break
            if pk in seen:  # bad data made a cycle: no department
                break
            chain.append(pk)
            seen.add(pk)
            pk = parent_id
        found = responsible.get(pk) if pk is not None else None
        for node in chain:
            responsible[node] = found
    return {pk for pk, dept_id in responsible.items() if dept_id in department_ids}


# Delegated-build projects and handovers (代建移交). Builders see what they build, receivers what
# comes to them; drafts stay with the builder until submitted.


def visible_projects(user, queryset: QuerySet | None = None) -> QuerySet:
    """Projects `user` may read: built by or owned by a department in their scope."""
    from assets.models import DelegatedProject

    queryset = DelegatedProject.objects.all() if queryset is None else queryset
    if not roles_of(user):
        return queryset.none()
    if reads_everything(user):
        return queryset
    scope = department_scope_ids(user)
    return queryset.filter(Q(builder_department__in=scope) | Q(owner_department__in=scope))


def may_link_project(user, project) -> bool:
    """Whether `user` may link a card to the delegated-build project `project`: admins (and the
    system, `user=None`) any; others a project built or owned in their department scope, the
    ones they read (`visible_projects`; `linkable_projects` is the queryset)."""
    if user is None or is_admin(user):
        return True
    scope = department_scope_ids(user)
    return project.builder_department_id in scope or project.owner_department_id in scope


def linkable_projects(user) -> QuerySet:
    """The projects `user` may link a card to (`may_link_project`)."""
    from assets.models import DelegatedProject

    if user is None or is_admin(user):
        return DelegatedProject.objects.all()
    scope = department_scope_ids(user)
    return DelegatedProject.objects.filter(
        Q(builder_department__in=scope) | Q(owner_department__in=scope)
    )


def changeable_projects(user, queryset: QuerySet | None = None) -> QuerySet:
    """Projects `user` may edit: admins all, clerks those their department builds."""
    from assets.models import DelegatedProject

    queryset = DelegatedProject.objects.all() if queryset is None else queryset
    if is_admin(user):
        return queryset
    if has_role(user, CLERK):
        return queryset.filter(builder_department__in=department_scope_ids(user))
    return queryset.none()


def visible_handovers(user, queryset: QuerySet | None = None) -> QuerySet:
    """Handovers `user` may read: the builder's side sees its own, drafts included; the
    receiving side sees them once submitted; auditors and admins read all."""
    from assets.models import Handover

    queryset = Handover.objects.all() if queryset is None else queryset
    if not roles_of(user):
        return queryset.none()
    if reads_everything(user):
        return queryset
    scope = department_scope_ids(user)
    return queryset.filter(
        Q(from_department__in=scope) | (Q(to_department__in=scope) & ~Q(state=Handover.State.DRAFT))
    )


def can_prepare_handover(user, handover) -> bool:
    """Create, edit, submit and withdraw: clerks of the builder (and admins)."""
    if is_admin(user):
        return True
    return has_role(user, CLERK) and handover.from_department_id in department_scope_ids(user)


def can_decide_handover(user, handover) -> bool:
    """Decide: receivers of the receiving department only (DESIGN.md, who uses it)."""
    return has_role(user, RECEIVER) and handover.to_department_id in department_scope_ids(user)


def visible_import_jobs(user, queryset: QuerySet | None = None) -> QuerySet:
    """Import jobs are private to their uploader: nobody else reads their rows or errors."""
    from assets.models import ImportJob

    queryset = ImportJob.objects.all() if queryset is None else queryset
    if not user or not user.is_authenticated or not can_change_assets(user):
        return queryset.none()
    return queryset.filter(created_by=user)


def visible_print_batches(user, queryset: QuerySet) -> QuerySet:
    """Label print batches `user` may read and download: those whose every card they may read.

    The queryset comes from `labels` (which imports this module, never the other way round).
    """
    if not user or not user.is_authenticated or not roles_of(user):
        return queryset.none()
    if reads_everything(user):
        return queryset
    hidden = Asset.objects.exclude(asset_scope_q(user)).values("pk")
    return queryset.exclude(assets__in=hidden)
