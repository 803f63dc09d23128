import hashlib
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import override

from assets import services as asset_services
from assets.errors import TransitionNotAllowed
from assets.models import Asset, AssetEvent
from inventory import selectors
from inventory.models import (
    CounterAssignment,
    Difference,
    LineResult,
    StocktakeCampaign,
    StocktakeCount,
    StocktakeLine,
    StocktakeScan,
)
from inventory.services import campaigns, differences, scanning
from inventory.sql import DIGEST_FIELDS
from labels import qr
from tests.factories import make_asset

pytestmark = pytest.mark.django_db


def test_activation_freezes_one_line_per_in_scope_card(plan, pc, centre, other_bureau, admin_user):
    make_asset(owner=other_bureau, name="外单位电脑")
    campaign = campaigns.activate_campaign(campaign=plan(), actor=admin_user)
    line = campaign.lines.get()
    assert line.asset == pc
    assert (line.tag, line.department, line.location) == (pc.tag, centre, pc.location)
    assert line.original_value == Decimal("6000.00")
    assert line.result == LineResult.PENDING


def test_snapshot_net_value_matches_the_card(plan, centre, admin_user):
    asset = make_asset(
        owner=centre, original_value=Decimal("7200.00"), in_service_on=date(2024, 1, 15)
    )
    campaign = campaigns.activate_campaign(campaign=plan(), actor=admin_user)
    line = campaign.lines.get(asset=asset)
    expected = asset.accumulated_depreciation(date(2025, 12, 31))
    assert line.accumulated_depreciation == expected == Decimal("2400.00")
    assert line.net_value == asset.net_book_value(date(2025, 12, 31))


def test_card_changes_after_activation_leave_the_snapshot(active, pc, other_room, clerk):
    asset_services.move_asset(asset=pc, actor=clerk, location=other_room)
    assert active.lines.get().location.code == "R101"


def test_retired_and_draft_cards_are_not_on_the_books(plan, centre, admin_user):
    make_asset(owner=centre, status=Asset.Status.DRAFT)
    campaign = campaigns.activate_campaign(campaign=plan(), actor=admin_user)
    assert campaign.lines.count() == 0


def test_every_campaign_transition_pair_follows_the_mapping(plan, admin_user):
    states = list(StocktakeCampaign.State)
    for source in states:
        for target in states:
            campaign = StocktakeCampaign(state=source)
            allowed = target in campaigns.CAMPAIGN_TRANSITIONS[source]
            if allowed:
                campaigns._guard(campaign, target)
            else:
                with pytest.raises(TransitionNotAllowed):
                    campaigns._guard(campaign, target)


def test_activating_twice_is_refused(active, admin_user):
    with pytest.raises(TransitionNotAllowed):
        campaigns.activate_campaign(campaign=active, actor=admin_user)


def test_due_date_before_reference_date_is_a_field_error(plan):
    with pytest.raises(ValidationError) as error:
        plan(due_on=date(2025, 1, 1))
    assert "due_on" in error.value.message_dict


def test_clerk_cannot_plan_a_whole_register_campaign(plan, clerk):
    with pytest.raises(ValidationError) as error:
        plan(actor=clerk, departments=[])
    assert "departments" in error.value.message_dict


def test_scanning_the_qr_url_counts_the_card(active, pc, clerk):
    code = qr.encode(site_url=settings.SITE_URL, tag=pc.tag, label_serial=None)
    outcome = scanning.record_scan(campaign=active, actor=clerk, code=code)
    assert outcome.answer == "found"
    line = active.lines.get()
    assert (line.result, line.counted_quantity, line.counted_by) == ("found", 1, clerk)
    assert StocktakeScan.objects.filter(campaign=active).count() == 1


def test_second_scan_of_a_counted_card_is_a_duplicate(active, pc, clerk):
    scanning.record_scan(campaign=active, actor=clerk, code=pc.tag)
    outcome = scanning.record_scan(campaign=active, actor=clerk, code=pc.tag.lower())
    assert outcome.answer == "duplicate"
    assert active.lines.get().counted_quantity == 1


def test_same_client_key_twice_records_one_scan(active, pc, clerk):
    key = "5b0e4c1e-6f3e-4d8e-9a39-1b2f7b0f1c11"
    scanning.record_scan(campaign=active, actor=clerk, code=pc.tag, client_key=key)
    again = scanning.record_scan(campaign=active, actor=clerk, code=pc.tag, client_key=key)
    assert again.answer == "duplicate"
    assert StocktakeScan.objects.count() == 1


