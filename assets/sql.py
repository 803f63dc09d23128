"""The register's hand-written SQL, beside its models: the tree walks and the bulk card write.

Each statement is here because the ORM (or django-tree-queries) cost a measured multiple of
the database's own time (bench/register.py, bench/import.py); each has an oracle test that
compares its rows with the ORM definition of the same rows (tests/assets/test_sql.py). Table
and column names come from the models through `config.sql`; every value is a parameter.

A tree (departments, locations, categories, nested cards: a plain `parent` foreign key) is
walked by one recursive CTE, built by `tree_cte`.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

from assets.models import Asset, Category, Department, Location, User
from config.sql import quote_column, quote_table

# ------------------------------------------------------------------------------ tree walks


def tree_cte(
    model,
    *,
    name: str,
    start: str,
    up: bool = False,
    columns: Sequence[str] = (),
    parent_columns: Sequence[str] = (),
    depth: bool = False,
    path: str | None = None,
    distinct: bool = False,
) -> str:
    """One term of a `WITH RECURSIVE`: `name(id, parent_id, …) AS (…)`, the rows of `model`
    whose id is in `start` and every row below them (`up`: above them, up to the root).

    `start` is SQL giving the ids the walk starts from (a `%s` parameter, or a subquery with
    its own); the walk follows the indexed `parent` column from there, so it touches only the
    subtree or the chain, never the whole table. The CTE's columns are `id`, `parent_id`, then
    `columns` (fields of `model`, named by their column), `parent_<column>` for each of
    `parent_columns` (the value on the row a row was reached from, NULL on a start row; down
    walks only), `depth` (0 on a start row) and `path` (the `path` field's values from the
    start row, joined by '/': ordering by it walks depth-first, siblings by that field).

    UNION ALL by default; `distinct` walks with UNION, which ends even if bad data ever made
    a cycle (only without `depth` and `path`, which differ on every visit).
    """
    if parent_columns and up:
        raise ValueError("tree_cte: parent_columns follow a walk down")
    if distinct and (depth or path):
        raise ValueError("tree_cte: a distinct walk carries no depth or path")
    meta = model._meta
    table = quote_table(model)
    pk, parent = quote_column(model, meta.pk.name), quote_column(model, "parent")
    names = ["id", "parent_id"]
    seed = [f"n.{pk}", f"n.{parent}"]
    step = [f"n.{pk}", f"n.{parent}"]
    for field_name in columns:
        column = quote_column(model, field_name)
        names.append(column)
        seed.append(f"n.{column}")
        step.append(f"n.{column}")
    for field_name in parent_columns:
        field = meta.get_field(field_name)
        # One declared type in both terms: PostgreSQL takes the column's type from the first.
        cast = field.db_type(connection)
        names.append(tree_column(f"parent_{field.column}"))
        seed.append(f"CAST(NULL AS {cast})")
        step.append(f"CAST(w.{quote_column(model, field_name)} AS {cast})")
    if depth:
        names.append("depth")
        seed.append("0")
        step.append("w.depth + 1")
    if path is not None:
        column = quote_column(model, path)
        names.append("path")
        seed.append(f"CAST(n.{column} AS TEXT)")
        step.append(f"CAST(w.path || '/' || n.{column} AS TEXT)")
    join = f"n.{pk} = w.parent_id" if up else f"n.{parent} = w.id"
    return (
        f"{name}({', '.join(names)}) AS (\n"  # noqa: S608 (names from the model)
        f"    SELECT {', '.join(seed)} FROM {table} n WHERE n.{pk} IN ({start})\n"
        f"    {'UNION' if distinct else 'UNION ALL'}\n"
        f"    SELECT {', '.join(step)} FROM {table} n JOIN {name} w ON {join}\n"
        ")"
    )


def tree_column(name: str) -> str:
    """A column of a `tree_cte` walk as SQL: `tree_column("parent_tag")`."""
    return connection.ops.quote_name(name)


def _rows(sql: str, params: Sequence) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def tree_ids(model, node_id: int, *, up: bool = False) -> list[int]:
    """Ids of the node of `model` (a department, location, category or card) and of every
    node below it (`up`: above it, up to the root), in no particular order."""
    walk = tree_cte(model, name="tree", start="%s", up=up, distinct=True)
    sql = f"WITH RECURSIVE {walk} SELECT id FROM tree"  # noqa: S608
    return [pk for (pk,) in _rows(sql, [node_id])]


def asset_subtree_ids(asset_id: int) -> list[tuple[int, int]]:
    """(id, depth below the card) of every card below it, depth-first, siblings by tag.

    django-tree-queries' descendants() builds its CTE over the whole asset table and filters
    afterwards: seconds at 200,000 cards (bench/register.py).
    """
    walk = tree_cte(Asset, name="subtree", start="%s", depth=True, path="tag")
    sql = f"WITH RECURSIVE {walk} "  # noqa: S608
    sql += "SELECT id, depth FROM subtree WHERE depth > 0 ORDER BY path"
    return [(pk, depth) for pk, depth in _rows(sql, [asset_id])]


def asset_host_chain_ids(asset_id: int) -> list[int]:
    """Ids of the hosts above the card, outermost first."""
    walk = tree_cte(Asset, name="chain", start="%s", up=True, depth=True)
    sql = f"WITH RECURSIVE {walk} "  # noqa: S608
    sql += "SELECT id FROM chain WHERE depth > 0 ORDER BY depth DESC"
    return [pk for (pk,) in _rows(sql, [asset_id])]


# What a row of the API's subtree carries through the walk, and what it answers.
SUBTREE_ROW_COLUMNS = (
    "tag",
    "name",
    "model",
    "serial_number",
    "category",
    "location",
    "install_mode",
    "label_mode",
    "status",
    "owner_department",
    "using_department",
    "managing_department",
)


def asset_subtree_rows(asset_id: int) -> list[tuple]:
    """The API's subtree below the card in one query, straight to the columns it shows: tag,
    name, model, serial number, category code, location code, the host's tag, depth, install
    mode, label mode, status, id, host id, owning, using and managing department ids;
    depth-first, siblings by tag.

    Building 1,000 model instances (and their category, location and department) and running
    them through DRF's fields took several times the SQL time (bench/register.py). The columns
    travel inside the CTE: joining its rows back to the asset table made PostgreSQL, which
    cannot estimate a recursive CTE's size, walk the whole primary key.
    """
    walk = tree_cte(
        Asset,
        name="subtree",
        start="%s",
        columns=SUBTREE_ROW_COLUMNS,
        parent_columns=("tag",),
        depth=True,
        path="tag",
    )
    col = {name: quote_column(Asset, name) for name in SUBTREE_ROW_COLUMNS}
    host_tag = tree_column(f"parent_{Asset._meta.get_field('tag').column}")
    sql = f"""
