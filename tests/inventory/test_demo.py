"""14.22: the demo has stocktakes and a handover, so every role sees a page with something on it."""

import io

import pytest
from django.core.management import call_command

from assets.models import Asset, Handover
from inventory import demo, selectors
from inventory.models import Difference, LineResult, StocktakeCampaign

pytestmark = pytest.mark.django_db


def _fingerprint() -> dict:
    return {
        "campaigns": sorted(StocktakeCampaign.objects.values_list("name", "state")),
        "lines": sorted(
            StocktakeCampaign.objects.filter(lines__isnull=False).values_list(
                "name", "lines__tag", "lines__result"
            )
        ),
        "differences": sorted(Difference.objects.values_list("line__tag", "kind", "state")),
        "handovers": sorted(Handover.objects.values_list("project__code", "state")),
        "assets": Asset.objects.count(),
    }


def test_seed_demo_loads_a_counting_and_a_closed_campaign_and_a_waiting_handover():
    call_command("seed_demo", stdout=io.StringIO())
    active = StocktakeCampaign.objects.get(name=demo.ACTIVE_NAME)
    assert active.state == StocktakeCampaign.State.ACTIVE
    results = set(active.lines.values_list("result", flat=True))
    assert {
        LineResult.PENDING,
        LineResult.FOUND,
        LineResult.FOUND_ELSEWHERE,
        LineResult.DAMAGED,
        LineResult.SURPLUS,
    } <= results
    counted = active.lines.exclude(result=LineResult.PENDING).count()
    assert 0 < counted < active.lines.count()

    closed = StocktakeCampaign.objects.get(name=demo.CLOSED_NAME)
    assert closed.state == StocktakeCampaign.State.CLOSED
    assert closed.result_sha256
    states = set(closed.differences.values_list("state", flat=True))
    assert states == set(Difference.State.values)
    kinds = set(closed.differences.values_list("kind", flat=True))
    assert kinds == set(Difference.Kind.values)

    # Issue 14 walk residual 1/2: clerks count, labels scanned apart from never-labelled cards.
    counters = set(
        closed.lines.exclude(counted_by=None).values_list("counted_by__username", flat=True)
    )
    assert counters == {"clerk_sjj"}
    for campaign in (closed, active):
        methods = set(campaign.lines.values_list("verify_method", flat=True))
        assert {"scan_own_label", "typed_tag"} <= methods
        rate = selectors.compute_result(campaign=campaign)["totals"]["label_missing_rate"]
        assert 0 < rate < 100

    handover = Handover.objects.get(project__code="DJ-2024-001")
    assert handover.state == Handover.State.SUBMITTED
    assert handover.to_department.code == "WJW"
    assert handover.items.count() > 0

    # Run again: --once does nothing, and the stocktake seed on its own adds nothing either.
    before = _fingerprint()
    call_command("seed_demo", "--once", stdout=io.StringIO())
    demo.seed()
    assert _fingerprint() == before


def test_the_receiver_and_the_auditor_find_them_on_their_pages(client):
    from assets.models import User

    call_command("seed_demo", stdout=io.StringIO())
    client.force_login(User.objects.get(username="auditor"))
    page = client.get("/stocktakes/").content.decode()
    assert demo.ACTIVE_NAME in page and demo.CLOSED_NAME in page
    closed = StocktakeCampaign.objects.get(name=demo.CLOSED_NAME)
    differences = client.get(f"/stocktakes/{closed.pk}/differences").content.decode()
    assert "处室调整办公室后未办理存放地点变更" in differences
    client.force_login(User.objects.get(username="receiver_wjw"))
    handover = Handover.objects.get(project__code="DJ-2024-001")
    assert handover.number in client.get("/handovers/").content.decode()


def test_demo_serial_numbers_are_latin_letters_and_digits_as_makers_print_them():
    """A new-user walk found serial numbers such as 华AC258B2D1B."""
    call_command("seed_demo", stdout=io.StringIO())
    serials = [s for s in Asset.objects.values_list("serial_number", flat=True) if s]
    assert len(serials) > 100
    assert all(s.isascii() and s.isalnum() for s in serials), [
        s for s in serials if not s.isascii()
    ][:5]
