"""Who may do what in a stocktake: the one place inventory answers it.

Built on the department scope of `assets.permissions` (which imports nothing of inventory). The
services that change a stocktake check these themselves, so a management command or an admin
action is refused as the API and the pages are; selectors and views read the same rules for what
to list and which buttons to show.
"""

from __future__ import annotations

import operator
from functools import reduce

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from assets import permissions as scope
from assets.models import Department, Location
from inventory import sql
from inventory.models import StocktakeCampaign, StocktakeLine

# The roles that plan and count a stocktake (the API's write roles for campaigns).
COUNTING_ROLES = frozenset({scope.CLERK, scope.ADMIN})

# ------------------------------------------------------------------------------------ campaigns


def visible_campaigns(user, queryset: QuerySet | None = None) -> QuerySet:
    """Stocktake campaigns `user` may read: auditors and admins all; others those covering the
    whole register, touching their department scope (a sub-department or a parent included), or
    naming them as a counter. One subquery, the department tree walked inside it."""
    queryset = StocktakeCampaign.objects.all() if queryset is None else queryset
    if not user or not user.is_authenticated or not scope.roles_of(user):
        return queryset.none()
    if scope.reads_everything(user):
        return queryset
    return queryset.filter(pk__in=sql.visible_campaign_ids(user))


def can_plan_campaigns(user) -> bool:
    """Asset clerks and administrators plan (and count) a stocktake."""
    return scope.has_role(user, *COUNTING_ROLES)


def require_may_plan(user) -> None:
    if not can_plan_campaigns(user):
        raise PermissionDenied(_("Only asset clerks and administrators plan a stocktake."))


def may_plan_whole_register(user) -> bool:
    """A campaign over the whole register (no departments named) is the administrators'."""
    return scope.is_admin(user)


def may_plan_over(user, department: Department) -> bool:
    """Admins plan over any department; a clerk over those of their department tree."""
    return scope.is_admin(user) or department.pk in scope.department_scope_ids(user)


def can_manage(user, campaign: StocktakeCampaign) -> bool:
    """Admins manage (activate, close) every campaign; a clerk those wholly inside their
    department scope."""
    if scope.is_admin(user):
        return True
    if not scope.has_role(user, scope.CLERK):
        return False
    codes = list(campaign.departments.values_list("pk", flat=True))
    return bool(codes) and set(codes) <= scope.department_scope_ids(user)


def require_manager(user, campaign: StocktakeCampaign) -> None:
    if not can_manage(user, campaign):
        raise PermissionDenied(_("You may follow this campaign but not manage it."))


def can_archive(user) -> bool:
    """Archiving freezes a campaign's differences for good: the administrators'."""
    return scope.is_admin(user)


def require_may_archive(user, campaign: StocktakeCampaign) -> None:
    require_manager(user, campaign)
    if not can_archive(user):
        raise PermissionDenied(_("Only administrators archive a campaign."))


def can_assign_counters(user, *, department=None, location=None) -> bool:
    """Whether `user` may send stocktake counters to `department` or `location`: admins anywhere;
    a clerk only inside their department tree (a place by its responsible department, so a place
    no department answers for is the admins' to assign)."""
    if scope.is_admin(user):
        return True
    if not scope.has_role(user, scope.CLERK):
        return False
    departments = scope.department_scope_ids(user)
    if department is not None and department.pk not in departments:
        return False
    if location is not None and location.department_id not in departments:
        return False
    return True


# ------------------------------------------------------------------------------ counter scope


def can_count(user) -> bool:
    """Asset clerks and administrators scan and count; everyone else follows the progress."""
    return scope.has_role(user, *COUNTING_ROLES)


def require_counter(user) -> None:
    if not can_count(user):
        raise PermissionDenied(
            _(
                "Only asset clerks scan during a stocktake; you can follow its progress "
                "and read its results."
            )
        )


