"""API of disposal cases and approval tiers: contract, roles, scope, bad input, the retire rule."""

from datetime import date

import pytest

from assets.disposals import services as ds
from assets.models import ApprovalTier, Asset, AssetEvent, DisposalCase, DisposalItem
from tests.api_base import (
    ActionEventTests,
    AnonymousTests,
    CreateTests,
    ListTests,
    RetrieveTests,
    ScopeTests,
    UpdateTests,
    WrongRoleTests,
)
from tests.assets.disposals.conftest import scrap_fields
from tests.factories import make_asset

pytestmark = pytest.mark.django_db

DISPOSALS = "/api/v1/disposals/"
TIERS = "/api/v1/disposal-tiers/"


def old_tag(owner):
    return make_asset(owner=owner, in_service_on=date(2012, 1, 1)).tag


def snapshot():
    return (
        list(Asset.objects.order_by("pk").values_list("pk", "status")),
        AssetEvent.objects.count(),
        list(DisposalCase.objects.order_by("pk").values_list("pk", "state", "approval_no")),
        DisposalItem.objects.count(),
    )


class DisposalAPIBase:
    basename = "disposal"
    lookup = "number"
    reader = "clerk"
    writer = "clerk"
    wrong_role = "auditor"

    def make_object(self, request):
        return request.getfixturevalue("draft")

    def make_other_object(self, request):
        """A draft of the health commission's: invisible to the centre's clerk."""
        request.getfixturevalue("tiers")
        other = request.getfixturevalue("other_bureau")
        return ds.create_disposal(
            actor=request.getfixturevalue("other_clerk"),
            fields=scrap_fields(),
            tags=[old_tag(other)],
        )

    def get_create_data(self, request):
        request.getfixturevalue("tiers")
        centre = request.getfixturevalue("centre")
        return {"method": "scrap", "grounds": "past_life", "items": [old_tag(centre)]}

    def write(self, client, obj):
        return client.post(self.action_url(obj, "submit"), format="json")

    def events_of(self, obj):
        return AssetEvent.objects.filter(disposal=obj)

    def expected_events(self, obj):
        return obj.items.count()


class TestDisposalAPI(
    DisposalAPIBase,
    ListTests,
    RetrieveTests,
    CreateTests,
    AnonymousTests,
    WrongRoleTests,
    ScopeTests,
    ActionEventTests,
):
    """Cases on the generic base: submitting writes an event on each card."""

    event_action = "submit"


class TestDisposalApprovalAPI(DisposalAPIBase, ActionEventTests):
    """The approver's approval writes an event on each card (a clerk's is 403: below)."""

    reader = "approver"
    writer = "approver"
    event_action = "approve"

    def make_object(self, request):
        return request.getfixturevalue("submitted")

    def action_data(self, obj):
        return {"approval_no": "市数据局〔2026〕3号", "approved_on": str(date.today())}

    def write(self, client, obj):
        return client.post(self.action_url(obj, "approve"), self.action_data(obj), format="json")


class TestDisposalExecuteAPI(DisposalAPIBase, ActionEventTests):
    event_action = "execute"

    def make_object(self, request):
        return request.getfixturevalue("approved")


class TestApprovalTierAPI(
    ListTests, RetrieveTests, CreateTests, UpdateTests, AnonymousTests, WrongRoleTests
):
    basename = "disposal-tier"
    lookup = "id"
    lookup_url_kwarg = "pk"
    reader = "clerk"
    writer = "admin_user"
    wrong_role = "clerk"
    create_data = {"up_to": "50000.00", "approver_role": "approver", "body": "分管领导"}
    update_data = {"body": "市财政局（资产科）"}

    def make_object(self, request):
        return request.getfixturevalue("tiers")[0]


