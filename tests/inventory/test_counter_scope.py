"""Which lines a counter may count (`permissions.counter_line_q`): assignments reach down their
department and location subtrees and nowhere else, and the check runs inside the query using it."""

import json
import uuid
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from assets import credentials
from inventory import permissions, selectors
from inventory.models import StocktakeLine
from inventory.services import campaigns, scanning
from tests.factories import LocationFactory, UserFactory, make_asset

pytestmark = pytest.mark.django_db


@pytest.fixture
def rack(room):
    """A sub-location of room 101."""
    return LocationFactory(code="R101-A", name="A列机柜", parent=room)


def campaign_over(bureau, admin_user, assignments=(), name="范围测试"):
    campaign = campaigns.create_campaign(
        actor=admin_user,
        name=name,
        year=2025,
        reference_date=date(2025, 12, 31),
        due_on=date(2026, 1, 31),
        departments=[bureau],
        assignments=assignments,
    )
    return campaigns.activate_campaign(campaign=campaign, actor=admin_user)


def countable_tags(user, campaign) -> set[str]:
    return set(permissions.countable_lines(user, campaign).values_list("tag", flat=True))


def test_an_assigned_department_reaches_its_sub_departments_not_its_siblings(
    bureau, centre, ops, sibling, clerk, admin_user
):
    own = make_asset(owner=centre)
    nested = make_asset(owner=ops)
    used_below = make_asset(owner=sibling, using_department=ops)
    owned_below = make_asset(owner=ops, using_department=sibling)
    make_asset(owner=sibling)
    make_asset(owner=bureau)
    campaign = campaign_over(bureau, admin_user, [(clerk, centre, None)])
    assert countable_tags(clerk, campaign) == {
        own.tag,
        nested.tag,
        used_below.tag,
        owned_below.tag,
    }


def test_an_assigned_location_reaches_its_sub_locations_not_its_siblings(
    bureau, centre, room, rack, other_room, clerk, admin_user
):
    in_room = make_asset(owner=centre, location=room)
    in_rack = make_asset(owner=centre, location=rack)
    make_asset(owner=centre, location=other_room)
    make_asset(owner=centre)
    campaign = campaign_over(bureau, admin_user, [(clerk, None, room)])
    assert countable_tags(clerk, campaign) == {in_room.tag, in_rack.tag}


def test_several_assignments_add_up(bureau, centre, ops, sibling, room, rack, clerk, admin_user):
    below = make_asset(owner=ops)
    racked = make_asset(owner=sibling, location=rack)
    make_asset(owner=sibling)
    campaign = campaign_over(bureau, admin_user, [(clerk, ops, None), (clerk, None, room)])
    assert countable_tags(clerk, campaign) == {below.tag, racked.tag}


def test_without_assignments_a_clerk_counts_their_department_scope(
    bureau, centre, ops, sibling, room, clerk, admin_user
):
    own = make_asset(owner=centre, location=room)
    nested = make_asset(owner=ops)
    make_asset(owner=sibling)
    make_asset(owner=bureau)
    campaign = campaign_over(bureau, admin_user)
    assert countable_tags(clerk, campaign) == {own.tag, nested.tag}


def test_assignments_to_others_leave_a_clerk_nothing(bureau, centre, room, clerk, admin_user):
    make_asset(owner=centre, location=room)
    colleague = UserFactory(username="colleague", department=centre, roles=["clerk"])
    campaign = campaign_over(bureau, admin_user, [(colleague, centre, None)])
    assert countable_tags(clerk, campaign) == set()
    assert len(countable_tags(colleague, campaign)) == 1


def test_a_clerk_without_a_department_counts_only_their_assignments(
    bureau, centre, room, admin_user
):
    in_room = make_asset(owner=centre, location=room)
    make_asset(owner=centre)
    roaming = UserFactory(username="roaming", department=None, roles=["clerk"])
    first = campaign_over(bureau, admin_user)
    assert countable_tags(roaming, first) == set()
    # One active campaign per card: the first is closed before the assigned one starts.
    campaigns.close_campaign(campaign=first, actor=admin_user)
    campaign = campaign_over(bureau, admin_user, [(roaming, None, room)], name="指派盘点")
    assert countable_tags(roaming, campaign) == {in_room.tag}


def test_admins_count_everything_and_other_roles_nothing(
    bureau, centre, auditor, receiver, admin_user
):
    make_asset(owner=centre)
    campaign = campaign_over(bureau, admin_user)
    assert permissions.counter_line_q(admin_user, campaign) is None
    assert countable_tags(auditor, campaign) == set()
    assert countable_tags(receiver, campaign) == set()


