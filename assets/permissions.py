"""Who may see and change what: the one place that answers it (DESIGN.md invariant 8).

Every API viewset, web view, admin page, export and reference inside a request (a parent tag, the
tags to print, a scanned code) starts from these scoped querysets, and every service that changes
something asks the same rules itself (`require_*`), so a management command, an admin action or a
task gets the check the API and the pages get. Out of scope is 404, never 403; 403 means in scope
but not allowed. Below, concern by concern, which rule answers and where it is asked.

Who acts. A request's user (a `User`, or Django's `AnonymousUser`: never `None`). `SYSTEM`
(`None`) is the system itself: `seed_demo`, `import_assets` without `--user`, data migrations and
test factories pass it explicitly; no view can, so the system path cannot be reached from a
request (a serializer or form used without one reads as nobody: `requester`). Roles are the groups `ROLES` (`roles_of`, superusers are admins); the role sets
`CARD_WRITERS`, `HANDOVER_PREPARERS` and `HANDOVER_DECIDERS` are what the API's `RolePermission`
(`assets/api/permissions.py`: `read_roles`, `write_roles`, `action_roles` per viewset) and the pages
check before anything else. Auditors read everything and are in no write set.

Who sees which card. `visible_assets` (a queryset; `may_read_card` for one row,
`card_reading_scope` + `reads_card` for rows read in raw SQL): admins and auditors every card,
other roles the cards owned, used or managed by their department or a sub-department
(`asset_scope_q`). Asked by the register API (`AssetViewSet.get_queryset`, through
`selectors.assets_visible_to`), every tag reference in a payload (`ScopedAssetTagField`,
`?parent=` in `AssetFilter`, the handover `ScopedTagList`), the register pages (`_visible_asset`),
exports, search, the card admin (`AssetAdmin`, `AssetEventAdmin.get_queryset`), the label scan
page `/a/{TAG}` and QR preview, component sheets, and the stocktake scans. A host or component the
reader may not open is named nowhere (`hides_host`, `selectors.visible_asset_subtree`,
`selectors.redact_event_tags`).

Which department and location. Reference data (`visible_departments`, `visible_locations`,
categories) is read by every role. A card is put only under departments of the actor's scope
(`may_assign_department`; `assignable_departments` for the forms), linked only to a project of it
(`may_link_project`) and given only a custodian account of it (`may_name_custodian`); admins and
the system anywhere. Asked by `services._check_departments` for every registration and edit
(API, pages, import); a reference outside the scope is refused like an unknown one.

Who may change a card. `changeable_assets` (a queryset; `may_change_card` for one row): admins
every card, clerks the cards of their department scope, nobody else. `require_card_change` is the
services' check (`update_asset(s)`, `nest_asset`, `move_asset`, `change_status`, `retire_asset`):
a card out of the actor's view is `NotInScope` (404), one they read but may not change is
`PermissionDenied` (403). The API's `AssetViewSet.get_object` and the pages' `ChangeMixin` ask it
first, so a read-only user gets 403 before the payload is read. Registering (`register_asset(s)`)
needs a `CARD_WRITERS` role (`require_card_writer`; `can_change_assets` is the role check).
Revaluing (`revalue_asset`) is for whoever may change the card or its delegated-build project
(`may_revalue_card`, `require_card_revaluation`: final accounts revalue cards already handed
over).

Nesting (the host check). `nest_asset` and a registration with a `parent` ask
`require_host_change`: the actor must change the component and the host, and see the host; a host
out of view is refused like an unknown tag (400 on `parent`), one they read but may not change is
403. The API's `parent` field and the pages' nest and create forms resolve the host through
`visible_assets` / `changeable_assets` first. Components leave a host being retired whoever's
they are (the retire page counts those it does not name).

Moving and retiring. `move_asset`, `change_status` and `retire_asset` ask `require_card_change`
for the card; embedded and rack-mounted components follow their host. A move that places a card
accepted in a handover is the deciding receiver's (`require_handover_placement`), inside the
receiving department's tree (`receiving_department_ids`, `receiving_location_ids`, which the
review page also offers).

Printing labels. `labels.services.print_labels`, `void_label` and `retry_batch` ask
`require_label_change` (a `CARD_WRITERS` role and `changeable_assets` for every card of the
selection or batch; any refusal is `NotInScope`, 404, as for a card that does not exist:
SECURITY.md test 7). The print queue, the tags to print and a host's subtree resolve through
`changeable_assets` (`labels.selectors`); batches are read by those who read every card in them
(`visible_print_batches`); `may_retry_batch` answers the pages before they call the service.
Label templates are the admins' (`labels.services.save_template`, `RoleScopedAdmin`).

Handovers. Projects are read by the builder's and the owner's side (`visible_projects`) and
changed by admins and the builder's clerks (`changeable_projects`, `may_change_project`,
`require_project_change`; `require_project_preparer` to create one), in `save_project` and the
final-accounts services. A handover is read by the builder's side (drafts too) and, once
submitted, by the receiving side (`visible_handovers`); created, edited, submitted and withdrawn by
admins and the builder's clerks (`can_prepare_handover`, `require_handover_preparer`) and decided
only by receivers of the receiving department (`can_decide_handover`, `require_handover_decider`;
`decidable_handovers` is the inbox). The services ask these themselves; the API and the pages ask
them first so the wrong side gets 403 before its payload is read.

Imports. Uploading, previewing and applying a ledger need a `CARD_WRITERS` role
(`can_change_assets`, asked by `assets.imports.jobs`); a job is read and applied only by its
uploader (`visible_import_jobs`). Rows match only cards the actor may change (`changeable_assets`)
and go through `register_assets`, `update_assets` and the per-card services, which check again.

Accounts. Only admins read and change accounts (`is_admin`: the users API `AdminOnly`, `UserAdmin`,
`services.save_user` via `require_admin`); a user ends their own tokens and changes their own
password, admins anyone's (`assets.credentials`).

Custody and upkeep. The `staff` role (a holder) has no department scope: it reads only the
cards it holds (`custodian_user`), which every role also reads (`visible_assets`,
`may_read_card`). Check-out, check-in and loans are card changes (`require_card_change`), to a
holder of the card's departments (`may_hold_card`); receipt is the holder's
(`require_receipt_confirmer`); a fault is reported by any reader but an auditor
(`require_fault_reporter`); contracts are read and changed by department (`visible_contracts`,
`require_contract_change`).
Attachments (evidence). A file is read by whoever reads its subject (`assets.attachments.subjects`:
each subject kind names its scoped queryset), and attached or withdrawn by whoever may change
it: a card's by `may_change_card`, a project's by `may_change_project`, a handover's by either
side (`may_attach_to_handover`: the builder's clerks and the receiving department's receivers).
`require_attachment_change` is the services' check. Auditors read every file and add none.

Admin. `config.admin.RoleScopedAdmin` (admins change, auditors read, nobody deletes) and
`ReadOnlyAdmin` answer from the roles here; an admin action runs only with change permission and
calls the services, which check again. The stocktake's rules (counter scope, `can_manage`,
campaign visibility, difference roles) belong to the stocktake and are not mapped here.
"""

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from assets.errors import NotInScope
from assets.models import Asset, Department
from assets.sql import department_tree_sql, roles_and_department_tree_sql

