"""Upkeep API: repairs on a card, fault reports, contracts and their lists (DESIGN.md rows
`repairs`, `maintenance contracts`)."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assets.maintenance import services as ms
from assets.models import Asset, MaintenanceContract, RepairRecord
from tests.api_base import (
    AnonymousTests,
    APITestBase,
    CreateTests,
    ListTests,
    RetrieveTests,
    ScopeTests,
    UpdateTests,
    WrongRoleTests,
)
from tests.factories import make_asset

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


class TestRepairsAPI(APITestBase):
    url_names = ("asset-repair-list", "asset-repair-detail", "asset-report-fault")

    def test_a_clerk_starts_and_finishes_a_repair(self, api, centre, clerk):
        asset = make_asset(owner=centre)
        client = api.as_user(clerk)
        url = reverse("asset-repair-list", kwargs={"tag": asset.tag})
        response = client.post(
            url,
            {"fault": "硬盘故障", "vendor": "戴尔服务站", "started_on": TODAY().isoformat()},
            format="json",
        )
        assert response.status_code == 201, response.content
        assert response.json()["under_way"] is True
        card = client.get(reverse("asset-detail", kwargs={"tag": asset.tag})).json()
        assert card["status"] == "under_repair"
        detail = reverse(
            "asset-repair-detail", kwargs={"tag": asset.tag, "pk": response.json()["id"]}
        )
        done = client.patch(
            detail,
            {"finished_on": TODAY().isoformat(), "cost": "1280.50", "outcome": "更换硬盘"},
            format="json",
        )
        assert done.status_code == 200, done.content
        assert done.json()["cost"] == "1280.50" and done.json()["under_way"] is False
        card = client.get(reverse("asset-detail", kwargs={"tag": asset.tag})).json()
        assert card["status"] == "in_use"
        listed = client.get(url).json()["results"]
        assert [row["outcome"] for row in listed] == ["更换硬盘"]

    def test_a_negative_cost_is_a_400_naming_cost(self, api, centre, clerk):
        asset = make_asset(owner=centre)
        response = api.as_user(clerk).post(
            reverse("asset-repair-list", kwargs={"tag": asset.tag}),
            {"fault": "x", "cost": "-5"},
            format="json",
        )
        assert response.status_code == 400 and "cost" in response.json()
        assert not RepairRecord.objects.exists()

    def test_a_second_repair_under_way_is_a_409(self, api, centre, clerk):
        asset = make_asset(owner=centre)
        url = reverse("asset-repair-list", kwargs={"tag": asset.tag})
        data = {"fault": "x", "started_on": TODAY().isoformat()}
        assert api.as_user(clerk).post(url, data, format="json").status_code == 201
        assert api.post(url, data, format="json").status_code == 409

    def test_a_holder_reports_a_fault_but_records_no_repair(self, api, centre, clerk, holder):
        from assets.custody import services as cs

        asset = make_asset(owner=centre)
        cs.checkout_asset(asset=asset, actor=clerk, holder=holder)
        client = api.as_user(holder)
        fault = client.post(
            reverse("asset-report-fault", kwargs={"tag": asset.tag}), {"fault": "键盘失灵"}
        )
        assert fault.status_code == 201, fault.content
        assert fault.json()["reported_by"] == "zhangsan"
        repair = client.post(
            reverse("asset-repair-list", kwargs={"tag": asset.tag}),
            {"fault": "x", "started_on": TODAY().isoformat()},
            format="json",
        )
        assert repair.status_code == 403

    def test_an_auditor_may_not_report_a_fault(self, api, centre, auditor):
        asset = make_asset(owner=centre)
        response = api.as_user(auditor).post(
            reverse("asset-report-fault", kwargs={"tag": asset.tag}), {"fault": "x"}
        )
        assert response.status_code == 403

    def test_another_departments_card_is_404(self, api, other_bureau, clerk):
        asset = make_asset(owner=other_bureau)
        repair = ms.record_repair(asset=asset, actor=None, fields={"fault": "x"})
        client = api.as_user(clerk)
        assert (
            client.get(reverse("asset-repair-list", kwargs={"tag": asset.tag})).status_code == 404
        )
        detail = reverse("asset-repair-detail", kwargs={"tag": asset.tag, "pk": repair.pk})
        assert client.patch(detail, {"outcome": "x"}, format="json").status_code == 404
        fault = reverse("asset-report-fault", kwargs={"tag": asset.tag})
        assert client.post(fault, {"fault": "x"}).status_code == 404

    def test_anonymous_is_401(self, api, centre):
        asset = make_asset(owner=centre)
        assert api.get(reverse("asset-repair-list", kwargs={"tag": asset.tag})).status_code == 401


class TestContractAPI(
    ListTests, RetrieveTests, CreateTests, UpdateTests, AnonymousTests, WrongRoleTests, ScopeTests
):
    basename = "contract"
    lookup = "number"
    reader = "clerk"
    writer = "clerk"
    wrong_role = "auditor"
    update_data = {"vendor": "浪潮电子信息"}

    def make_object(self, request):
        centre = request.getfixturevalue("centre")
        return ms.save_contract(
            actor=None,
            fields={
                "number": "WB-2025-01",
                "vendor": "浪潮",
                "department": centre,
                "starts_on": date(2025, 1, 1),
                "ends_on": date(2027, 12, 31),
                "assets": [make_asset(owner=centre)],
            },
        )

    def make_other_object(self, request):
        other = request.getfixturevalue("other_bureau")
        return ms.save_contract(
            actor=None,
            fields={
                "number": "WB-HEALTH-1",
                "vendor": "华为",
                "department": other,
                "starts_on": date(2025, 1, 1),
                "ends_on": date(2026, 12, 31),
            },
        )

    def get_create_data(self, request):
        centre = request.getfixturevalue("centre")
        return {
            "number": "WB-2025-02",
            "vendor": "联想",
            "department": centre.code,
            "starts_on": "2025-01-01",
            "ends_on": "2025-12-31",
            "assets": [make_asset(owner=centre).tag],
        }

    def test_a_contract_ending_before_it_starts_is_a_400(self, api, centre, clerk):
        data = {**self.get_create_data(self.request), "ends_on": "2024-12-31"}
        response = api.as_user(clerk).post(reverse("contract-list"), data, format="json")
        assert response.status_code == 400 and "ends_on" in response.json()
        assert not MaintenanceContract.objects.exists()

    def test_another_departments_card_is_an_unknown_tag(self, api, centre, other_bureau, clerk):
        theirs = make_asset(owner=other_bureau)
        data = {**self.get_create_data(self.request), "assets": [theirs.tag]}
        response = api.as_user(clerk).post(reverse("contract-list"), data, format="json")
        assert response.status_code == 400 and "assets" in response.json()

    def test_uncovered_lists_cards_out_of_warranty_without_contract(self, api, centre, clerk):
        lapsed = make_asset(owner=centre, warranty_until=TODAY() - timedelta(days=3))
        response = api.as_user(clerk).get(reverse("contract-uncovered"))
        assert response.status_code == 200
        assert [row["tag"] for row in response.json()["results"]] == [lapsed.tag]


class TestCostlyRepairsAPI(APITestBase):
    url_names = ("repair-over-value",)

    def test_lists_cards_whose_repairs_exceed_their_net_value(self, api, centre, clerk):
        old = make_asset(owner=centre, in_service_on=date(2015, 1, 1))
        ms.record_repair(
            asset=old,
            actor=clerk,
            fields={"fault": "x", "cost": "300", "started_on": TODAY(), "finished_on": TODAY()},
        )
        response = api.as_user(clerk).get(reverse("repair-over-value"))
        assert response.status_code == 200
        rows = response.json()["results"]
        assert [row["tag"] for row in rows] == [old.tag]
        assert rows[0]["repair_total"] == "300.00" and rows[0]["net_value"] == "0.00"
        assert api.as_user(clerk).get(reverse("asset-list")).status_code == 200
        assert Asset.objects.get(pk=old.pk).status == "in_use"

    def test_anonymous_is_401(self, api):
        assert api.get(reverse("repair-over-value")).status_code == 401


def test_the_contract_list_has_a_query_ceiling(api, centre, clerk, django_assert_max_num_queries):
    client = api.as_user(clerk)
    for count in (3, 30):
        while MaintenanceContract.objects.count() < count:
            n = MaintenanceContract.objects.count()
            ms.save_contract(
                actor=None,
                fields={
                    "number": f"WB-{n:03d}",
                    "vendor": "浪潮",
                    "department": centre,
                    "starts_on": date(2025, 1, 1),
                    "ends_on": date(2026, 12, 31),
                    "assets": [make_asset(owner=centre)],
                },
            )
        with django_assert_max_num_queries(10):
            response = client.get(reverse("contract-list"), {"page_size": 50})
        assert len(response.json()["results"]) == count
