"""Oracles for inventory's hand-written SQL (`inventory/sql.py`): each statement's rows against
the ORM definition of the same rows, across the shapes that matter. The counter's trees have
theirs in test_counter_scope.py and the lines' digest in test_services.py."""

import uuid
from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.forms.models import model_to_dict
from django.utils import timezone

from assets.models import Asset
from inventory import permissions, sql
from inventory.models import (
    LineResult,
    StocktakeCampaign,
    StocktakeCount,
    StocktakeLine,
    StocktakeScan,
)
from inventory.services import campaigns, scanning
from tests.assets.test_sql import orm_department_walks
from tests.factories import (
    DepartmentFactory,
    LocationFactory,
    UserFactory,
    make_asset,
    make_campaign,
)

pytestmark = pytest.mark.django_db


def campaign_over(departments, admin_user, assignments=(), name="SQL 对照"):
    return make_campaign(
        actor=admin_user, departments=departments, assignments=assignments, name=name
    )


# ----------------------------------------------------------------------------- the scanned line


@pytest.mark.parametrize("who", ["admin", "assigned", "unassigned", "others", "auditor"])
def test_the_scanned_line_is_the_orms_line_and_in_scope_what_the_counter_counts(
    who, bureau, centre, ops, sibling, room, other_room, clerk, auditor, admin_user
):
    rack = LocationFactory(code="R101-A", name="A列机柜", parent=room)
    make_asset(owner=centre, location=room)
    make_asset(owner=ops, location=rack)
    make_asset(owner=sibling, using_department=ops)
    make_asset(owner=sibling, location=other_room)
    make_asset(owner=bureau)
    colleague = UserFactory(username="colleague", department=centre, roles=["clerk"])
    user, assignments = {
        "admin": (admin_user, []),
        "assigned": (clerk, [(clerk, None, room)]),
        "unassigned": (clerk, []),
        "others": (clerk, [(colleague, centre, None)]),
        "auditor": (auditor, []),
    }[who]
    campaign = campaign_over([bureau], admin_user, assignments)
    Asset.objects.update(suspected_shortage=False)
    countable = set(permissions.countable_lines(user, campaign).values_list("pk", flat=True))
    trees = permissions.counter_scope(user, campaign)
    for expected in StocktakeLine.objects.filter(campaign=campaign).select_related(
        "location", "counted_location"
    ):
        line = sql.scan_line(campaign=campaign, tag=expected.tag, trees=trees)
        assert {name: getattr(line, name) for name in sql.SCAN_LINE_FIELDS} == {
            name: getattr(expected, name) for name in sql.SCAN_LINE_FIELDS
        }
        assert (line.location and line.location.code) == (
            expected.location and expected.location.code
        )
        assert line.in_scope == (expected.pk in countable), expected.tag
    assert sql.scan_line(campaign=campaign, tag="YK-NOSUCHTAG", trees=trees) is None


# ---------------------------------------------------------------------------------- the count


def _count_and_changes(campaign, line, actor, location):
    at = timezone.now() - timedelta(minutes=1)
    count = {
        "campaign": campaign.pk,
        "asset": line.asset_id,
        "line": line.pk,
        "counted_by": actor.pk,
        "counted_at": at,
        "verify_method": "manual",
    }
    changes = {
        "result": LineResult.FOUND_ELSEWHERE,
        "counted_quantity": 1,
        "verify_method": "manual",
        "counted_at": at,
        "counted_by": actor,
        "counted_location": location,
        "label_ok": False,
        "reprint_requested": True,
        "manual_reason": "标签磨损",
    }
    return count, changes


def _compared(row: dict, *identity: str) -> dict:
    return {name: value for name, value in row.items() if name not in ("id", *identity)}


def test_a_count_writes_what_the_orm_would(plan, centre, room, other_room, clerk, admin_user):
    by_sql, by_orm = (make_asset(owner=centre, location=room) for _ in range(2))
    campaign = campaigns.activate_campaign(campaign=plan(), actor=admin_user)
    sql_line, orm_line = (campaign.lines.get(asset=card) for card in (by_sql, by_orm))
    count, changes = _count_and_changes(campaign, sql_line, clerk, other_room)
    assert sql.count_line(count=count, changes=changes) is True
    # The ORM definition of the same rows.
    orm_count, orm_changes = _count_and_changes(campaign, orm_line, clerk, other_room)
    orm_changes["counted_at"] = orm_count["counted_at"] = count["counted_at"]
    StocktakeCount.objects.create(
        campaign_id=orm_count["campaign"],
        asset_id=orm_count["asset"],
        line_id=orm_count["line"],
        counted_by_id=orm_count["counted_by"],
        counted_at=orm_count["counted_at"],
        verify_method=orm_count["verify_method"],
    )
    StocktakeLine.objects.filter(pk=orm_line.pk).update(**orm_changes)
    identity = ("asset", "tag", "line")
    lines = {
        line.asset_id: _compared(model_to_dict(line), *identity)
        for line in StocktakeLine.objects.filter(pk__in=[sql_line.pk, orm_line.pk])
    }
    counts = {
        count.asset_id: _compared(model_to_dict(count), *identity)
        for count in StocktakeCount.objects.filter(campaign=campaign)
    }
    assert lines[by_sql.pk] == lines[by_orm.pk]
    assert counts[by_sql.pk] == counts[by_orm.pk]