CLERK = "clerk"
RECEIVER = "receiver"
AUDITOR = "auditor"
ADMIN = "admin"
ROLES = (CLERK, RECEIVER, AUDITOR, ADMIN)
# Who writes: registers, changes and labels cards, imports ledgers (the API's `write_roles`).
CARD_WRITERS = frozenset({CLERK, ADMIN})
# Who prepares a handover (the builder's side) and who decides it (the receiving side).
HANDOVER_PREPARERS = frozenset({CLERK, ADMIN})
HANDOVER_DECIDERS = frozenset({RECEIVER})
# Refusals a caller may keep and say again in its reader's language (`assets.refusals`).
NOT_CARD_WRITER = _("Your role may not register assets.")
NOT_DISPOSAL_PREPARER = _("Only clerks of the disposing department prepare or execute a disposal.")
# Disposals: who approves a case (the tier names which of these roles), who prepares one.
APPROVER = "approver"
ROLES = (*ROLES, APPROVER)
DISPOSAL_PREPARERS = frozenset({CLERK, ADMIN})
DISPOSAL_APPROVERS = frozenset({APPROVER, ADMIN})
# Custody (issue 18): a plain holder (持有人) who sees, confirms and reports a fault on only the
# cards they hold (`custodian_user`); no department scope (`_department_tree`).
STAFF = "staff"
ROLES = (*ROLES, STAFF)
# Who opens the disposal and reconciliation pages at all (the header's links follow this; a
# plain holder has neither).
DISPOSAL_READERS = frozenset({CLERK, ADMIN, APPROVER, AUDITOR})
RECONCILIATION_READERS = frozenset({CLERK, ADMIN, AUDITOR})


def holds_only(user) -> bool:
    """A plain holder (staff and no other role): their own cards, no department's."""
    return roles_of(user) == {STAFF}


def reads_disposals(user) -> bool:
    return bool(roles_of(user) & DISPOSAL_READERS)


def reads_reconciliations(user) -> bool:
    return bool(roles_of(user) & RECONCILIATION_READERS)


# The actor of what the system does itself (demo data, a command run without `--user`, data
# migrations). A request's user is a `User` or an `AnonymousUser`, never None, so no view can
# reach this path. The register's checks let it through (`is_system`); handovers and labels
# have no system path.
SYSTEM = None