def test_the_condition_negates_to_exactly_the_other_lines(
    bureau, centre, sibling, room, clerk, admin_user
):
    make_asset(owner=centre, location=room)
    make_asset(owner=centre)  # no location: the negation must still place it
    make_asset(owner=sibling)
    campaign = campaign_over(bureau, admin_user, [(clerk, None, room)])
    condition = permissions.counter_line_q(clerk, campaign)
    lines = StocktakeLine.objects.filter(campaign=campaign)
    assert lines.filter(condition).count() == 1
    assert lines.exclude(condition).count() == 2


def test_lines_visible_to_a_clerk_combine_the_scope_with_their_surplus_finds(
    bureau, centre, sibling, room, clerk, admin_user
):
    mine = make_asset(owner=centre, location=room)
    make_asset(owner=sibling)
    campaign = campaign_over(bureau, admin_user, [(clerk, None, room)])
    scanning.record_surplus(campaign=campaign, actor=clerk, note="无标签显示器")
    visible = selectors.lines_visible_to(user=clerk, campaign=campaign)
    assert {(line.kind, line.tag) for line in visible} == {("book", mine.tag), ("surplus", "")}
    # As a subquery (the differences page) the scope keeps to the inner query's tables.
    differences = selectors.differences_visible_to(user=clerk, campaign=campaign)
    assert list(differences) == []


def test_the_scope_costs_no_query_of_its_own(bureau, centre, ops, room, clerk, admin_user):
    make_asset(owner=ops, location=room)
    campaign = campaign_over(bureau, admin_user, [(clerk, centre, None), (clerk, None, room)])
    permissions.counter_line_q(clerk, campaign)  # the roles, cached on the user for the request
    with CaptureQueriesContext(connection) as queries:
        assert len(list(permissions.countable_lines(clerk, campaign))) == 1
    assert len(queries.captured_queries) == 1


def test_a_clerks_scan_stays_within_its_query_budget(bureau, centre, ops, clerk, admin_user):
    """The phone's scan: token, roles, campaign (the department tree walked inside it), line,
    then the count, the line and the log in one statement. A resent client key is refused by
    the scan log's unique key, not looked for first."""
    cards = [make_asset(owner=ops) for _ in range(2)]
    campaign = campaign_over(bureau, admin_user, [(clerk, centre, None)])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {credentials.issue_token(user=clerk)}")

    def scan(card):
        body = {
            "code": card.tag,
            "client_key": str(uuid.uuid4()),
            # A phone's time during the count (15.7: not before the campaign's activation).
            "scanned_at": timezone.now().isoformat(),
        }
        return client.post(
            f"/api/v1/stocktakes/{campaign.pk}/scans/",
            data=json.dumps(body),
            content_type="application/json",
        )

    assert scan(cards[0]).json()["answer"] == "found"
    with CaptureQueriesContext(connection) as queries:
        response = scan(cards[1])
    assert response.status_code == 200 and response.json()["answer"] == "found"
    # The test's own transaction adds savepoints a phone's request does not have.
    statements = [
        q["sql"] for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]
    assert len(statements) <= 5, statements


@pytest.mark.parametrize("share", ["department", "location", "both", "unassigned", "others"])
def test_a_scan_counts_exactly_the_lines_the_counter_may_count(
    share, bureau, centre, ops, sibling, room, rack, other_room, clerk, admin_user
):
    """The scan's own line lookup (hand-written SQL) admits what `countable_lines` lists."""
    cards = [
        make_asset(owner=centre, location=room),
        make_asset(owner=ops),
        make_asset(owner=sibling, using_department=ops),
        make_asset(owner=ops, using_department=sibling),
        make_asset(owner=sibling, location=rack),
        make_asset(owner=sibling, location=other_room),
        make_asset(owner=bureau),
    ]
    colleague = UserFactory(username="colleague", department=centre, roles=["clerk"])
    assignments = {
        "department": [(clerk, centre, None)],
        "location": [(clerk, None, room)],
        "both": [(clerk, ops, None), (clerk, None, room)],
        "unassigned": [],
        "others": [(colleague, centre, None)],
    }[share]
    campaign = campaign_over(bureau, admin_user, assignments)
    countable = countable_tags(clerk, campaign)
    assert len(countable) < len(cards) and (countable or share == "others")
    counted = {
        card.tag
        for card in cards
        if scanning.record_scan(campaign=campaign, actor=clerk, code=card.tag).answer
        != "not_in_scope"
    }
    assert counted == countable