# ------------------------------------------------------------------ the flow and bad input
def test_the_whole_flow_through_the_api(api, clerk, approver, centre, tiers):
    tags = [old_tag(centre), old_tag(centre)]
    response = api.as_user(clerk).post(
        DISPOSALS, {"method": "scrap", "grounds": "obsolete", "items": tags}, format="json"
    )
    assert response.status_code == 201, response.content
    number = response.json()["number"]
    assert response.json()["state"] == "draft"
    response = api.post(f"{DISPOSALS}{number}/submit/")
    assert response.status_code == 200
    body = response.json()
    assert body["approving_body"] == "单位负责人" and body["total_original_value"] == "12000.00"
    assert {item["status"] for item in body["items"]} == {"pending_disposal"}
    response = api.as_user(approver).post(
        f"{DISPOSALS}{number}/approve/",
        {"approval_no": "批复〔2026〕1号", "approved_on": str(date.today())},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert api.post(f"{DISPOSALS}{number}/reject/", {"reason": "x"}).status_code == 409
    response = api.as_user(clerk).post(f"{DISPOSALS}{number}/execute/", {}, format="json")
    assert response.status_code == 200, response.content
    assert {item["status"] for item in response.json()["items"]} == {"retired"}
    pdf = api.get(f"{DISPOSALS}{number}/application.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf["X-Certificate-SHA256"] == response.json()["document_sha256"]


def test_list_filters_by_state_method_department_and_year(api, auditor, draft, submitted):
    api.as_user(auditor)
    assert api.get(DISPOSALS, {"state": "submitted"}).json()["count"] == 1
    assert api.get(DISPOSALS, {"state": "draft"}).json()["count"] == 0
    assert api.get(DISPOSALS, {"method": "sale"}).json()["count"] == 0
    assert api.get(DISPOSALS, {"department": "BDC"}).json()["count"] == 1
    assert api.get(DISPOSALS, {"year": date.today().year}).json()["count"] == 1
    assert api.get(DISPOSALS, {"year": "abc"}).status_code == 400
    assert api.get(DISPOSALS, {"year": "99999999999"}).status_code == 400


def test_list_queries_stay_constant(
    api, auditor, clerk, centre, tiers, django_assert_max_num_queries
):
    for _ in range(3):
        ds.create_disposal(actor=clerk, fields=scrap_fields(), tags=[old_tag(centre)])
    api.as_user(auditor)
    with django_assert_max_num_queries(12):
        assert api.get(DISPOSALS).status_code == 200
    for _ in range(27):
        ds.create_disposal(actor=clerk, fields=scrap_fields(), tags=[old_tag(centre)])
    with django_assert_max_num_queries(12):
        assert api.get(DISPOSALS, {"page_size": 50}).json()["count"] == 30


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"method": "burn", "grounds": "obsolete"}, "method"),
        ({"method": "scrap", "grounds": "boredom"}, "grounds"),
        ({"method": "transfer", "grounds": "reorganisation"}, "to_department"),
        ({"method": "sale", "grounds": "obsolete"}, "counterparty"),
    ],
)
def test_bad_fields_are_400_naming_the_field(api, clerk, centre, tiers, payload, field):
    before = snapshot()
    response = api.as_user(clerk).post(
        DISPOSALS, {**payload, "items": [old_tag(centre)]}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert snapshot()[2:] == before[2:]


def test_empty_case_and_card_twice_are_400(api, clerk, centre, tiers):
    api.as_user(clerk)
    response = api.post(
        DISPOSALS, {"method": "scrap", "grounds": "obsolete", "items": []}, format="json"
    )
    assert response.status_code == 400 and "items" in response.json()
    tag = old_tag(centre)
    response = api.post(
        DISPOSALS, {"method": "scrap", "grounds": "obsolete", "items": [tag, tag]}, format="json"
    )
    assert response.status_code == 400 and tag in str(response.json()["items"])


def test_a_card_out_of_scope_is_404(api, clerk, other_bureau, tiers):
    response = api.as_user(clerk).post(
        DISPOSALS,
        {"method": "scrap", "grounds": "obsolete", "items": [old_tag(other_bureau)]},
        format="json",
    )
    assert response.status_code == 404
    assert not DisposalCase.objects.exists()


def test_an_approval_number_of_500_characters_is_400(api, approver, submitted):
    before = snapshot()
    response = api.as_user(approver).post(
        f"{DISPOSALS}{submitted.number}/approve/",
        {"approval_no": "号" * 500, "approved_on": str(date.today())},
        format="json",
    )
    assert response.status_code == 400
    assert "approval_no" in response.json()
    assert snapshot() == before


def test_a_clerk_or_auditor_may_not_approve(api, clerk, auditor, submitted):
    for user in (clerk, auditor):
        response = api.as_user(user).post(
            f"{DISPOSALS}{submitted.number}/approve/",
            {"approval_no": "X", "approved_on": str(date.today())},
            format="json",
        )
        assert response.status_code == 403
    submitted.refresh_from_db()
    assert submitted.state == "submitted"


def test_self_approval_is_403(api, centre, tiers):
    from tests.factories import UserFactory

    both = UserFactory(username="both", department=centre, roles=["clerk", "approver"])
    case = ds.create_disposal(actor=both, fields=scrap_fields(), tags=[old_tag(centre)])
    ds.submit_disposal(case=case, actor=both)
    response = api.as_user(both).post(
        f"{DISPOSALS}{case.number}/approve/",
        {"approval_no": "X", "approved_on": str(date.today())},
        format="json",
    )
    assert response.status_code == 403


def test_reject_needs_a_reason_and_restores_statuses(api, approver, submitted, cards):
    api.as_user(approver)
    assert api.post(f"{DISPOSALS}{submitted.number}/reject/", {}, format="json").status_code == 400
    response = api.post(
        f"{DISPOSALS}{submitted.number}/reject/", {"reason": "尚可用"}, format="json"
    )
    assert response.status_code == 200
    assert {item["status"] for item in response.json()["items"]} == {"in_use"}


def test_draft_can_be_edited_and_then_not(api, clerk, centre, draft):
    api.as_user(clerk)
    tag = old_tag(centre)
    response = api.patch(
        f"{DISPOSALS}{draft.number}/", {"items": [tag], "evidence": "鉴定报告 J-1"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert [item["tag"] for item in response.json()["items"]] == [tag]
    api.post(f"{DISPOSALS}{draft.number}/submit/")
    response = api.patch(f"{DISPOSALS}{draft.number}/", {"evidence": "x"}, format="json")
    assert response.status_code == 409


def test_retire_endpoint_answers_disposal_required(api, clerk, centre):
    tag = old_tag(centre)
    response = api.as_user(clerk).post(
        f"/api/v1/assets/{tag}/retire/", {"reason": "报废"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "disposal_required"
    assert Asset.objects.get(tag=tag).status == "in_use"


def test_retire_endpoint_works_with_the_approval_rule_off(api, clerk, centre, settings):
    settings.YIKA_DISPOSAL_APPROVAL = False
    tag = old_tag(centre)
    response = api.as_user(clerk).post(
        f"/api/v1/assets/{tag}/retire/", {"reason": "报废"}, format="json"
    )
    assert response.status_code == 200
    assert Asset.objects.get(tag=tag).status == "retired"


def test_tiers_are_admins_to_change(api, clerk, admin_user, tiers):
    assert (
        api.as_user(clerk)
        .post(TIERS, {"up_to": "1000", "approver_role": "approver", "body": "x"}, format="json")
        .status_code
        == 403
    )
    response = api.as_user(admin_user).post(
        TIERS, {"up_to": None, "approver_role": "approver", "body": "另一个"}, format="json"
    )
    assert response.status_code == 400 and "up_to" in response.json()
    low = tiers[0]
    assert api.delete(f"{TIERS}{low.pk}/").status_code == 204
    assert not ApprovalTier.objects.filter(pk=low.pk).exists()