def is_system(actor) -> bool:
    """Whether `actor` is the system itself (`SYSTEM`), which keeps to no department scope."""
    return actor is None


def requester(request):
    """Who a request (or a serializer's or form's context) acts for: its user, and nobody (an
    `AnonymousUser`) when there is none, never `SYSTEM`."""
    user = getattr(request, "user", None)
    return AnonymousUser() if user is None else user


# What each role is called where a person reads it (the code stays in groups, API and URLs).
ROLE_LABELS = {
    CLERK: _("Asset clerk"),
    RECEIVER: _("Receiver"),
    AUDITOR: _("Auditor"),
    ADMIN: _("Administrator"),
    APPROVER: _("Disposal approver"),
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
        # The department tree comes in the same round trip (`_department_tree` reads it): the
        # roles are asked first on every request, so no request pays a second query for its
        # scope, and nothing is kept between requests that a moved department could outdate.
        cached, scope, ancestors = set(), set(), set()
        department = user.department_id
        with connection.cursor() as cursor:
            cursor.execute(roles_and_department_tree_sql(), [user.pk, department, department])
            for kind, name, pk in cursor.fetchall():
                if kind == 2:
                    if name in ROLES:
                        cached.add(name)
                else:
                    (ancestors if kind else scope).add(pk)
        if user.is_superuser:
            cached.add(ADMIN)
        user._yika_roles = cached
        if department and getattr(user, "_yika_tree", None) is None:
            user._yika_tree = (scope, ancestors)
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))


def is_admin(user) -> bool:
    return ADMIN in roles_of(user)


def require_admin(actor) -> None:
    """Accounts are the admins' to create and change; the system (demo data) passes."""
    if not is_system(actor) and not is_admin(actor):
        raise PermissionDenied(gettext("Only administrators manage accounts."))


def reads_everything(user) -> bool:
    """Admins and auditors read the whole register."""
    return has_role(user, ADMIN, AUDITOR)


def _department_tree(user) -> tuple[set[int], set[int]]:
    """The user's department with its sub-departments, and with its parents up to the root: one
    recursive query, cached on the user per request."""
    if user is None or not user.is_authenticated or not user.department_id:
        return set(), set()
    if holds_only(user):  # a holder reads their own cards, no department's
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


# The card's departments that put it in a department-bound reader's scope (owned, used or
# managed there): the one list `asset_scope_q`, `reads_card` and the reports' and dashboard's SQL
# (`assets.reports.sql.scope_sql`) read, so the register, the dashboard and the reports count
# the same cards for a clerk (an office clerk's cards are often owned by the bureau above).
SCOPE_DEPARTMENTS = ("owner_department", "using_department", "managing_department")


def asset_scope_q(user, prefix: str = "") -> Q:
    """Assets a department-bound user works with: owned, used or managed in their scope."""
    scope = department_scope_ids(user)
    q = Q()
    for field in SCOPE_DEPARTMENTS:
        q |= Q(**{f"{prefix}{field}__in": scope})
    return q


def visible_assets(user, queryset: QuerySet | None = None) -> QuerySet:
    """The cards `user` may read."""
    queryset = Asset.objects.all() if queryset is None else queryset
    if not user or not user.is_authenticated or not roles_of(user):
        return queryset.none()
    if reads_everything(user):
        return queryset
    # Everyone with a role also reads the cards they hold (custody; the `staff` role only those).
    return queryset.filter(asset_scope_q(user) | Q(custodian_user=user.pk))


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
    return has_role(user, *CARD_WRITERS)


def may_read_card(user, asset) -> bool:
    """Whether `user` reads the card `asset`: `visible_assets` for one row, from its own
    department columns (no query once the user's scope is cached). A holder reads the card they
    hold (`custodian_user`), as `visible_assets` says."""
    if asset.custodian_user_id is not None and asset.custodian_user_id == getattr(user, "pk", None):
        return bool(roles_of(user))
    return reads_card(
        card_reading_scope(user),
        owner_id=asset.owner_department_id,
        using_id=asset.using_department_id,
        managing_id=asset.managing_department_id,
    )


def may_change_card(user, asset) -> bool:
    """Whether `user` may change the card `asset`: `changeable_assets` for one row (admins every
    card, clerks those of their department scope), without a query."""
    if is_admin(user):
        return True
    if not has_role(user, CLERK):
        return False
    return reads_card(
        department_scope_ids(user),
        owner_id=asset.owner_department_id,
        using_id=asset.using_department_id,
        managing_id=asset.managing_department_id,
    )


def require_card_writer(actor) -> None:
    """Refuse (403) an actor whose role registers no cards; the system passes."""
    if not is_system(actor) and not can_change_assets(actor):
        raise PermissionDenied(str(NOT_CARD_WRITER))


