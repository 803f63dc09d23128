"""Custody and upkeep pages: my assets, confirm receipt and confirm-all, the clerk's custody and
repairs pages, the fault report and the card page's block."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assets.custody import services as cs
from assets.maintenance import services as ms
from assets.models import Asset, AssetEvent, CustodyRecord, HoldingConfirmation, RepairRecord
from tests.factories import make_asset

pytestmark = pytest.mark.django_db


def test_my_assets_lists_what_the_user_holds_and_confirms_receipt(client, centre, clerk, holder):
    held = make_asset(owner=centre, name="笔记本电脑")
    make_asset(owner=centre, name="打印机")
    cs.checkout_asset(asset=held, actor=clerk, holder=holder)
    client.force_login(holder)
    page = client.get(reverse("assets:my-assets"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "笔记本电脑" in text and "打印机" not in text
    assert "确认签收</button>" in text
    response = client.post(reverse("assets:my-assets-confirm-receipt", args=[held.tag]))
    assert response.status_code == 302
    assert CustodyRecord.objects.get().confirmed_at is not None
    assert "确认签收</button>" not in client.get(reverse("assets:my-assets")).content.decode()


def test_confirm_all_records_this_years_count(client, centre, clerk, holder):
    for _ in range(2):
        cs.checkout_asset(asset=make_asset(owner=centre), actor=clerk, holder=holder)
    client.force_login(holder)
    page = client.get(reverse("assets:my-assets")).content.decode()
    # The button sits above the cards it confirms (walk 5.6: it said 以上).
    assert "全部确认：下列资产仍在我处" in page and "确认下列 2 项资产仍在您处？" in page
    response = client.post(reverse("assets:my-assets-confirm-all"), follow=True)
    assert response.status_code == 200
    year = timezone.localdate().year
    assert HoldingConfirmation.objects.filter(holder=holder, year=year).count() == 2
    assert "全部确认" not in response.content.decode()


def test_a_clerk_checks_out_and_in_on_the_custody_page(client, centre, clerk, holder):
    asset = make_asset(owner=centre)
    client.force_login(clerk)
    url = reverse("assets:asset-custody", args=[asset.tag])
    page = client.get(url)
    assert "张三" in page.content.decode() and "zhangsan" not in page.content.decode()
    due = (timezone.localdate() + timedelta(days=5)).isoformat()
    response = client.post(
        url, {"action": "checkout", "checkout-user": holder.pk, "checkout-due_on": due}
    )
    assert response.status_code == 302, response.content.decode()
    asset.refresh_from_db()
    assert asset.custodian_user == holder
    card = client.get(reverse("assets:asset-detail", args=[asset.tag])).content.decode()
    assert "张三" in card and "data-card-upkeep" in card
    assert client.post(url, {"action": "checkin"}).status_code == 302
    asset.refresh_from_db()
    assert asset.custodian_user is None


def test_the_check_in_page_names_the_holder_without_their_sign_in_name(
    client, centre, clerk, holder
):
    """Walk 2 finding 18: "张三", not "张三 (zhangsan)"."""
    asset = make_asset(owner=centre)
    cs.checkout_asset(asset=asset, actor=clerk, holder=holder)
    client.force_login(clerk)
    url = reverse("assets:asset-custody", args=[asset.tag])
    for language in ("zh-hans", "en"):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert "张三" in page and "zhangsan" not in page


def test_a_past_due_date_on_the_page_is_shown_at_the_field(client, centre, clerk, holder):
    asset = make_asset(owner=centre)
    client.force_login(clerk)
    past = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client.post(
        reverse("assets:asset-custody", args=[asset.tag]),
        {"action": "checkout", "checkout-user": holder.pk, "checkout-due_on": past},
    )
    assert response.status_code == 400
    assert "应还日期早于今天" in response.content.decode()
    assert not CustodyRecord.objects.exists()


def test_a_holder_reports_a_fault_on_the_page(client, centre, clerk, holder):
    asset = make_asset(owner=centre)
    cs.checkout_asset(asset=asset, actor=clerk, holder=holder)
    client.force_login(holder)
    card = client.get(reverse("assets:asset-detail", args=[asset.tag])).content.decode()
    assert reverse("assets:asset-report-fault", args=[asset.tag]) in card
    response = client.post(
        reverse("assets:asset-report-fault", args=[asset.tag]), {"fault": "风扇异响"}
    )
    assert response.status_code == 302
    assert RepairRecord.objects.get().fault == "风扇异响"
    assert asset.events.filter(kind=AssetEvent.Kind.FAULT_REPORTED).exists()


def test_the_repairs_page_sends_the_card_away_and_back(client, centre, clerk):
    asset = make_asset(owner=centre)
    client.force_login(clerk)
    url = reverse("assets:asset-repairs", args=[asset.tag])
    today = timezone.localdate().isoformat()
    assert client.post(url, {"fault": "主板故障", "started_on": today}).status_code == 302
    asset.refresh_from_db()
    assert asset.status == Asset.Status.UNDER_REPAIR
    back = client.post(url, {"finish-finished_on": today, "finish-cost": "900"})
    assert back.status_code == 302
    asset.refresh_from_db()
    assert asset.status == Asset.Status.IN_USE


def test_the_card_flags_repairs_beyond_its_net_value(client, centre, clerk):
    asset = make_asset(owner=centre, in_service_on=date(2015, 1, 1))
    today = timezone.localdate()
    ms.record_repair(
        asset=asset,
        actor=clerk,
        fields={"fault": "x", "cost": "500", "started_on": today, "finished_on": today},
    )
    client.force_login(clerk)
    card = client.get(reverse("assets:asset-detail", args=[asset.tag])).content.decode()
    assert 'data-flag="repairs-exceed-value"' in card
    lists = client.get(reverse("assets:upkeep-lists")).content.decode()
    assert asset.tag in lists