def test_a_resent_scan_stays_answered_even_once_its_card_became_countable(
    active, pc, clerk, other_clerk, centre
):
    """The first sending was refused (another counter's share); the resend, after the clerk was
    assigned the department, is the same scan: received already, nothing counted."""
    assignment = CounterAssignment.objects.create(
        campaign=active, counter=other_clerk, department=centre
    )
    key = "0f6c3b0e-2a51-4d3b-8d0e-6c1b9a7e2f44"
    first = scanning.record_scan(campaign=active, actor=clerk, code=pc.tag, client_key=key)
    assert first.answer == "not_in_scope"
    assignment.counter = clerk
    assignment.save()
    with override("en"):
        again = scanning.record_scan(campaign=active, actor=clerk, code=pc.tag, client_key=key)
        assert (again.answer, str(again.message)) == (
            "duplicate",
            "This scan was received already.",
        )
    assert active.lines.get().result == LineResult.PENDING
    assert StocktakeCount.objects.count() == 0
    assert StocktakeScan.objects.get().answer == "not_in_scope"


def test_scan_at_another_location_is_found_elsewhere(active, pc, clerk, other_room):
    outcome = scanning.record_scan(campaign=active, actor=clerk, code=pc.tag, location=other_room)
    assert outcome.answer == "found_elsewhere"
    assert active.lines.get().counted_location == other_room


def test_unknown_tag_becomes_a_surplus_line(active, clerk):
    from assets import tags

    bogus = tags.make_tag("YK", 2025, 99999) or tags.make_tag("YK", 2025, 99998)
    outcome = scanning.record_scan(campaign=active, actor=clerk, code=bogus)
    assert outcome.answer == "unknown"
    assert active.lines.get(kind="surplus").scanned_code == bogus


def test_card_outside_the_counter_scope_answers_only_not_in_scope(active, pc, other_clerk):
    outcome = scanning.record_scan(campaign=active, actor=other_clerk, code=pc.tag)
    assert outcome.answer == "not_in_scope"
    assert outcome.line is None
    assert active.lines.get().result == "pending"


def test_card_on_books_but_outside_campaign_is_not_in_scope(active, other_bureau, clerk):
    stranger = make_asset(owner=other_bureau)
    outcome = scanning.record_scan(campaign=active, actor=clerk, code=stranger.tag)
    assert outcome.answer == "not_in_scope"
    assert outcome.line is None


def test_malformed_code_is_a_field_error(active, clerk):
    with pytest.raises(ValidationError) as error:
        scanning.record_scan(campaign=active, actor=clerk, code="http://evil/../x")
    assert "code" in error.value.message_dict


def test_future_timestamp_is_refused(active, pc, clerk):
    with pytest.raises(ValidationError) as error:
        scanning.record_scan(
            campaign=active,
            actor=clerk,
            code=pc.tag,
            scanned_at=timezone.now() + timedelta(days=2),
        )
    assert "scanned_at" in error.value.message_dict
    assert active.lines.get().result == "pending"


def test_scan_to_a_draft_campaign_is_refused(plan, pc, clerk):
    with pytest.raises(TransitionNotAllowed):
        scanning.record_scan(campaign=plan(), actor=clerk, code=pc.tag)


def test_assigned_counter_counts_only_their_location(
    plan, pc, room, other_room, centre, clerk, admin_user
):
    other = make_asset(owner=centre, location=other_room)
    campaign = campaigns.activate_campaign(
        campaign=plan(assignments=[(clerk, None, room)]), actor=admin_user
    )
    assert scanning.record_scan(campaign=campaign, actor=clerk, code=pc.tag).answer == "found"
    assert (
        scanning.record_scan(campaign=campaign, actor=clerk, code=other.tag).answer
        == "not_in_scope"
    )


def test_embedded_via_host_components_are_counted_with_the_host(plan, pc, clerk, admin_user):
    module = make_asset(
        owner=pc.owner_department, parent=pc, embedded=True, category_code="A02010200"
    )
    campaign = campaigns.activate_campaign(campaign=plan(), actor=admin_user)
    outcome = scanning.record_scan(campaign=campaign, actor=clerk, code=pc.tag)
    assert [c["tag"] for c in outcome.components] == [module.tag]
    line = campaign.lines.get(asset=module)
    assert (line.result, line.verify_method) == ("found", "via_host")