def require_card_change(actor, asset) -> None:
    """The services' check before they change the card `asset` (`may_change_card`).

    A card out of the actor's view is answered as one that does not exist (`NotInScope`, 404);
    one they read but may not change is `PermissionDenied` (403). The system passes.
    """
    if is_system(actor) or may_change_card(actor, asset):
        return
    if not may_read_card(actor, asset):
        raise NotInScope()
    raise PermissionDenied(gettext("You may read this card but not change it."))


def require_host_change(actor, host) -> None:
    """The nesting host check: a component goes only into a host the actor sees and may change.

    A host out of view is refused like an unknown tag (400 on `parent`, as the API's and the
    forms' host fields answer); one the actor reads but may not change is 403.
    """
    if is_system(actor) or may_change_card(actor, host):
        return
    if not may_read_card(actor, host):
        raise ValidationError({"parent": gettext("Unknown asset “%(tag)s”.") % {"tag": host.tag}})
    raise PermissionDenied(gettext("You may not change the host %(tag)s.") % {"tag": host.tag})


def may_revalue_card(user, asset) -> bool:
    """Whether `user` may give the card `asset` a new value: whoever may change it, or may change
    its delegated-build project (the approved final accounts revalue the project's cards, also
    those handed over to the owner already)."""
    if may_change_card(user, asset):
        return True
    return asset.project_id is not None and may_change_project(user, asset.project)


def require_card_revaluation(actor, asset) -> None:
    """`revalue_asset`'s check (`may_revalue_card`), answered as `require_card_change` does."""
    if is_system(actor) or may_revalue_card(actor, asset):
        return
    if not may_read_card(actor, asset):
        raise NotInScope()
    raise PermissionDenied(gettext("You may read this card but not change it."))


def assignable_departments(user) -> QuerySet:
    """Departments `user` may put a card under (owner, using, managing): `may_assign_department`
    as a queryset."""
    if is_admin(user):
        return Department.objects.all()
    return Department.objects.filter(pk__in=department_scope_ids(user))


def may_assign_department(user, department) -> bool:
    """Whether `user` may put a card (or a project's builder) under `department`: admins and the
    system any, others a department of their scope (`assignable_departments`)."""
    return is_system(user) or is_admin(user) or department.pk in department_scope_ids(user)


def may_name_custodian(user, custodian) -> bool:
    """Whether `user` may name the account `custodian` as a card's custodian (使用人): admins
    (and the system, `user=None`) anyone active; others the active users of their department
    scope. `assignable_custodians` is the same rule as a queryset."""
    if is_system(user) or is_admin(user):
        return custodian.is_active
    return custodian.is_active and custodian.department_id in department_scope_ids(user)


def assignable_custodians(user) -> QuerySet:
    """The accounts `user` may name as a card's custodian (`may_name_custodian`)."""
    from assets.models import User

    queryset = User.objects.filter(is_active=True)
    if is_system(user) or is_admin(user):
        return queryset
    return queryset.filter(department__in=department_scope_ids(user))


def visible_departments(user) -> QuerySet:
    """Reference data is readable by every signed-in user with a role."""
    if not roles_of(user):
        return Department.objects.none()
    return Department.objects.all()


def visible_locations(user) -> QuerySet:
    """Locations are reference data, readable by every signed-in user with a role."""
    from assets.models import Location

    if not roles_of(user):
        return Location.objects.none()
    return Location.objects.all()


def department_tree_ids(department: Department) -> set[int]:
    """`department` and its sub-departments (one recursive query)."""
    return set(
        Department.objects.descendants(department, include_self=True).values_list("pk", flat=True)
    )


def placeable_locations(user) -> QuerySet:
    """The active locations a form offers `user` to put a card or count in (register, move,
    stocktake): those of their department tree (`location_tree_ids`) and those no department is
    responsible for (shared places are anyone's, as for stocktake scans); admins and the
    system every one. Locations stay readable reference data (`visible_locations`)."""
    from assets.models import Location

    active = Location.objects.filter(is_active=True)
    if is_system(user) or is_admin(user):
        return active
    if not roles_of(user):
        return Location.objects.none()
    responsible = _responsible_departments()
    scope = department_scope_ids(user)
    return active.filter(
        pk__in=[pk for pk, dept_id in responsible.items() if dept_id is None or dept_id in scope]
    )


def location_tree_ids(department_ids: set[int]) -> set[int]:
    """The locations inside the departments `department_ids`: those a department of them is
    responsible for, and below them those with no responsible department of their own (a rack
    in the department's room). A location with no responsible department anywhere above it
    belongs to no department's tree.
    """
    return {pk for pk, dept_id in _responsible_departments().items() if dept_id in department_ids}


def _responsible_departments() -> dict[int, int | None]:
    """Each location's responsible department: its own, else its nearest ancestor's (None when
    none above has one). One query over the locations, resolved in Python without recursion."""
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
    return responsible


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
    if is_system(user) or is_admin(user):
        return True
    scope = department_scope_ids(user)
    return project.builder_department_id in scope or project.owner_department_id in scope