def counter_scope(user, campaign: StocktakeCampaign) -> list[tuple[tuple[str, ...], RawSQL]] | None:
    """The lines `user` may count in `campaign`: None for all of them (admins), else the trees as
    (line fields, subquery of ids): a line is admitted when any of those fields is in any tree's
    ids. An empty list admits none.

    A clerk with assignments in the campaign counts the lines whose department or owning
    department is under an assigned department, or whose location is under an assigned location;
    with none, nothing when the campaign assigns others, else their department scope. No query
    runs here: the subqueries run inside the query that uses them.
    """
    if scope.is_admin(user):
        return None
    if not scope.has_role(user, scope.CLERK):
        return []
    departments = sql.assigned_subtree(
        Department, "department", user=user, campaign=campaign, own_root=user.department_id
    )
    locations = sql.assigned_subtree(Location, "location", user=user, campaign=campaign)
    return [(("department", "owner_department"), departments), (("location",), locations)]


def counter_line_q(user, campaign: StocktakeCampaign) -> Q | None:
    """The lines `user` may count in `campaign` (`counter_scope`) as a condition that combines
    with other Q objects; None means all of them (admins)."""
    trees = counter_scope(user, campaign)
    if trees is None:
        return None
    if not trees:
        return Q(pk__in=[])
    return reduce(
        operator.or_, (Q(**{f"{name}__in": ids}) for names, ids in trees for name in names)
    )


def countable_lines(user, campaign: StocktakeCampaign) -> QuerySet:
    """The book lines `user` may count in `campaign`."""
    lines = StocktakeLine.objects.filter(campaign=campaign, kind=StocktakeLine.Kind.BOOK)
    condition = counter_line_q(user, campaign)
    return lines if condition is None else lines.filter(condition)


def counter_trees(user, campaign: StocktakeCampaign) -> tuple[RawSQL | None, RawSQL | None]:
    """The counter's department and location trees in `campaign` (`counter_scope`), as
    subqueries; (None, None) when the counter has no share at all."""
    trees = {names[0]: ids for names, ids in counter_scope(user, campaign) or []}
    return trees.get("department"), trees.get("location")


def readable_line_q(user, campaign: StocktakeCampaign) -> Q | None:
    """The lines of `campaign` `user` may read, as a condition: None for all of them (auditors
    and admins), else the counter's share of the book lines and the surplus finds of their
    department tree or their own."""
    if scope.reads_everything(user):
        return None
    condition = counter_line_q(user, campaign)
    if condition is None:
        return None
    departments = scope.department_scope_ids(user)
    return (
        (Q(kind=StocktakeLine.Kind.BOOK) & condition)
        | Q(kind=StocktakeLine.Kind.SURPLUS, department__in=departments)
        | Q(kind=StocktakeLine.Kind.SURPLUS, counted_by=user)
    )


def may_book_surplus_at(user, campaign: StocktakeCampaign, location: Location | None) -> bool:
    """A counter books surplus finds only where they count: a place of their own department tree
    or of their share of the campaign (a place with no department is anyone's). Admins anywhere."""
    if location is None or not location.department_id or scope.is_admin(user):
        return True
    if location.department_id in scope.department_scope_ids(user):
        return True
    departments, locations = counter_trees(user, campaign)
    if departments is None:
        return False
    return Location.objects.filter(
        Q(department__in=departments) | Q(pk__in=locations), pk=location.pk
    ).exists()


def may_change_surplus(user, line: StocktakeLine) -> bool:
    """An existing surplus line changes only by the counter who reported it, their department
    tree's counters (those who read it, `readable_line_q`) or an admin."""
    return (
        scope.is_admin(user)
        or line.counted_by_id == user.pk
        or (
            line.department_id is not None
            and line.department_id in scope.department_scope_ids(user)
        )
    )


# -------------------------------------------------------------------------------- differences


def can_explain_differences(user) -> bool:
    """Stocktake differences (差异说明): clerks explain those they may read, admins any."""
    return scope.has_role(user, scope.CLERK, scope.ADMIN)


def can_approve_differences(user) -> bool:
    """Approving (审批) and posting (入账/核销) a stocktake difference is the asset office's."""
    return scope.is_admin(user)


def require_difference_role(user, *, approve: bool) -> None:
    allowed = can_approve_differences(user) if approve else can_explain_differences(user)
    if not allowed:
        raise PermissionDenied(
            _("Only the asset office approves and posts differences.")
            if approve
            else _("Only clerks and administrators explain differences.")
        )