def test_a_second_count_of_a_line_changes_nothing(
    plan, centre, room, other_room, clerk, admin_user
):
    card = make_asset(owner=centre, location=room)
    campaign = campaigns.activate_campaign(campaign=plan(), actor=admin_user)
    line = campaign.lines.get(asset=card)
    count, changes = _count_and_changes(campaign, line, clerk, other_room)
    assert sql.count_line(count=count, changes=changes)
    before = model_to_dict(StocktakeLine.objects.get(pk=line.pk))
    count, changes = _count_and_changes(campaign, line, admin_user, room)
    assert sql.count_line(count=count, changes=changes) is False
    assert model_to_dict(StocktakeLine.objects.get(pk=line.pk)) == before
    # As the ORM definition: the count's unique keys refuse a second one.
    with pytest.raises(IntegrityError), transaction.atomic():
        StocktakeCount.objects.create(
            campaign=campaign, asset=card, line=line, counted_at=timezone.now(), verify_method="x"
        )


# ------------------------------------------------------------------------------------ the log


def _log_fields(campaign, clerk, room, line, key):
    return {
        "campaign": campaign.pk,
        "client_key": key,
        "code": f"https://yika.example/a/{line.tag}?l=2",
        "tag": line.tag,
        "label_serial": 2,
        "location": room,
        "scanned_by": clerk.pk,
        "scanned_at": timezone.now() - timedelta(minutes=3),
        "received_at": timezone.now(),
        "line": line.pk,
    }


def test_a_logged_scan_is_the_row_the_orm_writes(active, pc, clerk, room):
    line = active.lines.get()
    fields = _log_fields(active, clerk, room, line, uuid.uuid4())
    assert sql.log_scan(scan=fields, answer="not_in_scope") == "not_in_scope"
    StocktakeScan.objects.create(
        campaign=active,
        client_key=uuid.uuid4(),
        code=fields["code"],
        tag=fields["tag"],
        label_serial=fields["label_serial"],
        location=room,
        scanned_by=clerk,
        scanned_at=fields["scanned_at"],
        answer="not_in_scope",
        line=line,
    )
    by_sql, by_orm = (
        _compared(model_to_dict(scan), "client_key", "received_at")
        for scan in StocktakeScan.objects.order_by("id")
    )
    assert by_sql == by_orm
    assert StocktakeScan.objects.order_by("id")[0].received_at == fields["received_at"]


def test_a_logged_count_says_found_once_then_duplicate(active, pc, clerk, room, other_room):
    line = active.lines.get()
    count, changes = _count_and_changes(active, line, clerk, other_room)
    for expected in ("found", "duplicate"):
        fields = _log_fields(active, clerk, room, line, uuid.uuid4())
        logged = sql.log_scan(
            scan=fields, answer="found", count=count, changes=changes, duplicate="duplicate"
        )
        assert logged == expected
    assert list(StocktakeScan.objects.order_by("id").values_list("answer", flat=True)) == [
        "found",
        "duplicate",
    ]
    assert StocktakeCount.objects.filter(line=line).count() == 1


def test_a_resent_key_rolls_the_count_back_with_the_log(active, pc, clerk, room, other_room):
    line = active.lines.get()
    key = uuid.uuid4()
    sql.log_scan(scan=_log_fields(active, clerk, room, line, key), answer="not_in_scope")
    count, changes = _count_and_changes(active, line, clerk, other_room)
    with pytest.raises(IntegrityError), transaction.atomic():
        sql.log_scan(
            scan=_log_fields(active, clerk, room, line, key),
            answer="found",
            count=count,
            changes=changes,
            duplicate="duplicate",
        )
    assert not StocktakeCount.objects.exists()
    assert StocktakeLine.objects.get(pk=line.pk).result == "pending"


# ------------------------------------------------------------------------ campaign visibility


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


def _campaign(admin_user, name, departments=(), assignments=()):
    return campaigns.create_campaign(
        actor=admin_user,
        name=name,
        year=2025,
        reference_date=date(2025, 12, 31),
        due_on=date(2026, 1, 31),
        departments=list(departments),
        assignments=list(assignments),
    )


