"""Helpers for inventory's hand-written SQL: quoted names from the models, values as parameters.

Every statement built with these takes table and column names from the models and every value as a
parameter.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection
from django.db.models.expressions import RawSQL

# The department scope's own tree walk, so a campaign check walks it inside one statement.
from assets.permissions import _department_tree_sql as department_tree_sql
from inventory.models import CounterAssignment, StocktakeCampaign


def insert_from_select(model, column_names: list[str], queryset) -> int:
    """`INSERT INTO model (columns) SELECT …`: a set-based copy, no rows through Python."""
    sql, params = queryset.query.sql_with_params()
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(column(model, name)) for name in column_names)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) {sql}", params)  # noqa: S608
        return cursor.rowcount


def column(model, name: str) -> str:
    """The database column of a field given as `name` or as its foreign key's `name_id`."""
    try:
        return model._meta.get_field(name).column
    except Exception:
        return model._meta.get_field(name.removesuffix("_id")).column


def quoted_column(model, name: str) -> str:
    return connection.ops.quote_name(column(model, name))


def columns(model, names) -> list[str]:
    return [quoted_column(model, name) for name in names]


def quoted_table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def db_value(value):
    """A parameter for hand-written SQL: datetimes adapted, model instances as their key."""
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return getattr(value, "pk", value)


# ------------------------------------------------------------------ a counter's share (permissions)

# A counter's share of a campaign as SQL, so the query that uses it checks it: the department
# (location) subtrees under the user's assignments in the campaign, plus, for departments only, the
# user's own department subtree when the campaign assigns nobody. UNION keeps the recursion finite
# and the ids distinct. No id is NULL, so a negated `__in` on it excludes exactly the lines it
# matches (Django adds the IS NOT NULL for the line's nullable columns).
_SUBTREE_SQL = """
WITH RECURSIVE subtree(id) AS (
    SELECT a.{target} FROM {assignment} a
    WHERE a.{campaign} = %s AND a.{counter} = %s AND a.{target} IS NOT NULL
    {own}
    UNION
    SELECT n.{pk} FROM {node} n JOIN subtree s ON n.{parent} = s.id
)
SELECT id FROM subtree
"""
# The user's own department seeds the tree only while the campaign assigns nobody. The id comes
# from the table so PostgreSQL sees one column type in both terms of the recursion.
_OWN_ROOT_SQL = """
    UNION
    SELECT n.{pk} FROM {node} n
    WHERE n.{pk} = %s AND NOT EXISTS (SELECT 1 FROM {assignment} a WHERE a.{campaign} = %s)
"""


def assigned_subtree(model, target: str, *, user, campaign, own_root: int | None = None) -> RawSQL:
    """The ids of `model` (Department or Location) under `user`'s assignments in `campaign`,
    and under `own_root` when the campaign has no assignments at all: a subquery for `__in`."""
    names = {
        "assignment": quoted_table(CounterAssignment),
        "campaign": quoted_column(CounterAssignment, "campaign"),
        "counter": quoted_column(CounterAssignment, "counter"),
        "target": quoted_column(CounterAssignment, target),
        "node": quoted_table(model),
        "pk": quoted_column(model, model._meta.pk.name),
        "parent": quoted_column(model, "parent"),
    }
    params = [campaign.pk, user.pk]
    own = ""
    if own_root is not None:
        own = _OWN_ROOT_SQL.format(**names)
        params += [own_root, campaign.pk]
    # Table and column names come from the models; every value is a parameter.
    return RawSQL(_SUBTREE_SQL.format(own=own, **names), params)  # noqa: S611


# The campaigns a department-bound user reads, as one id subquery: those over the whole register
# (no departments), those naming them as a counter, and those over a department of theirs.
# Hand-written because every clerk's scan checks it and the ORM's joins plus DISTINCT took twice
# as long to build as this does; `__in` on a self-contained subquery needs no DISTINCT.
_VISIBLE_CAMPAIGNS_SQL = """
SELECT c.{campaign_pk} FROM {campaign} c
WHERE NOT EXISTS (SELECT 1 FROM {through} t WHERE t.{through_campaign} = c.{campaign_pk})
UNION
SELECT a.{assignment_campaign} FROM {assignment} a WHERE a.{counter} = %s
"""
# The user's department tree is walked inside the subquery, so a scan's campaign check is one
# statement; `id` is the tree's second column.
_CAMPAIGNS_OVER_DEPARTMENTS_SQL = """
UNION
SELECT t.{through_campaign} FROM {through} t
WHERE t.{through_department} IN (SELECT tree.id FROM ({tree}) tree)
"""


def visible_campaign_ids(user) -> RawSQL:
    """The ids of the campaigns `user` reads (`permissions.visible_campaigns`): a subquery for
    `pk__in`. A campaign over the user's department, a sub-department or a parent covers them."""
    m2m = StocktakeCampaign._meta.get_field("departments")
    through = m2m.remote_field.through
    names = {
        "campaign": quoted_table(StocktakeCampaign),
        "campaign_pk": quoted_column(StocktakeCampaign, "id"),
        "through": quoted_table(through),
        "through_campaign": quoted_column(through, m2m.m2m_field_name()),
        "through_department": quoted_column(through, m2m.m2m_reverse_field_name()),
        "assignment": quoted_table(CounterAssignment),
        "assignment_campaign": quoted_column(CounterAssignment, "campaign"),
        "counter": quoted_column(CounterAssignment, "counter"),
    }
    statement = _VISIBLE_CAMPAIGNS_SQL
    params = [user.pk]
    if user.department_id:
        statement += _CAMPAIGNS_OVER_DEPARTMENTS_SQL
        # The department scope's own tree walk (down to the sub-departments, up to the root).
        names["tree"] = department_tree_sql()
        params += [user.department_id, user.department_id]
    # Table and column names come from the models; every value is a parameter.
    return RawSQL(statement.format(**names), params)  # noqa: S611