def test_activation_flags_only_the_lines_that_host_embedded_devices(plan, pc, clerk, admin_user):
    make_asset(owner=pc.owner_department, parent=pc, embedded=True, category_code="A02010200")
    plain = make_asset(owner=pc.owner_department, name="打印机")
    campaign = campaigns.activate_campaign(campaign=plan(), actor=admin_user)
    hosts = set(campaign.lines.filter(hosts_embedded=True).values_list("asset_id", flat=True))
    assert hosts == {pc.pk}
    assert not campaign.lines.get(asset=plain).hosts_embedded


def _sn_policy(code="A02010300"):
    from assets.models import Category

    Category.objects.filter(code=code).update(embedded_verify_policy="sn_match")


def test_sn_policy_component_waits_for_a_matching_serial(plan, pc, clerk, admin_user):
    _sn_policy()
    module = make_asset(
        owner=pc.owner_department,
        parent=pc,
        embedded=True,
        category_code="A02010300",
        serial_number="FW-77",
    )
    campaign = campaigns.activate_campaign(campaign=plan(), actor=admin_user)
    scanning.record_scan(campaign=campaign, actor=clerk, code=pc.tag)
    assert campaign.lines.get(asset=module).result == "awaiting"
    with pytest.raises(ValidationError):
        scanning.confirm_component(
            campaign=campaign, actor=clerk, tag=module.tag, method="sn_match", serial_number="x"
        )
    scanning.confirm_component(
        campaign=campaign, actor=clerk, tag=module.tag, method="sn_match", serial_number="fw-77"
    )
    assert campaign.lines.get(asset=module).verify_method == "sn_match"


def test_manual_count_needs_a_reason_and_requests_a_reprint(active, pc, clerk):
    with pytest.raises(ValidationError):
        scanning.manual_count(campaign=active, actor=clerk, tag=pc.tag, reason=" ")
    line = scanning.manual_count(campaign=active, actor=clerk, tag=pc.tag, reason="标签磨损")
    assert (line.result, line.verify_method, line.reprint_requested) == ("found", "manual", True)
    assert line.label_ok is False


def test_offline_batch_replay_changes_nothing(plan, centre, room, clerk, admin_user):
    assets = [make_asset(owner=centre, location=room) for _ in range(3)]
    campaign = campaigns.activate_campaign(campaign=plan(), actor=admin_user)
    batch = [
        {"code": a.tag, "client_key": f"00000000-0000-4000-8000-00000000000{i}"}
        for i, a in enumerate(assets)
    ]
    first = scanning.record_scan_batch(campaign=campaign, actor=clerk, entries=batch)
    assert {e.outcome.answer for e in first} == {"found"}
    replay = scanning.record_scan_batch(campaign=campaign, actor=clerk, entries=batch[::-1])
    assert {e.outcome.answer for e in replay} == {"duplicate"}
    assert StocktakeScan.objects.count() == 3


def test_batch_reports_bad_entries_and_applies_the_rest(active, pc, clerk):
    results = scanning.record_scan_batch(
        campaign=active, actor=clerk, entries=[{"code": "???"}, {"code": pc.tag}]
    )
    assert results[0].errors and "code" in results[0].errors
    assert results[1].outcome.answer == "found"


def test_close_turns_pending_into_shortage_and_flags_the_card(
    plan, pc, centre, room, clerk, admin_user
):
    missing = make_asset(owner=centre, location=room)
    campaign = campaigns.activate_campaign(campaign=plan(), actor=admin_user)
    scanning.record_scan(campaign=campaign, actor=clerk, code=pc.tag)
    campaigns.close_campaign(campaign=campaign, actor=admin_user)
    missing.refresh_from_db()
    assert missing.suspected_shortage is True
    event = missing.events.get(kind=AssetEvent.Kind.SHORTAGE_FLAGGED)
    assert event.campaign_id == campaign.pk
    assert event.changes == {"suspected_shortage": [False, True]}
    assert Difference.objects.get(campaign=campaign).kind == "shortage"


def test_missing_host_makes_its_components_shortages(plan, pc, clerk, admin_user):
    module = make_asset(
        owner=pc.owner_department, parent=pc, embedded=True, category_code="A02010200"
    )
    campaign = campaigns.activate_campaign(campaign=plan(), actor=admin_user)
    campaigns.close_campaign(campaign=campaign, actor=admin_user)
    module.refresh_from_db()
    assert campaign.lines.get(asset=module).result == "missing"
    assert module.suspected_shortage is True


