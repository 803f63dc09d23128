"""The movements of a period (增减变动表): on generated histories, opening + movements == closing
per group and per column, and opening and closing are the balances the ORM oracle computes at
the period's two ends (hypothesis)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from assets import services
from assets.handovers import services as hs
from assets.models import Asset
from assets.reports import selectors
from config.errors import DomainError
from tests.assets.reports import oracle
from tests.assets.reports.conftest import change_cards_later
from tests.factories import leaf_category, make_asset, retire_directly

pytestmark = pytest.mark.django_db

LEAVES = ["A02010104", "A02010105", "A02010108", "A02010200", "A02020100", "A08060301"]
STATUSES = ["in_use", "idle", "in_stock", "pending_disposal", "lent"]

money = st.decimals(min_value=0, max_value=500000, places=2, allow_nan=False)
register = st.tuples(
    st.just("register"),
    st.sampled_from(["mine", "theirs"]),
    st.sampled_from(LEAVES),
    money,
    st.sampled_from(["in_use", "in_stock", "draft"]),
    st.dates(min_value=dt.date(2018, 1, 1), max_value=dt.date(2026, 6, 30)) | st.none(),
)
on_card = st.integers(min_value=0, max_value=2)
operation = st.one_of(
    register,
    st.tuples(st.just("revalue"), on_card, money),
    st.tuples(st.just("reclassify"), on_card, st.sampled_from(LEAVES)),
    st.tuples(st.just("status"), on_card, st.sampled_from(STATUSES)),
    st.tuples(st.just("retire"), on_card),
    st.tuples(st.just("hand_over"), on_card),
    st.tuples(st.just("life"), on_card, st.integers(min_value=12, max_value=180)),
)


def apply(op, cards, *, centre, other_bureau, project, clerk, receiver):
    kind = op[0]
    try:
        if kind == "register":
            _kind, owner, leaf, value, status, in_service = op
            mine = owner == "mine"
            cards.append(
                make_asset(
                    owner=centre if mine else other_bureau,
                    category_code=leaf,
                    original_value=value,
                    status=status,
                    in_service_on=in_service,
                    project=project if mine else None,
                )
            )
            return
        if not cards:
            return
        card = Asset.objects.get(pk=cards[op[1] % len(cards)].pk)
        if kind == "revalue":
            services.revalue_asset(asset=card, actor=None, original_value=op[2], value_type="final")
        elif kind == "reclassify":
            services.update_asset(asset=card, actor=None, fields={"category": leaf_category(op[2])})
        elif kind == "life":
            services.update_asset(asset=card, actor=None, fields={"useful_life_months": op[2]})
        elif kind == "status":
            services.change_status(asset=card, actor=None, status=op[2], lent_to="外单位")
        elif kind == "retire":
            retire_directly(asset=card, actor=None, reason="报废")
        elif kind == "hand_over":
            handover = hs.create_handover(actor=clerk, project=project, assets=[card])
            handover = hs.submit_handover(handover=handover, actor=clerk)
            hs.decide_handover(
                handover=handover,
                actor=receiver,
                decisions=[hs.ItemDecision(tag=card.tag, result="accepted")],
            )
    except (ValidationError, DomainError, PermissionDenied):
        pass  # a refused move (a transition the machine forbids, a card in a handover) is none


def figures(block) -> tuple:
    return (
        block["count"],
        Decimal(block["original_value"]),
        Decimal(block["accumulated_depreciation"]),
    )


def assert_adds_up(row):
    opening = figures(row["opening"])
    add = figures(row["additions_total"])
    out = figures(row["disposals_total"])
    t_in, t_out = figures(row["transfers_in"]), figures(row["transfers_out"])
    closing = figures(row["closing"])
    assert opening[0] + add[0] - out[0] + t_in[0] - t_out[0] == closing[0], row
    assert (
        opening[1] + add[1] - out[1] + t_in[1] - t_out[1] + Decimal(row["revaluation"])
        == closing[1]
    ), row
    assert (
        opening[2] + add[2] - out[2] + t_in[2] - t_out[2] + Decimal(row["depreciation"])
        == closing[2]
    ), row
    # The methods add up to their totals.
    assert sum(line["count"] for line in row["additions"]) == add[0]
    assert sum(line["count"] for line in row["disposals"]) == out[0]


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@example(
    before=[("register", "mine", "A02010104", Decimal("100.00"), "in_use", dt.date(2023, 1, 1))],
    during=[("reclassify", 0, "A02010105"), ("revalue", 0, Decimal("300.00"))],
    by=("category", None),
    who="auditor",
)
@example(
    # A card with no using department handed over leaves a clerk's scope: a transfer out.
    before=[("register", "mine", "A02010108", Decimal("2.56"), "in_use", None)],
    during=[("hand_over", 1)],
    by=("category", None),
    who="clerk",
)
@example(
    before=[("register", "mine", "A02010104", Decimal("100.00"), "in_use", dt.date(2023, 1, 1))],
    during=[("hand_over", 0), ("revalue", 0, Decimal("300.00")), ("life", 0, 24)],
    by=("department", None),
    who="clerk",
)
@given(
    before=st.lists(register, min_size=1, max_size=3).flatmap(
        lambda cards: st.lists(operation, max_size=5).map(lambda ops: cards + ops)
    ),
    during=st.lists(operation, min_size=1, max_size=12),
    by=st.sampled_from(
        [
            ("category", None),
            ("category", 2),
            ("department", None),
            ("status", None),
            ("value_type", None),
        ]
    ),
    who=st.sampled_from(["auditor", "clerk"]),
)
def test_opening_plus_movements_is_closing(
    before, during, by, who, centre, other_bureau, project, clerk, receiver, auditor
):
    context = {
        "centre": centre,
        "other_bureau": other_bureau,
        "project": project,
        "clerk": clerk,
        "receiver": receiver,
    }
    # Each example on its own: its cards are rolled back when it ends.
    with transaction.atomic():
        check_period(before, during, by, auditor if who == "auditor" else clerk, context)
        transaction.set_rollback(True)


def check_period(before, during, by, user, context):
    cards: list = []
    for op in before:
        apply(op, cards, **context)
    start = timezone.now()
    for op in during:
        apply(op, cards, **context)
    end = timezone.now()
    opening_on, closing_on = dt.date(2024, 6, 30), timezone.localdate()
    group, level = by
    report = selectors.movements(
        user=user,
        start=opening_on,
        end=closing_on,
        by=group,
        level=level,
        opening_cutoff=start,
        closing_cutoff=end,
    )
    for row in [*report["rows"], report["totals"]]:
        assert_adds_up(row)
    scope = selectors.scope_of(user)
    opening = oracle.balance(cutoff=start, on=opening_on, by=group, level=level, scope=scope)
    closing = oracle.balance(cutoff=end, on=closing_on, by=group, level=level, scope=scope)
    names = selectors.group_names(group, [*opening, *closing])
    for expected, side in ((opening, "opening"), (closing, "closing")):
        got = {row["key"]: figures(row[side]) for row in report["rows"] if row[side]["count"]}
        want = {names.get(key, ("", ""))[0]: value for key, value in expected.items()}
        assert got == want, side


def test_the_fixed_history_moves_as_a_clerk_reads_it(history, clerk, receiver, project, auditor):
    start = history.marks[0]
    change_cards_later(history, clerk=clerk, receiver=receiver, project=project)
    end = history.mark()
    today = timezone.localdate()
    report = selectors.movements(
        user=auditor,
        start=today,
        end=today,
        by="department",
        opening_cutoff=start,
        closing_cutoff=end,
    )
    rows = {row["key"]: row for row in report["rows"]}
    centre, health = rows["BDC"], rows["HEALTH"]
    # The server was retired; the surplus draft was booked and a new card registered.
    assert [(d["method"], d["count"]) for d in centre["disposals"]] == [("retired", 1)]
    assert centre["disposals_total"]["original_value"] == "120000.00"
    assert centre["additions_total"]["count"] == 2
    # The provisional card went to the health commission at its opening value, then its
    # revaluation (90,000 → 88,000) counts where it now is.
    assert centre["transfers_out"]["original_value"] == "90000.00"
    assert health["transfers_in"]["original_value"] == "90000.00"
    assert health["revaluation"] == "-2000.00"
    for row in [*report["rows"], report["totals"]]:
        assert_adds_up(row)


def test_a_period_that_ends_before_it_starts_is_refused(auditor):
    with pytest.raises(ValidationError) as refused:
        selectors.movements(user=auditor, start=dt.date(2025, 2, 1), end=dt.date(2025, 1, 1))
    assert "from" in refused.value.message_dict
