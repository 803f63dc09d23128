"""The register tally (`RegisterTally`, kept by triggers) is exactly the ORM's count of the cards
by its key, after every kind of write: the services, bulk inserts, queryset updates, a flush."""

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.db.models import BooleanField, Case, Count, Sum, Value, When
from django.db.models.functions import TruncMonth
from django.utils import timezone

from assets import services
from assets.models import Asset, RegisterTally
from assets.reports import dashboard, sql
from tests.factories import DepartmentFactory, leaf_category, make_asset

pytestmark = pytest.mark.django_db

KEY = ("category_id", "owner_department_id", "status", "month", "useful_life_months", "own")


def orm_count() -> dict:
    """The oracle: the cards grouped by the tally's key by the ORM."""
    own = Case(
        When(label_mode=Asset.LabelMode.OWN_LABEL, then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )
    rows = (
        Asset.objects.annotate(month=TruncMonth("in_service_on"), own=own)
        .values(*KEY)
        .annotate(n=Count("id"), value=Sum("original_value"))
        .order_by()
    )
    return {tuple(row[k] for k in KEY): (row["n"], row["value"]) for row in rows}


def tally() -> dict:
    rows = RegisterTally.objects.exclude(cards=0).values(
        "category_id",
        "owner_department_id",
        "status",
        "in_service_month",
        "useful_life_months",
        "own_label",
        "cards",
        "original_value",
    )
    return {
        (
            r["category_id"],
            r["owner_department_id"],
            r["status"],
            r["in_service_month"],
            r["useful_life_months"],
            r["own_label"],
        ): (r["cards"], r["original_value"])
        for r in rows
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_tally_is_the_orm_count_after_every_kind_of_write(seed, centre, other_bureau):
    rng = random.Random(seed)
    departments = [centre, other_bureau, DepartmentFactory(code=f"D{seed}", name=f"处{seed}")]
    codes = ["A02010104", "A02010105", "A02010108"]
    days = [None, dt.date(2014, 1, 31), dt.date(2020, 6, 15), dt.date(2024, 12, 1)]
    cards = []
    for _i in range(12):  # through the service, one statement a card
        cards.append(
            make_asset(
                owner=rng.choice(departments),
                category_code=rng.choice(codes),
                in_service_on=rng.choice(days),
                original_value=Decimal(rng.randint(100, 90000)) / 4,
                status=rng.choice([Asset.Status.IN_USE, Asset.Status.IN_STOCK]),
            )
        )
    assert tally() == orm_count()
    # A bulk insert: one statement, many cards.
    template = cards[0]
    Asset.objects.bulk_create(
        [
            Asset(
                tag=f"BULK{seed}{i:04d}",
                name="批量",
                category=leaf_category(rng.choice(codes)),
                owner_department=rng.choice(departments),
                original_value=Decimal(rng.randint(1, 500)),
                in_service_on=rng.choice(days),
                unit=template.unit,
            )
            for i in range(30)
        ]
    )
    assert tally() == orm_count()
    # Changes through the service and queryset updates over many cards at once.
    for card in rng.sample(cards, 4):
        services.update_asset(
            asset=card,
            actor=None,
            fields={
                "original_value": Decimal(rng.randint(1, 9999)),
                "in_service_on": rng.choice(days[1:]),
                "useful_life_months": rng.choice([36, 60, 96]),
            },
        )
    Asset.objects.filter(pk__in=[c.pk for c in cards[:5]]).update(
        owner_department=departments[2], label_mode=Asset.LabelMode.VIRTUAL
    )
    Asset.objects.filter(tag__startswith=f"BULK{seed}00").update(
        status=Asset.Status.RETIRED, retired_at=timezone.now()
    )
    Asset.objects.filter(category__code="A02010108").update(category=leaf_category("A02010104"))
    assert tally() == orm_count()
    assert sum(n for n, _v in tally().values()) == Asset.objects.count()


def test_a_rolled_back_write_leaves_the_tally_as_it_was(centre):
    from django.db import transaction

    make_asset(owner=centre)
    before = tally()
    with pytest.raises(RuntimeError), transaction.atomic():
        make_asset(owner=centre, original_value=Decimal("1.00"))
        raise RuntimeError
    assert tally() == before == orm_count()


def test_the_age_profile_counts_this_months_cards_by_their_day(auditor, centre):
    """The tally knows months; this month's cards are read one by one, so a card that goes
    into service later this month is not in service yet, and one from the 1st is."""
    today = timezone.localdate()
    first = today.replace(day=1)
    make_asset(owner=centre, in_service_on=first, name="本月初")
    make_asset(owner=centre, in_service_on=today - dt.timedelta(days=400), name="去年")
    make_asset(owner=centre, in_service_on=None, name="未启用")
    later = today + dt.timedelta(days=1)
    if later.month == today.month:
        Asset.objects.filter(name="未启用").update(in_service_on=later)
    rows = sql.dashboard_rows(on=today, category_level=2, scope=None)
    age = {(key, past): count for panel, key, past, count, _b, _v in rows if panel == "age"}
    # The oracle: each card's whole years in service by today, as `Asset` counts months.
    expected: dict = {}
    for card in Asset.objects.all():
        if card.in_service_on is None or card.in_service_on > today:
            bucket = ("-1", "false")
        else:
            months = (today.year - card.in_service_on.year) * 12 + today.month
            months += 1 - card.in_service_on.month
            bucket = (
                str(min(months // 12, sql.AGE_CAP_YEARS)),
                str(months >= card.useful_life_months).lower(),
            )
        expected[bucket] = expected.get(bucket, 0) + 1
    assert age == expected
    assert dashboard.figures(auditor)["age"]["rows"][0][1] == 1  # 本月初, in its first year