def test_close_freezes_the_result_with_rates(plan, pc, centre, room, clerk, admin_user):
    make_asset(owner=centre, location=room, original_value=Decimal("2000.00"))
    campaign = campaigns.activate_campaign(campaign=plan(), actor=admin_user)
    scanning.record_scan(campaign=campaign, actor=clerk, code=pc.tag)
    campaign = campaigns.close_campaign(campaign=campaign, actor=admin_user)
    totals = campaign.result["totals"]
    assert (totals["book_count"], totals["counted_count"], totals["shortage_count"]) == (2, 1, 1)
    assert totals["match_rate_count"] == 50.0
    assert totals["match_rate_value"] == 75.0
    assert len(campaign.result_sha256) == 64
    assert selectors.result_is_intact(campaign=campaign)


def test_a_later_change_to_a_line_breaks_the_result_digest(active, pc, admin_user):
    campaign = campaigns.close_campaign(campaign=active, actor=admin_user)
    StocktakeLine.objects.filter(campaign=campaign).update(result="found")
    assert not selectors.result_is_intact(campaign=campaign)


def test_found_card_clears_an_old_suspected_shortage(plan, pc, clerk, admin_user):
    Asset.objects.filter(pk=pc.pk).update(suspected_shortage=True)
    campaign = campaigns.activate_campaign(campaign=plan(), actor=admin_user)
    scanning.record_scan(campaign=campaign, actor=clerk, code=pc.tag)
    campaigns.close_campaign(campaign=campaign, actor=admin_user)
    pc.refresh_from_db()
    assert pc.suspected_shortage is False


def test_found_card_clearing_its_flag_gets_a_counted_event(plan, pc, clerk, admin_user):
    Asset.objects.filter(pk=pc.pk).update(suspected_shortage=True)
    campaign = campaigns.activate_campaign(campaign=plan(), actor=admin_user)
    scanning.record_scan(campaign=campaign, actor=clerk, code=pc.tag)
    campaigns.close_campaign(campaign=campaign, actor=admin_user)
    event = pc.events.get(kind=AssetEvent.Kind.COUNTED)
    # The count's event says who counted the card (issue 16), not who closed the campaign.
    assert (event.campaign_id, event.actor_id) == (campaign.pk, clerk.pk)
    assert event.changes == {"suspected_shortage": [True, False]}


def test_close_writes_no_event_for_a_card_whose_flag_stays(plan, pc, centre, room, admin_user):
    still_missing = make_asset(owner=centre, location=room)
    Asset.objects.filter(pk=still_missing.pk).update(suspected_shortage=True)
    campaign = campaigns.activate_campaign(campaign=plan(), actor=admin_user)
    campaigns.close_campaign(campaign=campaign, actor=admin_user)
    assert not still_missing.events.filter(campaign_id=campaign.pk).exists()
    assert pc.events.filter(campaign_id=campaign.pk).count() == 1


def test_a_count_taken_between_lookup_and_insert_answers_duplicate(active, pc, clerk, admin_user):
    line = active.lines.get()
    # Another counter's count committed after this scan read the line as pending.
    StocktakeCount.objects.create(
        campaign=active,
        asset=pc,
        line=line,
        counted_by=admin_user,
        counted_at=timezone.now(),
        verify_method="scan_own_label",
    )
    outcome = scanning.record_scan(campaign=active, actor=clerk, code=pc.tag)
    assert outcome.answer == "duplicate"
    line.refresh_from_db()
    assert line.result == "pending"
    assert StocktakeScan.objects.get().answer == "duplicate"


def test_approved_mismatch_writes_the_location_back_with_the_campaign(
    active, pc, clerk, other_room, admin_user
):
    scanning.record_scan(campaign=active, actor=clerk, code=pc.tag, location=other_room)
    campaigns.close_campaign(campaign=active, actor=admin_user)
    difference = Difference.objects.get(campaign=active)
    differences.explain_difference(
        difference=difference, actor=clerk, reason="搬迁未登记", write_back=True
    )
    differences.approve_difference(difference=difference, actor=admin_user)
    pc.refresh_from_db()
    assert pc.location == other_room
    assert pc.events.filter(kind=AssetEvent.Kind.MOVED, campaign_id=active.pk).exists()


def test_posted_shortage_opens_disposal_and_keeps_the_card(active, pc, admin_user, clerk):
    campaigns.close_campaign(campaign=active, actor=admin_user)
    difference = Difference.objects.get(campaign=active)
    with pytest.raises(TransitionNotAllowed):
        differences.post_difference(difference=difference, actor=admin_user)
    differences.explain_difference(difference=difference, actor=clerk, reason="遗失")
    differences.approve_difference(difference=difference, actor=admin_user)
    differences.post_difference(difference=difference, actor=admin_user)
    difference.refresh_from_db()
    # The card is kept, in a draft write-off case (it becomes pending disposal on submission).
    assert difference.disposal.method == "write_off"
    assert list(difference.disposal.items.values_list("asset", flat=True)) == [pc.pk]
    assert Asset.objects.filter(pk=pc.pk).exists()


