"""Names for hand-written SQL: a model's table and a field's column, quoted by the database.

Hand-written statements take every value as a parameter; only these names are formatted into
the SQL text, and they come from the models, never from input.
"""

from __future__ import annotations

from django.db import connection


def quote_table(model) -> str:
    """The quoted table name of `model`."""
    return connection.ops.quote_name(model._meta.db_table)


def column(model, name: str) -> str:
    """The column of `model`'s field `name` (a field name, or a foreign key's `name_id`)."""
    return model._meta.get_field(name).column


def quote_column(model, name: str) -> str:
    """The quoted column of `model`'s field `name` (a field name, or a foreign key's `name_id`)."""
    return connection.ops.quote_name(column(model, name))


def quote_columns(model, names) -> list[str]:
    """`quote_column` for each of `names`."""
    return [quote_column(model, name) for name in names]
