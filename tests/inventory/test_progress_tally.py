"""Issue 21: the progress tally (`ProgressTally`, kept by triggers on the lines) is exactly the
ORM's count of the same lines by its key after any sequence of scans and decisions (the oracle,
with hypothesis), and `selectors.progress` answers from it what the lines say, for a clerk's
share and for an auditor."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assets.errors import DomainError
from inventory import selectors
from inventory.models import ProgressTally, StocktakeLine
from inventory.services import campaigns, holders, scanning
from tests.factories import DepartmentFactory, LocationFactory, make_asset

pytestmark = pytest.mark.django_db

KEY = ("campaign_id", "kind", "department_id", "owner_department_id", "location_id", "surplus_by")
FIGURES = {
    # A card handed over to another unit during the count left it: counted apart.
    "lines": ~selectors.HANDED_OVER,
    "counted": selectors.COUNTED_OR_HELD,
    "by_holder": selectors.BY_HOLDER,
    "shortage": selectors.SHORTAGE,
    "pending": selectors.UNCONFIRMED,
    "handed_over": selectors.HANDED_OVER,
}


def orm_count() -> dict:
    """The oracle: the lines grouped by the tally's key, counted by the selectors' conditions."""
    out = {}
    rows = (
        StocktakeLine.objects.values(
            "campaign_id",
            "kind",
            "department_id",
            "owner_department_id",
            "location_id",
            "counted_by_id",
        )  # fmt: skip
        .annotate(**{name: Count("id", filter=q) for name, q in FIGURES.items()})
        .order_by()
    )
    for row in rows:
        surplus_by = row["counted_by_id"] if row["kind"] == StocktakeLine.Kind.SURPLUS else None
        key = tuple(row[k] for k in KEY[:5]) + (surplus_by,)
        figures = [row[name] for name in FIGURES]
        previous = out.get(key, [0] * len(FIGURES))
        out[key] = [a + b for a, b in zip(previous, figures, strict=True)]
    return {key: tuple(figures) for key, figures in out.items()}


def tally() -> dict:
    return {
        (
            row.campaign_id,
            row.kind,
            row.department_id,
            row.owner_department_id,
            row.location_id,
            row.counted_by_id,
        ): tuple(getattr(row, name) for name in FIGURES)
        for row in ProgressTally.objects.exclude(lines=0, handed_over=0)
    }


def progress_from_lines(*, campaign, user, by: str) -> list[dict]:
    """What `selectors.progress` answered before the tally: grouped over the lines themselves."""
    key = {"department": "department__code", "location": "location__code"}[by]
    rows = (
        selectors.lines_visible_to(user=user, campaign=campaign)
        .filter(selectors.BOOK)
        .values(key)
        .annotate(**{name: Count("id", filter=q) for name, q in FIGURES.items()})
        .order_by(key)
    )
    return [
        (row[key] or "", row["lines"], row["counted"], row["by_holder"], row["shortage"],
         row["pending"])
        for row in rows
    ]  # fmt: skip


def progress_figures(*, campaign, user, by: str) -> list[tuple]:
    return [
        (row["code"], row["total"], row["counted"], row["by_holder"], row["shortage"],
         row["pending"])
        for row in selectors.progress(campaign=campaign, user=user, by=by)
    ]  # fmt: skip


@pytest.fixture
def register(centre, sibling, room, other_room, clerk, admin_user):
    """Eight cards: in the centre's two rooms, its sub-department, and its sibling office (outside
    the centre clerk's share), one held by the clerk."""
    ops = DepartmentFactory(code="BDC-OPS2", name="运维二部", parent=centre)
    office_room = LocationFactory(code="OFF-1", name="办公室一", department=sibling)
    cards = []
    for index in range(8):
        owner, place = [
            (centre, room),
            (centre, other_room),
            (ops, room),
            (sibling, office_room),
        ][index % 4]
        cards.append(
            make_asset(owner=owner, actor=admin_user, location=place, name=f"台式计算机{index}")
        )
    return {"cards": cards, "places": [room, other_room, office_room, None]}


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["scan", "damaged", "manual", "surplus", "holder", "rescan"]),
        st.integers(min_value=0, max_value=7),
        st.integers(min_value=0, max_value=3),
        st.booleans(),
    ),
    max_size=14,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(operations=OPERATIONS, close=st.booleans())
def test_tally_is_the_count_of_the_lines_after_any_scans_and_decisions(
    operations, close, register, plan, centre, sibling, clerk, admin_user, auditor
):
    cards, places = register["cards"], register["places"]
    with transaction.atomic():
        campaign = campaigns.activate_campaign(
            campaign=plan(
                name=f"清查{len(operations)}",
                departments=[centre, sibling],
                reference_date=date(2025, 12, 31),
            ),
            actor=admin_user,
        )
        assert tally() == orm_count()
        for number, (operation, card, place, as_clerk) in enumerate(operations):
            actor = clerk if as_clerk else admin_user
            asset = cards[card]
            try:
                with transaction.atomic():
                    if operation in ("scan", "rescan", "damaged"):
                        scanning.record_scan(
                            campaign=campaign,
                            actor=actor,
                            code=asset.tag,
                            location=places[place],
                            damaged=operation == "damaged",
                        )
                    elif operation == "manual":
                        scanning.manual_count(
                            campaign=campaign,
                            actor=actor,
                            tag=asset.tag,
                            reason="标签损坏",
                            location=places[place],
                        )
                    elif operation == "surplus":
                        scanning.record_surplus(
                            campaign=campaign,
                            actor=actor,
                            note="无标签的打印机",
                            code=f"UNKNOWN-{number % 3}",
                            location=places[place],
                        )
                    else:
                        holders.record_holder_confirmations(actor=actor, assets=[asset])
            except (ValidationError, DomainError, PermissionDenied):
                pass  # a refusal (out of the clerk's share, counted already): nothing changes
            assert tally() == orm_count(), (number, operation)
        if close:
            campaign = campaigns.close_campaign(campaign=campaign, actor=admin_user)
            assert tally() == orm_count()
        for user in (clerk, auditor):
            for by in ("department", "location"):
                assert progress_figures(campaign=campaign, user=user, by=by) == (
                    progress_from_lines(campaign=campaign, user=user, by=by)
                )
        transaction.set_rollback(True)


def test_tally_follows_bulk_writes_and_deletes(active):
    """Writes outside the services (a queryset update, a delete) count too."""
    StocktakeLine.objects.filter(campaign=active).update(result="missing")
    assert tally() == orm_count()

    StocktakeLine.objects.filter(campaign=active).delete()
    assert tally() == orm_count() == {}