def linkable_projects(user) -> QuerySet:
    """The projects `user` may link a card to (`may_link_project`)."""
    from assets.models import DelegatedProject

    if is_system(user) or is_admin(user):
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


def may_change_project(user, project) -> bool:
    """`changeable_projects` for one project, from its builder column (no query)."""
    if is_admin(user):
        return True
    return has_role(user, CLERK) and project.builder_department_id in department_scope_ids(user)


def require_project_preparer(actor) -> None:
    """Setting up a delegated-build project is for the roles that prepare handovers; the system
    (demo data, imports) passes. Where it may be built is `may_assign_department`."""
    if not is_system(actor) and not may_prepare_handovers(actor):
        raise PermissionDenied(gettext("You may not change this project."))


def require_project_change(actor, project) -> None:
    """The services' check before they change `project` or its final accounts."""
    if not is_system(actor) and not may_change_project(actor, project):
        raise PermissionDenied(gettext("You may not change this project."))


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


def may_prepare_handovers(user) -> bool:
    """The role check for opening handovers (the object check is `can_prepare_handover`)."""
    return has_role(user, *HANDOVER_PREPARERS)


# Handovers have no system path: a handover is always prepared by a clerk or an admin, and
# only a receiver's decision moves ownership (DESIGN.md invariant 6).


def require_handover_preparer(actor, handover) -> None:
    """The services' check before they create, edit, submit or withdraw `handover`."""
    if not can_prepare_handover(actor, handover):
        raise PermissionDenied(
            gettext("Only clerks of the builder prepare, submit or withdraw it.")
        )


def require_handover_decider(actor, handover) -> None:
    """The services' check before they record a decision on `handover`."""
    if not can_decide_handover(actor, handover):
        raise PermissionDenied(gettext("Only receivers of the receiving department decide."))


def decidable_handovers(user, queryset: QuerySet) -> QuerySet:
    """`can_decide_handover` as a queryset: the handovers to `user`'s department scope, for a
    receiver (their inbox, once the state is narrowed to submitted)."""
    if not has_role(user, *HANDOVER_DECIDERS):
        return queryset.none()
    return queryset.filter(to_department__in=department_scope_ids(user))


def _ids_up(departments) -> dict[int, set[int]]:
    """For each of `departments` (one department or several), its id and those above it."""
    if isinstance(departments, Department):
        departments = [departments]
    ids = [getattr(department, "pk", department) for department in departments]
    return {
        department.pk: set(department.tree_path)
        for department in Department.objects.with_tree_fields().filter(pk__in=ids)
    }


def handover_deciders(departments) -> QuerySet:
    """`can_decide_handover` turned round: the active users who could decide a handover to
    one of `departments` (a department or several) — receivers working in it or in a
    department above it."""
    from assets.models import User

    above = set().union(*_ids_up(departments).values())
    return User.objects.filter(
        is_active=True, groups__name=RECEIVER, department__in=above
    ).distinct()


def handover_decidable_ids(departments) -> set[int]:
    """The ids of those of `departments` that someone could decide a handover to
    (`handover_deciders`): the receiving departments an internal transfer's form offers."""
    up = _ids_up(departments)
    deciding = set(handover_deciders(list(up)).values_list("department_id", flat=True).order_by())
    return {pk for pk, ids in up.items() if ids & deciding}


def receiving_department_ids(handover) -> set[int]:
    """Where a receiver may give accepted cards a using department: the receiving department
    and its sub-departments (never a third bureau, issue 15.5)."""
    return department_tree_ids(handover.to_department)


def receiving_location_ids(handover) -> set[int]:
    """Where a receiver may place accepted cards: the receiving tree's locations."""
    return location_tree_ids(receiving_department_ids(handover))


def require_handover_placement(actor, handover, asset) -> None:
    """A move that places `asset` on `handover`'s decision: the receiver deciding it, for a card
    it hands over (receivers change no cards otherwise; the place itself is checked against
    `receiving_location_ids` by the decision)."""
    if not (
        can_decide_handover(actor, handover) and handover.items.filter(asset_id=asset.pk).exists()
    ):
        raise PermissionDenied(gettext("Only receivers of the receiving department decide."))


# Labels (printing, reprinting, voiding): a change to the cards, answered 404 when refused.


def require_label_printer(actor) -> None:
    """The role check for printing (`CARD_WRITERS`), refused as `require_label_change` is."""
    if not can_change_assets(actor):
        raise NotInScope()


