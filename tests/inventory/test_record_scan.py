"""`scanning.record_scan`, the one scan path, tested directly: what each scan answers and the rows
it writes (the line, its one count, the scan log), and what it leaves alone."""

import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assets import tags
from inventory.models import StocktakeCount, StocktakeLine, StocktakeScan
from inventory.services import campaigns, scanning
from labels import services as label_services
from labels.models import Label, LabelTemplate
from tests.factories import make_asset

pytestmark = pytest.mark.django_db

LINE_FIELDS = (
    "result",
    "counted_quantity",
    "verify_method",
    "counted_at",
    "counted_by_id",
    "counted_location_id",
    "label_ok",
    "reprint_requested",
)
COUNT_FIELDS = (
    "campaign_id",
    "asset_id",
    "line_id",
    "counted_by_id",
    "counted_at",
    "verify_method",
)
SCAN_FIELDS = (
    "campaign_id",
    "client_key",
    "code",
    "tag",
    "label_serial",
    "location_id",
    "scanned_by_id",
    "scanned_at",
    "answer",
    "line_id",
)


def line_row(line: StocktakeLine) -> tuple:
    return StocktakeLine.objects.values_list(*LINE_FIELDS).get(pk=line.pk)


def count_rows(campaign) -> list[tuple]:
    return list(StocktakeCount.objects.filter(campaign=campaign).values_list(*COUNT_FIELDS))


def scan_rows(campaign) -> list[tuple]:
    return list(
        StocktakeScan.objects.filter(campaign=campaign).order_by("id").values_list(*SCAN_FIELDS)
    )


def scan(campaign, actor, code, **kwargs):
    kwargs.setdefault("client_key", uuid.uuid4())
    kwargs.setdefault("scanned_at", timezone.now() - timedelta(seconds=5))
    return kwargs, scanning.record_scan(campaign=campaign, actor=actor, code=code, **kwargs)


def test_a_found_card_writes_its_line_one_count_and_the_log(active, pc, clerk, room):
    sent, outcome = scan(active, clerk, pc.tag)
    line = active.lines.get()
    at = sent["scanned_at"]
    assert (outcome.answer, outcome.tag, outcome.line.pk, outcome.client_key) == (
        "found",
        pc.tag,
        line.pk,
        str(sent["client_key"]),
    )
    # A typed tag of a card that never had a label: no label seen, and none on the card.
    assert line_row(line) == ("found", 1, "typed_tag", at, clerk.pk, room.pk, False, False)
    assert count_rows(active) == [(active.pk, pc.pk, line.pk, clerk.pk, at, "typed_tag")]
    assert scan_rows(active) == [
        (active.pk, sent["client_key"], pc.tag, pc.tag, None, None, clerk.pk, at, "found", line.pk)
    ]


def test_a_card_found_at_another_place_is_counted_there(active, pc, clerk, other_room):
    sent, outcome = scan(active, clerk, pc.tag, location=other_room, damaged=True)
    line = active.lines.get()
    assert outcome.answer == "found_elsewhere"
    assert line_row(line)[0] == "damaged"
    assert line_row(line)[5] == other_room.pk
    assert scan_rows(active)[0][5] == other_room.pk


def test_a_second_scan_is_logged_as_a_duplicate_and_counts_nothing(active, pc, clerk):
    first, _outcome = scan(active, clerk, pc.tag)
    line = active.lines.get()
    before = line_row(line)
    again, outcome = scan(active, clerk, pc.tag)
    assert (outcome.answer, outcome.line.pk) == ("duplicate", line.pk)
    assert line_row(line) == before
    assert len(count_rows(active)) == 1
    assert [(row[1], row[8], row[9]) for row in scan_rows(active)] == [
        (first["client_key"], "found", line.pk),
        (again["client_key"], "duplicate", line.pk),
    ]


def test_a_resent_client_key_writes_nothing_more(active, pc, clerk):
    sent, _outcome = scan(active, clerk, pc.tag)
    rows = (line_row(active.lines.get()), count_rows(active), scan_rows(active))
    _again, outcome = scan(active, clerk, pc.tag, client_key=sent["client_key"])
    assert (outcome.answer, outcome.client_key) == ("duplicate", str(sent["client_key"]))
    assert (line_row(active.lines.get()), count_rows(active), scan_rows(active)) == rows


