"""Issue 15.14: a scan batch is answered while the phone waits, so the server bounds it
(YIKA_STOCKTAKE_SCAN_BATCH_MAX, default 100). A phone that was offline for a long time sends its
queue in parts: 130 queued scans arrive as 100 + 30, all received, none dropped (the old page sent
the whole queue at once and, on the refusal, emptied it)."""

import uuid
from datetime import date

import pytest
from django.utils import timezone

from inventory.models import StocktakeScan
from inventory.services import campaigns
from tests.browser.support import DESK, PHONE, Visit, sign_in
from tests.factories import LocationFactory, make_asset

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

QUEUED = 130


@pytest.fixture
def counting(centre, clerk, admin_user):
    room = LocationFactory(code="R101", name="101机房", department=centre)
    pc = make_asset(owner=centre, actor=clerk, location=room, name="台式计算机")
    campaign = campaigns.create_campaign(
        actor=admin_user,
        name="2025年度资产清查",
        year=2025,
        due_on=date(2099, 1, 31),
        departments=[centre],
    )
    campaign = campaigns.activate_campaign(campaign=campaign, actor=admin_user)
    campaign.pc = pc
    return campaign


@pytest.mark.parametrize("device", ["phone", "desk"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_long_offline_queue_is_sent_in_parts_and_nothing_is_dropped(
    language, device, base_url, new_context, counting
):
    visit = Visit(
        new_context(language, **(PHONE if device == "phone" else DESK)), language=language
    )
    page = visit.page
    sign_in(visit, base_url, "clerk")
    visit.goto(f"{base_url}/stocktakes/{counting.pk}/scan")
    # The phone was offline: the same card scanned 130 times waits in its queue (each with its own
    # client key, as the page makes them), then the network comes back.
    at = timezone.now().isoformat()
    entries = [
        {"code": counting.pc.tag, "client_key": str(uuid.uuid4()), "scanned_at": at}
        for _ in range(QUEUED)
    ]
    key = f"yika-scan-queue-{counting.pk}"
    page.evaluate(
        "([key, entries]) => { localStorage.setItem(key, JSON.stringify(entries));"
        " window.dispatchEvent(new Event('online')); }",
        [key, entries],
    )
    page.wait_for_function(
        "(key) => JSON.parse(localStorage.getItem(key) || '[]').length === 0", arg=key
    )
    page.wait_for_selector("#scan-result:not([hidden])")
    # Every scan was received once: one count, the other 129 answered "already counted".
    assert StocktakeScan.objects.filter(campaign=counting).count() == QUEUED
    assert StocktakeScan.objects.filter(campaign=counting, answer="found").count() == 1
    assert page.inner_text("#scan-answer") == visit.t("Already counted")
    suffix = "" if device == "desk" else "-phone"
    visit.check(f"clerk-scan-offline-sent{suffix}")