def require_label_change(actor, asset_ids) -> None:
    """Printing, reprinting and voiding labels of the cards `asset_ids`: a `CARD_WRITERS` role
    and `changeable_assets` for every card. Any refusal is `NotInScope` (404), as for a card
    that does not exist, so the tags to print cannot be probed (SECURITY.md test 7). Labels
    have no system path."""
    require_label_printer(actor)
    ids = set(asset_ids)
    allowed = changeable_assets(actor, Asset.objects.filter(pk__in=ids)).values_list(
        "pk", flat=True
    )
    if len(set(allowed)) != len(ids):
        raise NotInScope()


def may_retry_batch(user, batch) -> bool:
    """Whether `user` may render the print batch `batch` again: a `CARD_WRITERS` role and every
    card of the batch theirs to change (`require_label_change`)."""
    if not can_change_assets(user):
        return False
    return changeable_assets(user).filter(print_batches=batch).count() == batch.assets.count()


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


# Disposals. A case is read by its department's side (drafts only by those who prepare it),
# by the receiving side of a transfer once submitted, and by auditors and admins; prepared
# (created, edited, submitted, executed) by clerks of the disposing department and admins;
# approved or rejected only by the role its tier names, in scope, never by who prepared it.


def visible_disposals(user, queryset: QuerySet | None = None) -> QuerySet:
    """Disposal cases `user` may read."""
    from assets.models import DisposalCase

    queryset = DisposalCase.objects.all() if queryset is None else queryset
    if not roles_of(user):
        return queryset.none()
    if reads_everything(user):
        return queryset
    scope = department_scope_ids(user)
    own = Q(department__in=scope) | _counted_in(scope)
    if not has_role(user, *DISPOSAL_PREPARERS):
        own &= ~Q(state=DisposalCase.State.DRAFT)
    return queryset.filter(own | (Q(to_department__in=scope) & ~Q(state=DisposalCase.State.DRAFT)))


def readable_disposals(user, queryset: QuerySet | None = None) -> QuerySet:
    """The cases whose page `user` may open: the disposal pages' role (`reads_disposals`) and
    the cases they may read (`visible_disposals`). The disposal detail page looks its case up
    here, and every page naming a case links it only when it is in here (a stocktake
    difference's case, walk 2); otherwise it shows the number as text."""
    if not reads_disposals(user):
        from assets.models import DisposalCase

        return (DisposalCase.objects.all() if queryset is None else queryset).none()
    return visible_disposals(user, queryset)


def _counted_in(scope) -> Q:
    """Cases holding a stocktake difference of a count line in `scope`: a loss case of the
    owning unit (a bureau) also belongs to the sub-department whose clerk counted and explained
    the cards (walk2-5). A subquery, so a case with several such lines is listed once."""
    from assets.models import DisposalCase

    counted = DisposalCase.objects.filter(stocktake_differences__line__department__in=scope)
    return Q(pk__in=counted.values("pk"))


def can_prepare_disposal(user, case) -> bool:
    """Create, edit, submit and execute: clerks of the disposing department, or of the
    department that counted the case's stocktake differences (and admins)."""
    if _prepares_disposals_of(user, case.department_id):
        return True
    if not has_role(user, CLERK) or case.pk is None:
        return False
    scope = department_scope_ids(user)
    # A case holding differences counted in the clerk's scope (`_counted_in`), and only while
    # every card of it was counted there (a case gathered over several offices' counts is the
    # owning unit's clerks' to carry on, walk 3) and is still in the clerk's scope (a card moved
    # to another department since the count is no longer this office's to dispose of, walk 5.1).
    counted_here = case.stocktake_differences.filter(line__department__in=scope)
    still_here = Q(asset_id__in=counted_here.values("line__asset_id")) & asset_scope_q(
        user, prefix="asset__"
    )
    return counted_here.exists() and not case.items.exclude(still_here).exists()


def _prepares_disposals_of(user, department_id) -> bool:
    """A disposing department's clerks (and admins) prepare its cases."""
    if is_admin(user):
        return True
    return has_role(user, CLERK) and department_id in department_scope_ids(user)


def may_dispose_of_card(user, asset) -> bool:
    """Whether `user` may open a disposal case of the card `asset`: they may change it
    (`may_change_card`) and prepare its owner's cases (`can_prepare_disposal`: a case is its
    cards' owner's). The card page offers "Dispose of" and the case form takes the card by this;
    a clerk who only manages or uses another unit's card is not offered a form that ends in 403
    (walk 4.3)."""
    return may_change_card(user, asset) and _prepares_disposals_of(user, asset.owner_department_id)


def may_prepare_disposals(user) -> bool:
    """The role check for opening cases (the object check is `can_prepare_disposal`)."""
    return has_role(user, *DISPOSAL_PREPARERS)


def require_disposal_preparer(actor, case) -> None:
    """The services' check before they create, edit, submit or execute `case`."""
    if not can_prepare_disposal(actor, case):
        raise PermissionDenied(str(NOT_DISPOSAL_PREPARER))