def test_posted_surplus_creates_a_draft_card(active, clerk, admin_user, centre):
    from tests.factories import leaf_category

    line = scanning.record_surplus(campaign=active, actor=clerk, note="无标签的显示器")
    campaigns.close_campaign(campaign=active, actor=admin_user)
    difference = Difference.objects.get(line=line)
    differences.explain_difference(difference=difference, actor=clerk, reason="历年漏登")
    differences.approve_difference(difference=difference, actor=admin_user)
    differences.post_difference(
        difference=difference,
        actor=admin_user,
        card_fields={"category": leaf_category(), "owner_department": centre},
    )
    difference.refresh_from_db()
    card = difference.draft_asset
    assert (card.status, card.acquisition_method) == ("draft", "surplus")


def test_progress_groups_by_department(active, pc, clerk, centre):
    scanning.record_scan(campaign=active, actor=clerk, code=pc.tag)
    rows = selectors.progress(campaign=active, user=clerk)
    assert rows == [
        {
            "code": centre.code,
            "name": centre.name,
            "total": 1,
            "counted": 1,
            "shortage": 0,
            "pending": 0,
            "done": 1,
            "percent": 100.0,
            "counted_percent": 100.0,
            "by_holder": 0,
            "handed_over": 0,
        }
    ]


def streamed_digest(campaign) -> str:
    """The digest's definition (`selectors.lines_digest`), row by row in Python: the oracle."""
    sha = hashlib.sha256()
    rows = (
        StocktakeLine.objects.filter(campaign=campaign).order_by("id").values_list(*DIGEST_FIELDS)
    )
    for row in rows.iterator(chunk_size=5000):
        sha.update(
            "|".join(
                "" if v is None else (f"{v:.2f}" if isinstance(v, Decimal) else str(v)) for v in row
            ).encode()
        )
        sha.update(b"\n")
    return sha.hexdigest()


def test_the_database_digest_of_the_lines_equals_the_streamed_one(
    plan, pc, centre, room, other_room, clerk, admin_user
):
    printer = make_asset(owner=centre, location=room, original_value=Decimal("1234.50"))
    make_asset(owner=centre, location=room, name="显示器|二号")
    campaign = campaigns.activate_campaign(campaign=plan(), actor=admin_user)
    scanning.record_scan(campaign=campaign, actor=clerk, code=pc.tag, location=other_room)
    scanning.manual_count(campaign=campaign, actor=clerk, tag=printer.tag, reason="标签磨损")
    scanning.record_surplus(campaign=campaign, actor=clerk, note="无标签的显示器")
    campaign = campaigns.close_campaign(campaign=campaign, actor=admin_user)
    assert selectors.lines_digest(campaign=campaign) == streamed_digest(campaign)
    assert selectors.result_is_intact(campaign=campaign)


def test_clerk_not_among_the_assigned_counters_counts_nothing(plan, pc, room, centre, admin_user):
    from tests.factories import UserFactory

    colleague = UserFactory(username="colleague", department=centre, roles=["clerk"])
    campaign = campaigns.activate_campaign(
        campaign=plan(assignments=[(colleague, None, room)]), actor=admin_user
    )
    clerk = UserFactory(username="unassigned", department=centre, roles=["clerk"])
    assert scanning.record_scan(campaign=campaign, actor=clerk, code=pc.tag).answer == (
        "not_in_scope"
    )
    assert campaign.lines.get(asset=pc).result == "pending"


def test_a_plain_scan_counts_and_logs_in_one_statement_on_postgresql(active, pc, clerk, room):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        outcome = scanning.record_scan(campaign=active, actor=clerk, code=pc.tag, location=room)
    writes = [q["sql"] for q in queries.captured_queries if "INSERT" in q["sql"].upper()]
    assert len(writes) == 1 and writes[0].lstrip().startswith("WITH counted AS")
    line = active.lines.get()
    assert (outcome.answer, line.result, line.counted_by, line.counted_location) == (
        "found",
        "found",
        clerk,
        room,
    )
    scan = StocktakeScan.objects.get()
    assert (scan.answer, scan.line, scan.scanned_by) == ("found", line, clerk)
    assert StocktakeCount.objects.get().line == line
