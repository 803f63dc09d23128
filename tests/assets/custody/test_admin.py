"""Custody and upkeep in the Django admin: readable Chinese names, filters and search; history
read-only; the check-in action only for those who may change (issue 18)."""

from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from assets.custody import services as cs
from assets.maintenance import services as ms
from assets.models import CustodyRecord, MaintenanceContract, RepairRecord
from tests.factories import UserFactory, make_asset

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_admin(bureau):
    return UserFactory(username="demo-admin", department=bureau, roles=["admin"], is_staff=True)


@pytest.fixture
def staff_auditor(bureau):
    return UserFactory(username="audit-staff", department=bureau, roles=["auditor"], is_staff=True)


@pytest.fixture
def records(centre, clerk, holder, admin_user):
    lent = make_asset(owner=centre, name="投影仪")
    cs.lend_asset(
        asset=lent,
        actor=clerk,
        counterparty="市档案馆",
        due_on=timezone.localdate() + timedelta(days=7),
        approval_ref="批〔2025〕3号",
    )
    out = make_asset(owner=centre, name="笔记本电脑")
    cs.checkout_asset(asset=out, actor=clerk, holder=holder)
    cs.confirm_holdings(actor=holder)
    broken = make_asset(owner=centre, name="打印机")
    ms.record_repair(
        asset=broken,
        actor=clerk,
        fields={"fault": "卡纸", "vendor": "维修公司", "started_on": timezone.localdate()},
    )
    ms.save_contract(
        actor=admin_user,
        fields={
            "number": "WB-2025-01",
            "vendor": "维保公司",
            "department": centre,
            "starts_on": timezone.localdate(),
            "ends_on": timezone.localdate() + timedelta(days=365),
            "assets": [out],
        },
    )
    return {"lent": lent, "out": out, "broken": broken}


PAGES = {
    "assets_custodyrecord": "领用记录",
    "assets_holdingconfirmation": "持有确认",
    "assets_repairrecord": "维修记录",
    "assets_maintenancecontract": "维保合同",
}


@pytest.mark.parametrize("who", ["staff_admin", "staff_auditor"])
def test_the_pages_read_in_chinese_with_filters_and_search(client, request, records, who):
    client.force_login(request.getfixturevalue(who))
    index = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    for name, title in PAGES.items():
        assert reverse(f"admin:{name}_changelist") in index and title in index
        page = client.get(reverse(f"admin:{name}_changelist"), HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert page.status_code == 200, name
        text = page.content.decode()
        assert 'id="changelist-filter"' in text and 'id="searchbar"' in text, name
    found = client.get(
        reverse("admin:assets_custodyrecord_changelist"), {"q": "市档案馆"}
    ).content.decode()
    assert records["lent"].tag in found and records["out"].tag not in found
    under_way = client.get(
        reverse("admin:assets_repairrecord_changelist"), {"under_way": "yes"}
    ).content.decode()
    assert records["broken"].tag in under_way
    by_tag = client.get(
        reverse("admin:assets_maintenancecontract_changelist"), {"q": records["out"].tag}
    ).content.decode()
    assert "WB-2025-01" in by_tag


def test_history_is_not_editable(client, staff_admin, records):
    client.force_login(staff_admin)
    record = CustodyRecord.objects.get(asset=records["lent"])
    url = reverse("admin:assets_custodyrecord_change", args=[record.pk])
    assert client.get(url).status_code == 200
    client.post(url, {"counterparty": "别人", "approval_ref": "无"})
    record.refresh_from_db()
    assert record.counterparty == "市档案馆"
    repair = RepairRecord.objects.get(asset=records["broken"])
    client.post(reverse("admin:assets_repairrecord_change", args=[repair.pk]), {"cost": "9999"})
    repair.refresh_from_db()
    assert repair.cost == 0
    for name in PAGES:
        assert client.get(reverse(f"admin:{name}_add")).status_code == 403
    assert MaintenanceContract.objects.count() == 1


def test_the_check_in_action_goes_through_the_service(client, staff_admin, records):
    client.force_login(staff_admin)
    record = CustodyRecord.objects.get(asset=records["lent"])
    response = client.post(
        reverse("admin:assets_custodyrecord_changelist"),
        {"action": "check_in_selected", ACTION_CHECKBOX_NAME: [record.pk]},
    )
    assert response.status_code == 302
    record.refresh_from_db()
    records["lent"].refresh_from_db()
    assert record.state == "closed" and records["lent"].status == "in_use"


def test_a_reader_without_change_permission_sees_no_action_and_a_forged_one_is_403(
    client, staff_auditor, records
):
    client.force_login(staff_auditor)
    url = reverse("admin:assets_custodyrecord_changelist")
    assert 'name="action"' not in client.get(url).content.decode()
    record = CustodyRecord.objects.get(asset=records["lent"])
    response = client.post(url, {"action": "check_in_selected", ACTION_CHECKBOX_NAME: [record.pk]})
    assert response.status_code == 403
    record.refresh_from_db()
    assert record.state == "open"