def _holds_tier_role(user, case) -> bool:
    if case.approver_role == ADMIN:
        return is_admin(user)
    return has_role(user, case.approver_role) and (
        is_admin(user) or case.department_id in department_scope_ids(user)
    )


def can_approve_disposal(user, case) -> bool:
    """Approve or reject: the role the case's tier names, in scope, not who prepared it."""
    if not case.approver_role or not _holds_tier_role(user, case):
        return False
    return user.pk not in (case.created_by_id, case.submitted_by_id)


def require_disposal_approver(actor, case) -> None:
    """The services' check before they approve or reject `case` (no system path: a person
    approves). Self-approval is refused even for an administrator."""
    if (
        actor is not None
        and actor.is_authenticated
        and actor.pk
        in (
            case.created_by_id,
            case.submitted_by_id,
        )
    ):
        raise PermissionDenied(gettext("You prepared this case; someone else must approve it."))
    if not case.approver_role or not _holds_tier_role(actor, case):
        raise PermissionDenied(
            gettext("This case is approved by the role “%(role)s” (%(body)s).")
            % {"role": role_label(case.approver_role), "body": case.approving_body}
        )


def approvable_disposals(user, queryset: QuerySet) -> QuerySet:
    """The approver's inbox as a queryset: submitted cases whose tier names one of the user's
    roles, in their scope, that they did not prepare."""
    from assets.models import DisposalCase

    roles = roles_of(user) & DISPOSAL_APPROVERS
    if not roles:
        return queryset.none()
    queryset = queryset.filter(state=DisposalCase.State.SUBMITTED, approver_role__in=roles)
    if not is_admin(user):
        queryset = queryset.filter(department__in=department_scope_ids(user))
    return queryset.exclude(created_by=user).exclude(submitted_by=user)


# Custody and upkeep (issue 18): check-out, check-in and loans are changes to the card (clerks
# of its scope, admins: `require_card_change`); receipt is the holder's alone; a fault is
# reported by whoever reads the card and is no auditor-only reader; repairs and contracts are
# the clerks'.


def may_hold_card(holder, asset) -> bool:
    """Whether the account `holder` may be given the card `asset`: an active account whose
    department is inside the card's owning, using or managing department (or below it)."""
    if not holder.is_active or not holder.department_id:
        return False
    card_departments = {
        pk
        for pk in (
            asset.owner_department_id,
            asset.using_department_id,
            asset.managing_department_id,
        )
        if pk
    }
    holder_line = set(
        Department.objects.ancestors(holder.department, include_self=True).values_list(
            "pk", flat=True
        )
    )
    return bool(card_departments & holder_line)


def require_receipt_confirmer(actor, record) -> None:
    """Only the person a card was checked out to confirms they received it."""
    if record.holder_id is None or getattr(actor, "pk", None) != record.holder_id:
        raise PermissionDenied(gettext("Only the person it was checked out to confirms receipt."))


def may_report_fault(user, asset) -> bool:
    """Whether `user` may report a fault on `asset`: they read it, and they are not only an
    auditor (auditors change nothing)."""
    return bool(roles_of(user) - {AUDITOR}) and may_read_card(user, asset)


def require_fault_reporter(actor, asset) -> None:
    """`report_fault`'s check: 404 for a card out of view, 403 for an auditor; the system passes."""
    if is_system(actor) or may_report_fault(actor, asset):
        return
    if not may_read_card(actor, asset):
        raise NotInScope()
    raise PermissionDenied(gettext("Your role may not report faults."))


def held_assets(user, queryset: QuerySet | None = None) -> QuerySet:
    """The live cards `user` holds (`custodian_user`): their "my assets", whatever their role."""
    queryset = Asset.objects.all() if queryset is None else queryset
    if not user or not user.is_authenticated:
        return queryset.none()
    return queryset.filter(custodian_user=user.pk).exclude(status=Asset.Status.RETIRED)


def visible_contracts(user, queryset: QuerySet | None = None) -> QuerySet:
    """Maintenance contracts `user` reads: admins and auditors all, others those of a
    department in their scope."""
    from assets.models import MaintenanceContract

    queryset = MaintenanceContract.objects.all() if queryset is None else queryset
    if not roles_of(user):
        return queryset.none()
    if reads_everything(user):
        return queryset
    return queryset.filter(department__in=department_scope_ids(user))


def may_change_contract(user, contract) -> bool:
    """Admins every contract, clerks those of their department scope (no query)."""
    if is_admin(user):
        return True
    return has_role(user, CLERK) and contract.department_id in department_scope_ids(user)


def require_contract_change(actor, contract) -> None:
    """The contract services' check: out of view 404, read-only 403; the system passes."""
    if is_system(actor) or may_change_contract(actor, contract):
        return
    if not visible_contracts(actor).filter(pk=contract.pk).exists():
        raise NotInScope()
    raise PermissionDenied(gettext("You may not change this contract."))


# attachments (evidence)