@pytest.mark.parametrize("home", ["centre", "ops", "office", "other", None])
def test_the_visible_campaigns_subquery_answers_the_orm_definition(departments, admin_user, home):
    user = UserFactory(
        username="counter",
        department=departments[home] if home else None,
        roles=["clerk"],
    )
    _campaign(admin_user, "全库")
    for name, department in departments.items():
        _campaign(admin_user, f"范围 {name}", departments=[department])
    _campaign(
        admin_user,
        "指派",
        departments=[departments["other"]],
        assignments=[(user, departments["other"], None)],
    )
    reach: set[int] = set()
    if user.department_id:
        down, up = orm_department_walks(user.department)
        reach = down | up
    expected = set(
        StocktakeCampaign.objects.filter(
            Q(departments=None) | Q(assignments__counter=user) | Q(departments__in=reach)
        ).values_list("pk", flat=True)
    )
    visible = set(
        permissions.visible_campaigns(user, StocktakeCampaign.objects.all()).values_list(
            "pk", flat=True
        )
    )
    assert visible == expected
    assert 1 < len(visible) < StocktakeCampaign.objects.count()


# ------------------------------------------------------------------------ a campaign's scope


def test_a_scope_subtree_is_the_orms_descendants(bureau, centre, ops, sibling, other_bureau, room):
    from assets.models import Category, Department, Location

    rack = LocationFactory(code="R101-A", name="A列机柜", parent=room)
    LocationFactory(code="R101-A-1", name="1号机柜", parent=rack)
    category = Category.objects.get(code_system="GBT14885-2022", code="A02010000")
    shapes = [
        (Department, [bureau.pk]),
        (Department, [centre.pk, other_bureau.pk]),
        (Department, [ops.pk, centre.pk]),
        (Location, [room.pk]),
        (Location, [rack.pk]),
        (Category, [category.pk]),
    ]
    for model, roots in shapes:
        expected = set()
        for root in roots:
            expected |= set(
                model.objects.descendants(root, include_self=True).values_list("pk", flat=True)
            )
        assert sorted(sql.subtree_ids(model, roots)) == sorted(expected), (model, roots)


# ----------------------------------------------------------------- the snapshot and the register


def test_the_book_snapshot_is_each_cards_own_values(plan, centre, ops, room, clerk, admin_user):
    """Activation copies the cards with one INSERT … SELECT; each line holds what the card says
    of itself on the reference date (the ORM definition, card by card)."""
    from decimal import Decimal

    cards = [
        make_asset(owner=centre, location=room, in_service_on=date(2023, 5, 20)),
        make_asset(owner=centre, using_department=ops, original_value=Decimal("7200.00")),
        make_asset(owner=ops, depreciate=False, original_value=Decimal("99.99")),
        make_asset(owner=centre, in_service_on=date(2010, 1, 1)),  # fully depreciated
    ]
    host = cards[0]
    cards.append(make_asset(owner=centre, parent=host, embedded=True, category_code="A02010200"))
    campaign = campaigns.activate_campaign(campaign=plan(), actor=admin_user)
    reference = campaign.reference_date
    for card in Asset.objects.filter(pk__in=[c.pk for c in cards]):
        line = campaign.lines.get(asset=card)
        accumulated = card.accumulated_depreciation(reference)
        assert (
            line.tag,
            line.name,
            line.department_id,
            line.owner_department_id,
            line.location_id,
            line.parent_id,
            line.embedded,
            line.hosts_embedded,
            line.original_value,
            line.accumulated_depreciation,
            line.net_value,
            line.result,
        ) == (
            card.tag,
            card.name,
            card.using_department_id or card.owner_department_id,
            card.owner_department_id,
            card.location_id,
            card.parent_id,
            card.install_mode == Asset.InstallMode.EMBEDDED,
            card.pk == host.pk,
            card.original_value,
            accumulated,
            card.original_value - accumulated,
            "pending",
        ), card.tag


def test_closing_raises_one_difference_per_line_that_differs(
    plan, pc, centre, room, other_room, clerk, admin_user
):
    """Closing copies the differing lines into the register with one INSERT … SELECT: one raised
    difference per line whose result is a difference, of the kind that result maps to."""
    from inventory.models import Difference
    from inventory.services.campaigns import DIFFERENCE_KIND

    elsewhere = make_asset(owner=centre, location=room)
    damaged = make_asset(owner=centre, location=room)
    make_asset(owner=centre, location=room)  # never counted: a shortage
    campaign = campaigns.activate_campaign(campaign=plan(), actor=admin_user)
    scanning.record_scan(campaign=campaign, actor=clerk, code=pc.tag)
    scanning.record_scan(campaign=campaign, actor=clerk, code=elsewhere.tag, location=other_room)
    scanning.record_scan(campaign=campaign, actor=clerk, code=damaged.tag, damaged=True)
    scanning.record_surplus(campaign=campaign, actor=clerk, note="无标签显示器")
    campaign = campaigns.close_campaign(campaign=campaign, actor=admin_user)
    expected = {
        (line.pk, DIFFERENCE_KIND[line.result])
        for line in campaign.lines.all()
        if line.result in DIFFERENCE_KIND
    }
    raised = Difference.objects.filter(campaign=campaign)
    assert set(raised.values_list("line_id", "kind")) == expected
    assert sorted(kind for _line, kind in expected) == [
        "damaged",
        "mismatch",
        "shortage",
        "surplus",
    ]
    assert set(raised.values_list("state", flat=True)) == {"raised"}
