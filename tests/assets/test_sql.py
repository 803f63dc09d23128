"""Oracle tests for the register's hand-written SQL (`assets/sql.py`): each statement answers the
rows its ORM definition answers, across the shapes that matter (a leaf, a host, a middle card, a
root, a cycle-free deep chain). The campaign subquery's is in tests/inventory/test_sql.py."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.utils import timezone

from assets import sql
from assets.models import CURRENT_CODE_SYSTEM, Asset, Category, Department
from tests.factories import DepartmentFactory, LocationFactory, make_asset

pytestmark = pytest.mark.django_db


# ------------------------------------------------------------------------------ ORM oracles


def orm_subtree(card_id: int, depth: int = 1) -> list[tuple[int, int]]:
    """(id, depth) below the card, depth-first, siblings by tag: one ORM query per card."""
    rows = []
    for child in Asset.objects.filter(parent_id=card_id).order_by("tag"):
        rows.append((child.pk, depth))
        rows += orm_subtree(child.pk, depth + 1)
    return rows


def orm_host_chain(card_id: int) -> list[int]:
    """The hosts above the card, outermost first, by following `parent` one row at a time."""
    chain = []
    parent_id = Asset.objects.get(pk=card_id).parent_id
    while parent_id is not None:
        chain.append(parent_id)
        parent_id = Asset.objects.get(pk=parent_id).parent_id
    return chain[::-1]


def orm_subtree_rows(card_id: int) -> list[tuple]:
    depths = orm_subtree(card_id)
    fields = (
        "tag",
        "name",
        "model",
        "serial_number",
        "category__code",
        "location__code",
        "parent__tag",
    )
    tail = (
        "install_mode",
        "label_mode",
        "status",
        "pk",
        "parent_id",
        "owner_department_id",
        "using_department_id",
        "managing_department_id",
    )
    by_id = {
        row[-1]: row
        for row in Asset.objects.filter(pk__in=[pk for pk, _ in depths]).values_list(
            *fields, *tail, "pk"
        )
    }
    return [
        (*by_id[pk][: len(fields)], depth, *by_id[pk][len(fields) : -1]) for pk, depth in depths
    ]


def orm_department_walks(department: Department) -> tuple[set[int], set[int]]:
    down, frontier = {department.pk}, {department.pk}
    while frontier:
        frontier = set(
            Department.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
        )
        down |= frontier
    up, node = set(), department
    while node is not None:
        up.add(node.pk)
        node = node.parent
    return down, up


# --------------------------------------------------------------------------------- shapes


@pytest.fixture
def forest(centre, other_bureau):
    """Two hosts: a server with a board (holding a chip) and a disk, a rack with a switch; and a
    standalone card. Locations, departments and texts differ from card to card."""
    room, rack_row = LocationFactory(code="R-101"), LocationFactory(code="R-102")
    server = make_asset(owner=centre, location=room, name="服务器", model="R740")
    board = make_asset(owner=centre, parent=server, embedded=True, serial_number="SN-B")
    chip = make_asset(owner=centre, parent=board, embedded=True, name="加密芯片")
    disk = make_asset(
        owner=centre, parent=server, using_department=other_bureau, category_code="A02010105"
    )
    rack = make_asset(owner=other_bureau, location=rack_row, name="机柜")
    switch = make_asset(owner=other_bureau, parent=rack, managing_department=centre)
    alone = make_asset(owner=centre)
    return {
        "server": server,
        "board": board,
        "chip": chip,
        "disk": disk,
        "rack": rack,
        "switch": switch,
        "alone": alone,
    }


CARDS = ("server", "board", "chip", "disk", "rack", "switch", "alone")


@pytest.mark.parametrize("card", CARDS)
def test_the_subtree_walk_answers_the_orm_subtree(forest, card):
    assert sql.asset_subtree_ids(forest[card].pk) == orm_subtree(forest[card].pk)


@pytest.mark.parametrize("card", CARDS)
def test_the_host_chain_walk_answers_the_orm_chain(forest, card):
    assert sql.asset_host_chain_ids(forest[card].pk) == orm_host_chain(forest[card].pk)


@pytest.mark.parametrize("card", CARDS)
def test_the_subtree_rows_answer_the_orm_rows(forest, card):
    assert sql.asset_subtree_rows(forest[card].pk) == orm_subtree_rows(forest[card].pk)


def test_the_walks_answer_the_orm_on_a_deep_chain(centre):
    chain = [make_asset(owner=centre)]
    for _ in range(12):
        chain.append(make_asset(owner=centre, parent=chain[-1], embedded=True))
    for card in (chain[0], chain[5], chain[-1]):
        assert sql.asset_subtree_ids(card.pk) == orm_subtree(card.pk)
        assert sql.asset_host_chain_ids(card.pk) == orm_host_chain(card.pk)
        assert sql.asset_subtree_rows(card.pk) == orm_subtree_rows(card.pk)
    assert len(sql.asset_subtree_ids(chain[0].pk)) == 12


@pytest.fixture
def departments(bureau, centre, other_bureau):
    ops = DepartmentFactory(code="BDC-OPS", parent=centre)
    night = DepartmentFactory(code="BDC-OPS-N", parent=ops)
    office = DepartmentFactory(code="BUREAU-OFF", parent=bureau)
    return {
        "bureau": bureau,
        "centre": centre,
        "ops": ops,
        "night": night,
        "office": office,
        "other": other_bureau,
    }


@pytest.mark.parametrize("name", ["bureau", "centre", "ops", "night", "office", "other"])
def test_the_department_walks_answer_the_orm_walks(departments, name):
    department = departments[name]
    with connection.cursor() as cursor:
        cursor.execute(sql.department_tree_sql(), [department.pk, department.pk])
        rows = cursor.fetchall()
    down = {pk for upward, pk in rows if not upward}
    up = {pk for upward, pk in rows if upward}
    assert (down, up) == orm_department_walks(department)
    assert len(rows) == len(down) + len(up)


@pytest.mark.parametrize("name", ["bureau", "centre", "ops", "night", "office", "other"])
def test_the_tree_walk_answers_the_orm_walks_for_departments(departments, name):
    down, up = orm_department_walks(departments[name])
    assert sorted(sql.tree_ids(Department, departments[name].pk)) == sorted(down)
    assert sorted(sql.tree_ids(Department, departments[name].pk, up=True)) == sorted(up)


@pytest.mark.parametrize("card", CARDS)
def test_the_tree_walk_answers_the_orm_walks_for_cards(forest, card):
    card = forest[card]
    below = [pk for pk, _depth in orm_subtree(card.pk)]
    assert sorted(sql.tree_ids(Asset, card.pk)) == sorted([card.pk, *below])
    assert sorted(sql.tree_ids(Asset, card.pk, up=True)) == sorted(
        [card.pk, *orm_host_chain(card.pk)]
    )


def test_the_tree_walk_answers_the_orm_walks_for_categories():
    group = Category.objects.get(code_system=CURRENT_CODE_SYSTEM, code="A02010100")
    below = set(
        Category.objects.filter(parent=group).values_list("pk", flat=True)
    )  # the group's leaves have no children
    assert below and not Category.objects.filter(parent__in=below).exists()
    assert sorted(sql.tree_ids(Category, group.pk)) == sorted({group.pk, *below})


# ------------------------------------------------------------------------------ bulk write


class _Rollback(Exception):
    pass


def test_the_bulk_card_write_writes_what_bulk_update_writes(centre, other_bureau, monkeypatch):
    monkeypatch.setattr(sql, "WRITE_BATCH", 2)  # three cards: two statements
    room = LocationFactory(code="R-201")
    cards = [
        make_asset(owner=centre, acquired_on=date(2020, 5, 1), location=room),
        make_asset(owner=centre, original_value=Decimal("10.10")),
        make_asset(owner=other_bureau, custodian="张三"),
    ]
    untouched = make_asset(owner=centre)
    names = ["name", "original_value", "acquired_on", "location", "custodian", "updated_at"]
    columns = ["pk", *names, "model", "status"]
    now = timezone.now()

    def changed():
        fresh = list(Asset.objects.filter(pk__in=[c.pk for c in cards]).order_by("pk"))
        for index, card in enumerate(fresh):
            card.name = f"改名 {index}"
            card.original_value = Decimal("99.5") * index
            card.acquired_on = None if index == 0 else date(2024, 2, 29)
            card.location = None if index == 0 else room
            card.custodian = ""
            card.updated_at = now
        return fresh

    def state():
        return list(Asset.objects.order_by("pk").values_list(*columns))

    before = state()
    try:
        with transaction.atomic():
            Asset.objects.bulk_update(changed(), names)
            by_orm = state()
            raise _Rollback
    except _Rollback:
        pass
    assert state() == before
    sql.write_asset_fields(changed(), names)
    assert state() == by_orm
    assert state() != before
    assert Asset.objects.filter(pk=untouched.pk).values_list(*columns).get() in before