# Who adds and withdraws files (the API's `write_roles`): clerks on cards, projects and
# handovers, receivers on the handovers they sign, admins anywhere. Auditors read them all.
ATTACHMENT_WRITERS = frozenset({CLERK, RECEIVER, ADMIN})


def may_attach_to_handover(user, handover) -> bool:
    """The builder's side attaches what it hands over, the receiving side what it signs."""
    return can_prepare_handover(user, handover) or can_decide_handover(user, handover)


def require_attachment_change(actor, *, readable: bool, may_attach: bool) -> None:
    """The attachment services' check: a subject out of the actor's view is `NotInScope` (404),
    one they read but may not attach to is `PermissionDenied` (403)."""
    if may_attach:
        return
    if not readable:
        raise NotInScope()
    raise PermissionDenied(
        gettext("You may read this file's subject but not add or withdraw files.")
    )


# --- register reports ----------------------------------------------------------------------------
REPORT_FREEZERS = frozenset({CLERK, ADMIN})


def require_report_freezer(actor) -> None:
    """Freezing a report is a write: clerks and admins; auditors read frozen reports only."""
    if not has_role(actor, *REPORT_FREEZERS):
        raise PermissionDenied(gettext("Your role may not freeze reports."))


def visible_frozen_reports(user, queryset: QuerySet | None = None) -> QuerySet:
    """Frozen reports `user` may read: auditors and admins all; others those drawn up for a
    department in their scope (never a whole-register one: it counts other departments)."""
    from assets.reports.models import FrozenReport

    queryset = FrozenReport.objects.all() if queryset is None else queryset
    if not user or not user.is_authenticated or not roles_of(user):
        return queryset.none()
    if reads_everything(user):
        return queryset
    return queryset.filter(whole_register=False, department__in=department_scope_ids(user))


# Reconciliation with the finance books (issue 19).
def can_reconcile(user) -> bool:
    """Uploading a finance export and explaining its differences: clerks and admins."""
    return not is_system(user) and can_change_assets(user)


def require_reconciler(actor) -> None:
    if not can_reconcile(actor):
        raise PermissionDenied(gettext("Only clerks and administrators reconcile with finance."))


def require_reconciliation_approver(actor) -> None:
    """Approving and posting a reconciliation difference is the asset office head's (admins)."""
    if is_system(actor) or not is_admin(actor):
        raise PermissionDenied(
            gettext("Only the asset office approves and posts reconciliation differences.")
        )


def require_mapping_editor(actor) -> None:
    """The saved column mapping of the finance export is the administrators'."""
    if is_system(actor) or not is_admin(actor):
        raise PermissionDenied(gettext("Only administrators change the saved column mapping."))


def reconciled_assets(user) -> QuerySet:
    """The cards a reconciliation by `user` compares with the finance books: the cards their
    unit owns now (admins every card). The finance books are the owning unit's, so a card
    handed over to another unit leaves the sender's reconciliation even though the sender
    still manages or uses it (walk2-13); a card of the clerk's own unit that their
    sub-department uses or manages stays in (a bureau office reconciles the bureau's PCs)."""
    if is_admin(user):
        return Asset.objects.all()
    if not has_role(user, CLERK):
        return Asset.objects.none()
    scope = department_scope_ids(user)
    ancestors = []
    department = getattr(user, "department", None)
    while department is not None and department.parent_id is not None:
        ancestors.append(department.parent_id)
        department = department.parent
    works_with = Q(using_department__in=scope) | Q(managing_department__in=scope)
    return Asset.objects.filter(
        Q(owner_department__in=scope) | (Q(owner_department__in=ancestors) & works_with)
    )


def visible_reconciliations(user, queryset: QuerySet | None = None) -> QuerySet:
    """Admins and auditors read every reconciliation; clerks those of their department scope
    and their own."""
    from assets.models import Reconciliation

    queryset = Reconciliation.objects.all() if queryset is None else queryset
    if not user or not user.is_authenticated or not roles_of(user):
        return queryset.none()
    if reads_everything(user):
        return queryset
    if not has_role(user, CLERK):
        return queryset.none()
    return queryset.filter(Q(department__in=department_scope_ids(user)) | Q(created_by=user))


def require_reconciliation_access(actor, reconciliation) -> None:
    """A reconciliation out of the actor's view is answered as a missing one (404)."""
    if not visible_reconciliations(actor).filter(pk=reconciliation.pk).exists():
        raise NotInScope()


# Security log: auditors and administrators read it; nobody changes it.
def may_read_security_log(user) -> bool:
    return bool(user and user.is_authenticated and has_role(user, ADMIN, AUDITOR))


def visible_security_events(user, queryset: QuerySet) -> QuerySet:
    """The whole security log for auditors and admins, nothing for anyone else."""
    return queryset if may_read_security_log(user) else queryset.none()
