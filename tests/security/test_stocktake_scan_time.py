"""Issue 15.7: a `scanned_at` in 1900 (or before the campaign's activation) was accepted and the
line counted as of 1900. Pass: the time is bound to the campaign's counting period, give or take a
few minutes of clock skew: a 400 naming `scanned_at` for a single scan, a per-entry refusal in a
batch, and nothing counted."""

from datetime import UTC, date, datetime, timedelta

import pytest

from inventory.models import StocktakeCount, StocktakeScan
from inventory.services import campaigns, scanning
from tests.factories import LocationFactory, make_asset

pytestmark = pytest.mark.django_db


@pytest.fixture
def pc(centre, clerk):
    room = LocationFactory(code="R101", name="101机房", department=centre)
    return make_asset(owner=centre, actor=clerk, location=room, name="台式计算机")


@pytest.fixture
def active(pc, admin_user, centre):
    """A campaign over the centre, counting since its activation a moment ago."""
    campaign = campaigns.create_campaign(
        actor=admin_user,
        name="2025年度资产清查",
        year=2025,
        due_on=date(2026, 1, 31),
        departments=[centre],
    )
    return campaigns.activate_campaign(campaign=campaign, actor=admin_user)


def url(campaign):
    return f"/api/v1/stocktakes/{campaign.pk}/scans/"


def test_scan_dated_1900_is_a_400_naming_scanned_at(api, clerk, active, pc):
    response = api.as_user(clerk).post(
        url(active), {"code": pc.tag, "scanned_at": "1900-01-01T08:00:00+08:00"}, format="json"
    )
    assert response.status_code == 400 and "scanned_at" in response.json()
    assert active.lines.get().result == "pending"
    assert not StocktakeScan.objects.exists() and not StocktakeCount.objects.exists()


def test_scan_dated_before_the_campaigns_activation_is_refused_per_entry_in_a_batch(
    api, clerk, active, pc
):
    before = active.activated_at - scanning.CLOCK_SKEW - timedelta(minutes=1)
    answers = (
        api.as_user(clerk)
        .post(url(active), [{"code": pc.tag, "scanned_at": before.isoformat()}], format="json")
        .json()
    )
    assert "scanned_at" in answers[0]["errors"]
    assert active.lines.get().result == "pending"


def test_scan_a_few_minutes_either_side_of_the_period_is_accepted(clerk, active, pc):
    skewed = active.activated_at - timedelta(minutes=3)
    outcome = scanning.record_scan(campaign=active, actor=clerk, code=pc.tag, scanned_at=skewed)
    assert outcome.answer == "found"
    assert active.lines.get().counted_at == skewed


def test_scan_far_in_the_future_is_still_refused(clerk, active, pc):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        scanning.record_scan(
            campaign=active, actor=clerk, code=pc.tag, scanned_at=datetime(2200, 1, 1, tzinfo=UTC)
        )
    assert "scanned_at" in error.value.message_dict
