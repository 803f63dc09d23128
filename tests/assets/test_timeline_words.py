"""Issue 14 walk residual 2: the card's timeline names a stocktake by its name (not "#1"), with
one query for all of a page's campaigns, and says notes written by code in the reader's
language, whoever wrote them."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from assets.handovers import services as handover_services
from inventory.services import campaigns, scanning
from tests.factories import make_asset, retire_directly

pytestmark = pytest.mark.django_db


def _closed(admin_user, clerk, department, card, name):
    campaign = campaigns.create_campaign(
        actor=admin_user,
        name=name,
        year=2025,
        reference_date=date(2025, 12, 31),
        due_on=date(2026, 1, 31),
        departments=[department],
    )
    campaign = campaigns.activate_campaign(campaign=campaign, actor=admin_user)
    scanning.record_scan(campaign=campaign, actor=clerk, code=card.tag)
    return campaigns.close_campaign(campaign=campaign, actor=admin_user)


def _card_page(client, user, card, language):
    client.force_login(user)
    return client.get(f"/assets/{card.tag}/", HTTP_ACCEPT_LANGUAGE=language)


def test_a_counted_event_names_its_campaign(client, admin_user, clerk, centre):
    card = make_asset(owner=centre, name="台式计算机")
    first = _closed(admin_user, clerk, centre, card, "2025年度资产清查（中心）")
    page = _card_page(client, clerk, card, "zh-hans").content.decode()
    assert "2025年度资产清查（中心）" in page
    assert f"#{first.pk}" not in page
    # The close's note only named the campaign again: the timeline says it once.
    assert page.count("2025年度资产清查（中心）") == 1


def test_campaign_names_cost_one_query_whatever_the_number_of_campaigns(
    client, admin_user, clerk, centre
):
    card = make_asset(owner=centre, name="台式计算机")
    _closed(admin_user, clerk, centre, card, "第一次清查")
    client.force_login(clerk)
    with CaptureQueriesContext(connection) as one:
        client.get(f"/assets/{card.tag}/")
    _closed(admin_user, clerk, centre, card, "第二次清查")
    _closed(admin_user, clerk, centre, card, "第三次清查")
    with CaptureQueriesContext(connection) as three:
        page = client.get(f"/assets/{card.tag}/").content.decode()
    assert {"第一次清查", "第二次清查", "第三次清查"} <= {
        name for name in ("第一次清查", "第二次清查", "第三次清查") if name in page
    }
    named = [q for q in three if "inventory_stocktakecampaign" in q["sql"]]
    assert len(three) == len(one)
    assert named


def test_a_generated_note_is_said_in_the_readers_language(client, clerk, receiver, project, centre):
    card = make_asset(owner=centre, name="政务云主机", project=project)
    with translation.override("zh-hans"):
        handover = handover_services.create_handover(actor=clerk, project=project, assets=[card])
        handover_services.submit_handover(handover=handover, actor=clerk)
    english = _card_page(client, clerk, card, "en").content.decode()
    assert "for acceptance" in english
    assert "已提交" not in english
    chinese = _card_page(client, clerk, card, "zh-hans").content.decode()
    assert "已提交" in chinese


def test_a_component_detached_from_a_retired_host_reads_in_the_readers_language(
    client, clerk, admin_user, centre
):
    host = make_asset(owner=centre, name="旧服务器")
    part = make_asset(owner=centre, name="内存条", parent=host, embedded=True)
    with translation.override("zh-hans"):
        retire_directly(asset=host, actor=admin_user, reason="报废", components="detach")
    english = _card_page(client, clerk, part, "en").content.decode()
    assert f"Detached because its host {host.tag} was retired." in english
    chinese = _card_page(client, clerk, part, "zh-hans").content.decode()
    assert "Detached because" not in chinese


def test_the_events_api_says_a_generated_note_in_the_readers_language(api, clerk, project, centre):
    card = make_asset(owner=centre, name="政务云主机", project=project)
    with translation.override("zh-hans"):
        handover = handover_services.create_handover(actor=clerk, project=project, assets=[card])
        handover_services.submit_handover(handover=handover, actor=clerk)
    api.as_user(clerk)
    events = api.get(f"/api/v1/assets/{card.tag}/events/", HTTP_ACCEPT_LANGUAGE="en").json()
    notes = [event["note"] for event in events["results"] if event["kind"] == "handover_submitted"]
    assert notes and "for acceptance" in notes[0]
