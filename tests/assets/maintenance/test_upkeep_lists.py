"""Walk 2 findings 9 and 25: the upkeep page lists the reported faults, the repairs under way
and the overdue check-outs and loans (the dashboard's counter lands on that section), each row
linking to its card and, for a clerk, to the page that settles it; a repair line shows the
date the card was sent for repair, not the report's."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from assets.custody import services as cs
from assets.maintenance import services as ms
from assets.models import CustodyRecord, RepairRecord
from assets.reports import dashboard
from tests.factories import make_asset

pytestmark = pytest.mark.django_db


@pytest.fixture
def work(centre, clerk, holder):
    reported = make_asset(owner=centre, name="机架式服务器")
    cs.checkout_asset(asset=reported, actor=clerk, holder=holder)
    ms.report_fault(asset=reported, actor=holder, fault="风扇异响，告警灯亮")
    sent = make_asset(owner=centre, name="核心交换机")
    ms.record_repair(
        asset=sent,
        actor=clerk,
        fields={"fault": "端口故障", "vendor": "华为服务", "started_on": date(2026, 1, 5)},
    )
    late = make_asset(owner=centre, name="笔记本电脑")
    record = cs.checkout_asset(asset=late, actor=clerk, holder=holder)
    CustodyRecord.objects.filter(pk=record.pk).update(
        due_on=timezone.localdate() - timedelta(days=3)
    )
    return reported, sent, late


def test_the_upkeep_page_lists_faults_repairs_and_overdue_loans_with_their_actions(
    client, clerk, work
):
    reported, sent, late = work
    client.force_login(clerk)
    page = client.get(reverse("assets:upkeep-lists"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = page.content.decode()
    assert 'id="faults"' in html and 'id="overdue"' in html
    assert f'data-repair-row="{reported.tag}"' in html and "风扇异响，告警灯亮" in html
    assert f'data-repair-row="{sent.tag}"' in html and "送修 2026-01-05" in html
    assert f'data-overdue-row="{late.tag}"' in html and "张三" in html
    assert reverse("assets:asset-repairs", args=[reported.tag]) in html
    assert reverse("assets:asset-custody", args=[late.tag]) in html
    assert reverse("assets:asset-detail", args=[late.tag]) in html
    with override("en"):
        english = client.get(reverse("assets:upkeep-lists"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Reported faults and repairs under way" in english.content.decode()


def test_a_holder_sees_the_rows_of_cards_they_read_without_the_clerks_actions(client, holder, work):
    reported, _, late = work
    client.force_login(holder)
    html = client.get(reverse("assets:upkeep-lists")).content.decode()
    assert f'data-overdue-row="{late.tag}"' in html
    assert f'data-repair-row="{reported.tag}"' in html
    assert reverse("assets:asset-custody", args=[late.tag]) not in html
    assert reverse("assets:asset-repairs", args=[reported.tag]) not in html


def test_another_units_reader_sees_none_of_them(client, outsider, work):
    client.force_login(outsider)
    html = client.get(reverse("assets:upkeep-lists")).content.decode()
    assert "data-repair-row" not in html and "data-overdue-row" not in html


def test_the_dashboard_counter_lands_on_the_overdue_section(clerk, work):
    tile = next(c for c in dashboard.open_work(clerk) if c["key"] == "custody_overdue")
    assert tile["count"] == 1
    assert tile["url"] == reverse("assets:upkeep-lists") + "#overdue"


def test_the_card_shows_the_date_sent_for_repair_not_the_report_date(client, centre, clerk):
    asset = make_asset(owner=centre)
    ms.report_fault(asset=asset, actor=clerk, fault="风扇异响")
    report = RepairRecord.objects.get()
    RepairRecord.objects.filter(pk=report.pk).update(reported_on=date(2026, 11, 20))
    client.force_login(clerk)
    client.post(
        reverse("assets:asset-repairs", args=[asset.tag]),
        {"fault": "风扇异响", "vendor": "华为服务", "started_on": "2026-12-01"},
    )
    client.post(
        reverse("assets:asset-repairs", args=[asset.tag]),
        {"finish-finished_on": "2026-12-03"},
    )
    card = client.get(
        reverse("assets:asset-detail", args=[asset.tag]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "送修 2026-12-01 · 风扇异响 · 华为服务 · 返回 2026-12-03" in card
    assert "2026-11-20" not in card
    with override("en"):
        english = client.get(
            reverse("assets:asset-detail", args=[asset.tag]), HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()
    assert "sent 2026-12-01" in english
