"""Walk findings 8 and 42: the card page offers the return from repair, a clerk's repair is
recorded on the holder's fault report (one line), and the repair form says every error at once."""

import pytest
from django.urls import reverse
from django.utils import timezone

from assets.custody import services as cs
from assets.maintenance import services as ms
from assets.models import Asset, AssetEvent, RepairRecord
from tests.factories import make_asset

pytestmark = pytest.mark.django_db


def test_a_card_under_repair_offers_repair_finished_which_brings_it_back(client, centre, clerk):
    asset = make_asset(owner=centre, name="机架式服务器")
    today = timezone.localdate()
    ms.record_repair(asset=asset, actor=clerk, fields={"fault": "开机无显示", "started_on": today})
    client.force_login(clerk)
    card = client.get(reverse("assets:asset-detail", args=[asset.tag])).content.decode()
    repairs_url = reverse("assets:asset-repairs", args=[asset.tag])
    assert f'href="{repairs_url}" data-repair-action>维修完成' in card
    page = client.get(repairs_url).content.decode()
    assert "登记维修返回" in page
    back = client.post(repairs_url, {"finish-finished_on": today.isoformat()})
    assert back.status_code == 302
    asset.refresh_from_db()
    assert asset.status == Asset.Status.IN_USE
    card = client.get(reverse("assets:asset-detail", args=[asset.tag])).content.decode()
    assert "维修完成" not in card and "登记维修" in card


def test_the_repair_is_recorded_on_the_holders_fault_report(client, centre, clerk, holder):
    asset = make_asset(owner=centre)
    cs.checkout_asset(asset=asset, actor=clerk, holder=holder)
    report = ms.report_fault(asset=asset, actor=holder, fault="开机无显示，风扇异响")
    client.force_login(clerk)
    url = reverse("assets:asset-repairs", args=[asset.tag])
    page = client.get(url).content.decode()
    assert "data-fault-report" in page and "开机无显示，风扇异响" in page
    today = timezone.localdate().isoformat()
    response = client.post(
        url, {"fault": "开机无显示，风扇异响", "vendor": "浪潮售后", "started_on": today}
    )
    assert response.status_code == 302
    repair = RepairRecord.objects.get()
    assert repair.pk == report.pk and repair.reported_by == holder
    assert repair.vendor == "浪潮售后" and repair.under_way
    asset.refresh_from_db()
    assert asset.status == Asset.Status.UNDER_REPAIR
    assert asset.events.filter(kind=AssetEvent.Kind.REPAIR_STARTED).exists()


def test_the_repair_form_says_the_cost_and_the_dates_at_once(client, centre, clerk):
    asset = make_asset(owner=centre)
    client.force_login(clerk)
    today = timezone.localdate()
    response = client.post(
        reverse("assets:asset-repairs", args=[asset.tag]),
        {
            "fault": "主板故障",
            "cost": "-50",
            "started_on": today.isoformat(),
            "finished_on": (today - timezone.timedelta(days=3)).isoformat(),
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "cost" in errors and "finished_on" in errors
    assert not RepairRecord.objects.exists()