WITH RECURSIVE {walk}
SELECT s.{col["tag"]}, s.{col["name"]}, s.{col["model"]}, s.{col["serial_number"]},
       category.{quote_column(Category, "code")}, location.{quote_column(Location, "code")},
       s.{host_tag}, s.depth, s.{col["install_mode"]}, s.{col["label_mode"]},
       s.{col["status"]}, s.id, s.parent_id, s.{col["owner_department"]},
       s.{col["using_department"]}, s.{col["managing_department"]}
FROM subtree s
JOIN {quote_table(Category)} category
  ON category.{quote_column(Category, "id")} = s.{col["category"]}
LEFT JOIN {quote_table(Location)} location
  ON location.{quote_column(Location, "id")} = s.{col["location"]}
WHERE s.depth > 0
ORDER BY s.path
"""  # noqa: S608
    return _rows(sql, [asset_id])


def department_tree_sql() -> str:
    """A department walked down to its sub-departments and up to the root in one statement,
    as rows (0, id) for the walk down and (1, id) for the walk up, both with the department
    itself; two parameters, the department's id twice. Usable as a subquery (`id` is its
    second column).

    Hand-written because compiling tree-queries' CTE cost about 1 ms of CPU per request, over
    ten times the round trip itself. UNION keeps each walk finite even on a cycle.
    """
    down = tree_cte(Department, name="down_tree", start="%s", distinct=True)
    up = tree_cte(Department, name="up_tree", start="%s", up=True, distinct=True)
    return (
        f"WITH RECURSIVE {down},\n{up}\n"
        "SELECT 0, id FROM down_tree\nUNION ALL\nSELECT 1, id FROM up_tree"
    )


def roles_and_department_tree_sql() -> str:
    """A user's group names and their department's two walks in one statement (one round trip
    per request for every permission question, instead of two): rows (2, group name, NULL),
    then `department_tree_sql`'s rows as (0 or 1, NULL, id). Three parameters: the user's id,
    then the department's id twice (NULL: no walk).
    """
    from django.contrib.auth.models import Group

    membership = User.groups.through
    group_table, link_table = quote_table(Group), quote_table(membership)
    group_pk = quote_column(Group, "id")
    group_name = quote_column(Group, "name")
    link_group = quote_column(membership, "group")
    link_user = quote_column(membership, "user")
    return (
        f"SELECT 2, g.{group_name}, CAST(NULL AS bigint) FROM {group_table} g"  # noqa: S608 (names from the models)
        f" JOIN {link_table} m ON m.{link_group} = g.{group_pk} WHERE m.{link_user} = %s"
        f"\nUNION ALL\nSELECT t.upward, NULL, t.id FROM ({department_tree_sql()}) t(upward, id)"
    )


# ---------------------------------------------------------------------------- bulk writes

# Cards per UPDATE of `write_asset_fields`.
WRITE_BATCH = 2000


def write_asset_fields(assets: Sequence[Asset], names: Sequence[str]) -> None:
    """Write the fields `names` of each card as the instances hold them, a batch of cards per
    statement: one `UPDATE … FROM unnest(arrays)` (the ledger re-import's `update_assets`).

    Django's `bulk_update` builds a CASE WHEN per card and field, which costs more than the
    update itself (20 of the 43 s of a 50,000-card re-import).
    """
    pk = Asset._meta.pk
    fields = [Asset._meta.get_field(name) for name in names]
    every = [pk, *fields]
    quote = connection.ops.quote_name
    sql = (
        f"UPDATE {quote_table(Asset)} AS card SET "  # noqa: S608
        + ", ".join(f"{quote(f.column)} = new.{quote(f.column)}" for f in fields)
        + " FROM unnest("
        + ", ".join(f"%s::{f.db_type(connection)}[]" for f in every)
        + ") AS new("
        + ", ".join(quote(f.column) for f in every)
        + f") WHERE card.{quote(pk.column)} = new.{quote(pk.column)}"
    )
    with connection.cursor() as cursor:
        for begin in range(0, len(assets), WRITE_BATCH):
            batch = assets[begin : begin + WRITE_BATCH]
            cursor.execute(
                sql,
                [
                    [f.get_db_prep_save(getattr(a, f.attname), connection) for a in batch]
                    for f in every
                ],
            )
