"""Issue 15.6: clerks could write into another department's stocktake. A surplus report or a
scan of an unknown well-formed tag with another department's place created a surplus line booked
to that department; reporting the same code again overwrote that department's note, photo and
place; a 500-entry batch of unknown tags created 500 surplus lines. Pass: surplus finds are bound to
the counter's share, another department's line is never changed by an outsider, and a batch
creates at most YIKA_STOCKTAKE_SURPLUS_PER_BATCH surplus lines (the rest answer surplus_limit)."""

import uuid
from datetime import date

import pytest

from assets import tags
from inventory.models import StocktakeLine, StocktakeScan
from inventory.services import campaigns
from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db


def unknown_tag(n: int) -> str:
    return tags.make_tag("YK", 2025, 90000 + n)


@pytest.fixture
def campaign(admin_user, centre, other_bureau, clerk, other_clerk):
    """A whole-register campaign, counting: both bureaus' clerks count in it."""
    LocationFactory(code="BDC-101", name="101机房", department=centre)
    LocationFactory(code="HEALTH-201", name="201机房", department=other_bureau)
    campaign = campaigns.create_campaign(
        actor=admin_user, name="全面清查", year=2025, due_on=date(2026, 1, 31)
    )
    return campaigns.activate_campaign(campaign=campaign, actor=admin_user)


def url(campaign, suffix):
    return f"/api/v1/stocktakes/{campaign.pk}/{suffix}"


def surplus_lines(campaign):
    return StocktakeLine.objects.filter(campaign=campaign, kind="surplus")


def test_surplus_report_at_another_departments_place_is_refused(api, clerk, campaign):
    response = api.as_user(clerk).post(
        url(campaign, "surplus/"), {"note": "无标签的显示器", "location": "HEALTH-201"}
    )
    assert response.status_code == 400 and "location" in response.json()
    assert not surplus_lines(campaign).exists()


def test_unknown_scan_at_another_departments_place_books_no_surplus_there(api, clerk, campaign):
    api.as_user(clerk)
    response = api.post(
        url(campaign, "scans/"), {"code": unknown_tag(1), "location": "HEALTH-201"}, format="json"
    )
    assert response.status_code == 400 and "location" in response.json()
    batch = api.post(
        url(campaign, "scans/"), [{"code": unknown_tag(2), "location": "HEALTH-201"}], format="json"
    ).json()
    assert "location" in batch[0]["errors"]
    assert not surplus_lines(campaign).exists()
    assert not StocktakeScan.objects.exists()


def test_surplus_at_own_place_or_without_one_is_booked_to_the_counters_department(
    api, clerk, campaign, centre
):
    api.as_user(clerk)
    response = api.post(url(campaign, "surplus/"), {"note": "机柜", "location": "BDC-101"})
    assert response.status_code == 201 and response.json()["department"] == centre.code
    scan = api.post(url(campaign, "scans/"), {"code": unknown_tag(3)}, format="json").json()
    assert scan["answer"] == "unknown"
    assert surplus_lines(campaign).get(scanned_code=unknown_tag(3)).department == centre


def test_reporting_another_departments_surplus_code_again_changes_nothing(
    api, clerk, other_clerk, campaign, other_bureau
):
    code = unknown_tag(4)
    api.as_user(other_clerk).post(
        url(campaign, "surplus/"), {"note": "卫健委登记", "code": code, "location": "HEALTH-201"}
    )
    line = surplus_lines(campaign).get(scanned_code=code)
    before = (line.note, line.counted_location_id, line.photo, line.department_id)
    api.as_user(clerk)
    response = api.post(url(campaign, "surplus/"), {"note": "篡改", "code": code})
    assert response.status_code == 400 and "code" in response.json()
    response = api.post(
        url(campaign, "surplus/"), {"note": "篡改", "code": code, "location": "BDC-101"}
    )
    assert response.status_code == 400
    scan = api.post(url(campaign, "scans/"), {"code": code}, format="json").json()
    assert scan["answer"] == "unknown" and scan["line"] is None
    line.refresh_from_db()
    assert (line.note, line.counted_location_id, line.photo, line.department_id) == before
    assert line.department == other_bureau
    assert not StocktakeScan.objects.filter(line=line).exists()


def test_a_batch_of_unknown_tags_creates_at_most_the_surplus_allowance(
    api, clerk, campaign, settings
):
    settings.YIKA_STOCKTAKE_SURPLUS_PER_BATCH = 3
    batch = [{"code": unknown_tag(10 + n), "client_key": str(uuid.uuid4())} for n in range(5)]
    answers = api.as_user(clerk).post(url(campaign, "scans/"), batch, format="json").json()
    assert [a["answer"] for a in answers] == ["unknown"] * 3 + ["surplus_limit"] * 2
    assert surplus_lines(campaign).count() == 3
    assert StocktakeScan.objects.count() == 3
    # The refused entries were not received: sent again, they are recorded.
    again = api.post(url(campaign, "scans/"), batch[3:], format="json").json()
    assert [a["answer"] for a in again] == ["unknown", "unknown"]
    assert surplus_lines(campaign).count() == 5


def test_surplus_allowance_is_a_setting_with_a_default():
    from django.conf import settings

    assert settings.YIKA_STOCKTAKE_SURPLUS_PER_BATCH == 50
