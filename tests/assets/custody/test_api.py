"""Custody API: checkout/, checkin/, lend/, confirm-receipt/ and me/assets/ (DESIGN.md `custody`)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assets.custody import services as cs
from assets.models import Asset, AssetEvent, CustodyRecord
from tests.api_base import APITestBase
from tests.factories import make_asset

pytestmark = pytest.mark.django_db


def _url(name, asset):
    return reverse(name, kwargs={"tag": asset.tag})


class TestCustodyActionsAPI(APITestBase):
    url_names = ("asset-checkout", "asset-checkin", "asset-lend", "asset-confirm-receipt")

    def test_checkout_names_the_holder_and_answers_the_record(self, api, centre, clerk, holder):
        asset = make_asset(owner=centre)
        due = (timezone.localdate() + timedelta(days=7)).isoformat()
        response = api.as_user(clerk).post(
            _url("asset-checkout", asset), {"user": "zhangsan", "due_on": due}, format="json"
        )
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["holder"] == "zhangsan" and body["due_on"] == due and body["state"] == "open"
        card = api.get(reverse("asset-detail", kwargs={"tag": asset.tag})).json()
        assert card["custodian_user"] == "zhangsan" and card["custodian"] == "张三"

    def test_checkout_to_a_user_outside_the_department_is_a_400_naming_user(
        self, api, centre, admin_user, outsider
    ):
        asset = make_asset(owner=centre)
        response = api.as_user(admin_user).post(
            _url("asset-checkout", asset), {"user": "lisi"}, format="json"
        )
        assert response.status_code == 400
        assert "user" in response.json()
        assert not CustodyRecord.objects.exists()

    def test_a_clerk_naming_an_unknown_or_out_of_scope_user_gets_the_same_400(
        self, api, centre, clerk, outsider
    ):
        asset = make_asset(owner=centre)
        client = api.as_user(clerk)
        outside = client.post(_url("asset-checkout", asset), {"user": "lisi"}, format="json")
        unknown = client.post(_url("asset-checkout", asset), {"user": "nobody"}, format="json")
        assert outside.status_code == unknown.status_code == 400
        assert outside.json()["user"][0].replace("lisi", "") == unknown.json()["user"][0].replace(
            "nobody", ""
        )

    def test_a_due_date_in_the_past_is_a_400_naming_due_on(self, api, centre, clerk, holder):
        asset = make_asset(owner=centre)
        past = (timezone.localdate() - timedelta(days=1)).isoformat()
        response = api.as_user(clerk).post(
            _url("asset-checkout", asset), {"user": "zhangsan", "due_on": past}, format="json"
        )
        assert response.status_code == 400
        assert "due_on" in response.json()

    def test_checking_in_a_card_not_checked_out_is_a_409(self, api, centre, clerk):
        asset = make_asset(owner=centre)
        response = api.as_user(clerk).post(_url("asset-checkin", asset), {}, format="json")
        assert response.status_code == 409
        assert response.json()["code"] == "not_checked_out"

    def test_checkin_closes_the_record(self, api, centre, clerk, holder):
        asset = make_asset(owner=centre)
        cs.checkout_asset(asset=asset, actor=clerk, holder=holder)
        response = api.as_user(clerk).post(_url("asset-checkin", asset), {}, format="json")
        assert response.status_code == 200, response.content
        assert response.json()["state"] == "closed"
        asset.refresh_from_db()
        assert asset.custodian_user is None

    def test_lend_makes_the_card_lent(self, api, centre, clerk):
        asset = make_asset(owner=centre)
        due = (timezone.localdate() + timedelta(days=7)).isoformat()
        response = api.as_user(clerk).post(
            _url("asset-lend", asset),
            {"counterparty": "市档案馆", "due_on": due, "approval_ref": "批〔2025〕3号"},
            format="json",
        )
        assert response.status_code == 200, response.content
        asset.refresh_from_db()
        assert asset.status == Asset.Status.LENT and asset.lent_to == "市档案馆"

    def test_lend_without_approval_is_a_400(self, api, centre, clerk):
        asset = make_asset(owner=centre)
        response = api.as_user(clerk).post(
            _url("asset-lend", asset), {"counterparty": "市档案馆"}, format="json"
        )
        assert response.status_code == 400
        assert {"due_on", "approval_ref"} <= set(response.json())

    def test_only_the_holder_confirms_receipt(self, api, centre, clerk, holder):
        asset = make_asset(owner=centre)
        cs.checkout_asset(asset=asset, actor=clerk, holder=holder)
        assert api.as_user(clerk).post(_url("asset-confirm-receipt", asset)).status_code == 403
        response = api.as_user(holder).post(_url("asset-confirm-receipt", asset))
        assert response.status_code == 200, response.content
        assert response.json()["confirmed_at"]
        assert asset.events.filter(kind=AssetEvent.Kind.RECEIPT_CONFIRMED).count() == 1

    def test_another_departments_card_is_404_and_unchanged(self, api, other_bureau, clerk, holder):
        asset = make_asset(owner=other_bureau)
        client = api.as_user(clerk)
        for name in self.url_names:
            assert client.post(_url(name, asset), {"user": "zhangsan"}).status_code == 404
        assert not CustodyRecord.objects.exists()

    def test_a_holder_cannot_confirm_a_card_they_do_not_hold(self, api, centre, holder):
        asset = make_asset(owner=centre)
        assert api.as_user(holder).post(_url("asset-confirm-receipt", asset)).status_code == 404

    def test_auditors_and_holders_may_not_check_out(self, api, centre, clerk, auditor, holder):
        asset = make_asset(owner=centre)
        cs.checkout_asset(asset=asset, actor=clerk, holder=holder)
        for user in (auditor, holder):
            response = api.as_user(user).post(_url("asset-checkin", asset), {}, format="json")
            assert response.status_code == 403
        assert CustodyRecord.objects.get().state == "open"

    def test_anonymous_is_401(self, api, centre):
        asset = make_asset(owner=centre)
        for name in self.url_names:
            assert api.post(_url(name, asset), {}).status_code == 401


class TestMyAssetsAPI(APITestBase):
    url_names = ("me-assets", "me-assets-confirm-all")

    def test_lists_only_the_cards_the_user_holds(self, api, centre, clerk, holder):
        held = make_asset(owner=centre, name="笔记本电脑")
        make_asset(owner=centre, name="打印机")
        cs.checkout_asset(asset=held, actor=clerk, holder=holder)
        response = api.as_user(holder).get(reverse("me-assets"))
        assert response.status_code == 200
        rows = response.json()["results"]
        assert [row["tag"] for row in rows] == [held.tag]
        assert rows[0]["custody"]["holder"] == "zhangsan"
        assert rows[0]["confirmed_this_year"] is False

    def test_confirm_all_marks_every_held_card(self, api, centre, clerk, holder):
        cards = [make_asset(owner=centre) for _ in range(2)]
        for card in cards:
            cs.checkout_asset(asset=card, actor=clerk, holder=holder)
        response = api.as_user(holder).post(reverse("me-assets-confirm-all"), {}, format="json")
        assert response.status_code == 200, response.content
        assert all(row["confirmed_this_year"] for row in response.json())
        again = api.post(reverse("me-assets-confirm-all"), {}, format="json")
        assert again.status_code == 200
        assert AssetEvent.objects.filter(kind=AssetEvent.Kind.HOLDING_CONFIRMED).count() == 2

    def test_the_list_has_a_query_ceiling(
        self, api, centre, clerk, holder, django_assert_max_num_queries
    ):
        client = api.as_user(holder)
        for count in (3, 30):
            while Asset.objects.filter(custodian_user=holder).count() < count:
                cs.checkout_asset(asset=make_asset(owner=centre), actor=clerk, holder=holder)
            with django_assert_max_num_queries(8):
                response = client.get(reverse("me-assets"), {"page_size": 50})
            assert len(response.json()["results"]) == count

    def test_anonymous_is_401(self, api):
        assert api.get(reverse("me-assets")).status_code == 401
        assert api.post(reverse("me-assets-confirm-all")).status_code == 401


class TestLentOnlyThroughLend(APITestBase):
    url_names = ("asset-change-status",)

    def test_the_status_action_refuses_lent_with_a_400_pointing_to_the_lend_route(
        self, api, centre, clerk
    ):
        asset = make_asset(owner=centre)
        response = api.as_user(clerk).post(
            reverse("asset-change-status", kwargs={"tag": asset.tag}),
            {"status": "lent", "lent_to": "市档案馆"},
            format="json",
        )
        assert response.status_code == 400, response.content
        assert f"/api/v1/assets/{asset.tag}/lend/" in response.json()["status"][0]
        asset.refresh_from_db()
        assert asset.status == Asset.Status.IN_USE and asset.lent_to == ""
        assert not asset.events.filter(kind=AssetEvent.Kind.STATUS_CHANGED).exists()

    def test_a_card_lent_by_the_lend_action_returns_by_check_in_not_by_status(
        self, api, centre, clerk
    ):
        asset = make_asset(owner=centre)
        cs.lend_asset(
            asset=asset,
            actor=clerk,
            counterparty="市档案馆",
            due_on=timezone.localdate() + timedelta(days=7),
            approval_ref="批〔2025〕3号",
        )
        response = api.as_user(clerk).post(
            reverse("asset-change-status", kwargs={"tag": asset.tag}),
            {"status": "idle"},
            format="json",
        )
        assert response.status_code == 409
        assert response.json()["code"] == "use_checkin"
        asset.refresh_from_db()
        assert asset.status == Asset.Status.LENT