def test_a_card_outside_the_share_is_logged_without_its_line(active, pc, other_clerk):
    sent, outcome = scan(active, other_clerk, pc.tag)
    assert (outcome.answer, outcome.line) == ("not_in_scope", None)
    assert line_row(active.lines.get())[:2] == ("pending", 0)
    assert count_rows(active) == []
    assert [(row[6], row[8], row[9]) for row in scan_rows(active)] == [
        (other_clerk.pk, "not_in_scope", None)
    ]


def test_an_unknown_tag_becomes_a_surplus_line_the_log_points_at(active, clerk):
    code = tags.make_tag("YK", 2025, 99999)
    _sent, outcome = scan(active, clerk, code)
    surplus = active.lines.get(kind="surplus")
    assert (outcome.answer, outcome.line.pk, outcome.surplus_created) == (
        "unknown",
        surplus.pk,
        True,
    )
    assert (surplus.scanned_code, surplus.counted_by, surplus.department) == (
        code,
        clerk,
        clerk.department,
    )
    assert count_rows(active) == []
    assert [(row[8], row[9]) for row in scan_rows(active)] == [("unknown", surplus.pk)]


def test_past_the_surplus_allowance_nothing_is_recorded(active, clerk):
    code = tags.make_tag("YK", 2025, 99999)
    sent, outcome = scan(active, clerk, code, allow_new_surplus=False)
    assert (outcome.answer, outcome.client_key) == ("surplus_limit", str(sent["client_key"]))
    assert not active.lines.filter(kind="surplus").exists()
    assert scan_rows(active) == []
    # The phone sends it again later, with the same key: it is still free.
    _again, outcome = scan(active, clerk, code, client_key=sent["client_key"])
    assert outcome.answer == "unknown"


def test_an_old_label_counts_the_card_and_asks_for_a_new_one(
    plan, pc, clerk, admin_user, django_capture_on_commit_callbacks
):
    template = LabelTemplate.objects.get(code="a4-70x40")
    for _round in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            label_services.print_labels(actor=clerk, assets=[pc], template=template)
    old = Label.objects.filter(asset=pc).order_by("serial").first()
    campaign = campaigns.activate_campaign(campaign=plan(), actor=admin_user)
    code = f"{settings.SITE_URL}/a/{pc.tag}?l={old.serial}"
    _sent, outcome = scan(campaign, clerk, code)
    line = campaign.lines.get()
    assert outcome.answer == "superseded_label"
    assert line_row(line)[0] == "found"
    assert line_row(line)[6:] == (False, True)  # no readable active label; reprint requested
    assert scan_rows(campaign)[0][2:5] == (code, pc.tag, old.serial)


def test_a_host_counts_its_embedded_devices_in_the_same_transaction(plan, pc, clerk, admin_user):
    from assets.models import Category

    via_host = make_asset(
        owner=pc.owner_department, parent=pc, embedded=True, category_code="A02010200"
    )
    Category.objects.filter(code="A02010300").update(embedded_verify_policy="sn_match")
    by_serial = make_asset(
        owner=pc.owner_department, parent=pc, embedded=True, category_code="A02010300"
    )
    campaign = campaigns.activate_campaign(campaign=plan(), actor=admin_user)
    sent, outcome = scan(campaign, clerk, pc.tag)
    assert outcome.answer == "found"
    assert {c["tag"]: c["result"] for c in outcome.components} == {
        via_host.tag: "found",
        by_serial.tag: "awaiting",
    }
    at = sent["scanned_at"]
    counts = {row[1]: row[3:] for row in count_rows(campaign)}
    assert counts == {
        pc.pk: (clerk.pk, at, "typed_tag"),
        via_host.pk: (clerk.pk, at, "via_host"),
    }
    assert campaign.lines.get(asset=by_serial).result == "awaiting"
    assert [(row[8], row[9]) for row in scan_rows(campaign)] == [
        ("found", campaign.lines.get(asset=pc).pk)
    ]


def test_a_scan_that_counts_nothing_is_one_insert_into_the_log(active, pc, clerk):
    scan(active, clerk, pc.tag)
    with CaptureQueriesContext(connection) as queries:
        _sent, outcome = scan(active, clerk, pc.tag)
    assert outcome.answer == "duplicate"
    # The test's own transaction adds savepoints a phone's request does not have.
    writes = [
        q["sql"]
        for q in queries
        if not q["sql"].lstrip().startswith(("SELECT", "SAVEPOINT", "RELEASE SAVEPOINT"))
    ]
    assert len(writes) == 1 and writes[0].startswith('INSERT INTO "inventory_stocktakescan"'), (
        writes
    )
