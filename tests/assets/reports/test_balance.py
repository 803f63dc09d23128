"""The balance at a date (资产总表) is computed from the history: what it said about a moment it
says forever (DESIGN.md invariant 12), and its SQL answers what the ORM oracle answers."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from assets.models import Department
from assets.reports import selectors, sql
from tests.assets.reports import oracle
from tests.assets.reports.conftest import change_cards_later

pytestmark = pytest.mark.django_db

SHAPES = [
    ("category", None),
    ("category", 1),
    ("category", 2),
    ("category", 3),
    ("department", None),
    ("department", 1),
    ("status", None),
    ("value_type", None),
]


def sql_balance(*, cutoff, on, by, level, scope):
    rows = sql.balance_rows(cutoff=cutoff, on=on, by=by, level=level, scope=scope)
    return {key: (count, ov, ad) for key, count, ov, ad in rows}


@pytest.mark.parametrize(("by", "level"), SHAPES)
def test_sql_answers_what_the_orm_oracle_answers(
    history, clerk, receiver, project, centre, by, level
):
    change_cards_later(history, clerk=clerk, receiver=receiver, project=project)
    history.mark()
    on = timezone.localdate()
    for cutoff in history.marks:
        for scope in (None, {centre.pk}, set()):
            expected = oracle.balance(cutoff=cutoff, on=on, by=by, level=level, scope=scope)
            got = sql_balance(cutoff=cutoff, on=on, by=by, level=level, scope=scope)
            assert got == expected, (cutoff, scope)


def test_figures_for_a_moment_do_not_move_when_cards_change_afterwards(
    history, clerk, receiver, project, auditor
):
    cutoff = history.marks[0]
    on = timezone.localdate()
    shapes = [(by, level) for by, level in SHAPES]
    before = [
        selectors.balance(user=auditor, on=on, by=by, level=level, cutoff=cutoff)
        for by, level in shapes
    ]
    change_cards_later(history, clerk=clerk, receiver=receiver, project=project)
    after = [
        selectors.balance(user=auditor, on=on, by=by, level=level, cutoff=cutoff)
        for by, level in shapes
    ]
    assert after == before
    # … while the register today says something else: the changes did land.
    now = selectors.balance(user=auditor, on=on, by="category")
    assert now["totals"] != before[0]["totals"]


def test_balance_counts_what_a_clerk_would_add_up(history, auditor):
    report = selectors.balance(
        user=auditor, on=dt.date(2025, 12, 31), by="status", cutoff=history.marks[0]
    )
    # The surplus draft is outside the book totals; five booked cards remain.
    assert report["totals"]["count"] == 5
    assert report["totals"]["original_value"] == "255999.99"
    in_use = next(row for row in report["rows"] if row["key"] == "in_use")
    assert in_use["name"] == "在用" or in_use["name"] == "In use"
    # The desktop (6000, in service 2022-05, 72 months): 44 months by 2025-12-31.
    desktop = selectors.balance(
        user=auditor, on=dt.date(2025, 12, 31), by="category", cutoff=history.marks[0]
    )
    row = next(row for row in desktop["rows"] if row["key"] == "A02010105")
    assert row["count"] == 1
    assert row["accumulated_depreciation"] == "3666.67"
    assert row["net_value"] == "2333.33"


def test_levels_roll_leaves_up_to_their_ancestors(history, auditor):
    report = selectors.balance(
        user=auditor, on=timezone.localdate(), by="category", level=2, cutoff=history.marks[0]
    )
    keys = {row["key"]: row for row in report["rows"]}
    # Computers and network equipment under 信息化设备 (大类); 应用软件 sits at level 2 itself.
    assert keys["A02010000"]["count"] == 4
    assert keys["A08060303"]["count"] == 1
    assert sum(row["count"] for row in report["rows"]) == report["totals"]["count"]


def test_a_clerk_sees_only_their_departments_cards(history, clerk, other_clerk):
    mine = selectors.balance(
        user=clerk, on=timezone.localdate(), by="department", cutoff=history.marks[0]
    )
    assert [row["key"] for row in mine["rows"]] == ["BDC"]
    theirs = selectors.balance(
        user=other_clerk, on=timezone.localdate(), by="department", cutoff=history.marks[0]
    )
    assert [row["key"] for row in theirs["rows"]] == ["HEALTH"]
    assert theirs["totals"]["original_value"] == "30000.00"


def test_a_handed_over_card_counts_for_its_new_owner_from_the_acceptance_on(
    history, clerk, receiver, project, auditor
):
    change_cards_later(history, clerk=clerk, receiver=receiver, project=project)
    later = history.mark()
    health = Department.objects.get(code="HEALTH")
    at = {
        mark: selectors.balance(user=auditor, on=timezone.localdate(), by="department", cutoff=mark)
        for mark in (history.marks[0], later)
    }
    value = {
        mark: next(r for r in report["rows"] if r["key"] == health.code)["original_value"]
        for mark, report in at.items()
    }
    assert value[history.marks[0]] == "30000.00"
    assert value[later] == "118000.00"  # + the accepted card, revalued to 88,000


@pytest.mark.parametrize(
    ("value", "message"),
    [("", "YYYY-MM-DD"), ("2025-13-01", "YYYY-MM-DD"), ("tomorrow", "YYYY-MM-DD")],
)
def test_bad_dates_are_refused_naming_the_field(value, message):
    with pytest.raises(ValidationError) as refused:
        selectors.parse_day(value, "on")
    assert "on" in refused.value.message_dict


def test_a_future_date_is_refused():
    with pytest.raises(ValidationError):
        selectors.parse_day(timezone.localdate() + dt.timedelta(days=1), "on")


def test_unknown_grouping_and_levels_are_refused():
    with pytest.raises(ValidationError) as refused:
        selectors.parse_grouping("colour", None)
    assert "by" in refused.value.message_dict
    for by, level in (("status", "1"), ("category", "0"), ("category", "x")):
        with pytest.raises(ValidationError) as refused:
            selectors.parse_grouping(by, level)
        assert "level" in refused.value.message_dict
