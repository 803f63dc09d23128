"""Issue 15.14: two 500-entry scan batches held both web workers for 3-8 s and /healthz waited up
to 5 s. A batch is answered while the phone waits, so it is bounded
(YIKA_STOCKTAKE_SCAN_BATCH_MAX, default 100): a larger one is a clear 400 and records nothing;
up to the bound the answer keeps its shape (one entry per scan, by index)."""

import uuid
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory.models import StocktakeScan
from inventory.services import campaigns
from tests.factories import LocationFactory, make_asset

pytestmark = pytest.mark.django_db


@pytest.fixture
def active(admin_user, centre, clerk):
    room = LocationFactory(code="R101", name="101机房", department=centre)
    cards = [make_asset(owner=centre, actor=clerk, location=room) for _ in range(3)]
    campaign = campaigns.create_campaign(
        actor=admin_user, name="清查", year=2025, due_on=date(2026, 1, 31), departments=[centre]
    )
    campaign = campaigns.activate_campaign(campaign=campaign, actor=admin_user)
    campaign.cards = cards
    return campaign


def batch(campaign, size):
    return [
        {"code": campaign.cards[n % 3].tag, "client_key": str(uuid.uuid4())} for n in range(size)
    ]


def url(campaign):
    return f"/api/v1/stocktakes/{campaign.pk}/scans/"


def test_a_batch_over_the_synchronous_bound_is_a_400_and_records_nothing(api, clerk, active):
    response = api.as_user(clerk).post(url(active), batch(active, 101), format="json")
    assert response.status_code == 400
    assert "100" in response.json()["non_field_errors"][0]
    assert not StocktakeScan.objects.exists()


def test_the_500_entry_batch_of_the_finding_is_refused(api, clerk, active):
    response = api.as_user(clerk).post(url(active), batch(active, 500), format="json")
    assert response.status_code == 400 and not StocktakeScan.objects.exists()


def test_a_batch_at_the_bound_is_answered_entry_by_entry(api, clerk, active):
    api.as_user(clerk)
    response = api.post(url(active), batch(active, 100), format="json")
    assert response.status_code == 200
    answers = response.json()
    assert [a["index"] for a in answers] == list(range(100))
    assert [a["answer"] for a in answers[:3]] == ["found"] * 3
    assert {a["answer"] for a in answers[3:]} == {"duplicate"}
    assert StocktakeScan.objects.count() == 100


def test_the_bound_is_a_setting(api, clerk, active, settings):
    settings.YIKA_STOCKTAKE_SCAN_BATCH_MAX = 5
    api.as_user(clerk)
    assert api.post(url(active), batch(active, 6), format="json").status_code == 400
    assert api.post(url(active), batch(active, 5), format="json").status_code == 200


def test_the_bound_defaults_to_100():
    from django.conf import settings

    assert settings.YIKA_STOCKTAKE_SCAN_BATCH_MAX == 100


def test_a_batch_costs_no_more_statements_per_entry_than_single_scans(api, clerk, active):
    """The bound keeps the batch path as lean as the single scan (per entry, after the first)."""
    api.as_user(clerk)
    with CaptureQueriesContext(connection) as small:
        api.post(url(active), batch(active, 10), format="json")
    with CaptureQueriesContext(connection) as large:
        api.post(url(active), batch(active, 20), format="json")
    per_entry = (len(large) - len(small)) / 10
    assert per_entry <= 4, per_entry
