"""Helpers for inventory's hand-written SQL: quoted names from the models, values as parameters.

Every statement built with these takes table and column names from the models and every value as a
parameter.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection


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
