"""`POST /api/v1/handovers/` without `project`: an internal transfer (内部调拨) inside the
sender's unit, decided item by item like a delegated-build handover; to another unit it is
refused, naming the transfer disposal case (issue 17)."""

import pytest

from assets.disposals import services as ds
from assets.models import Asset, AssetEvent, Handover, HandoverItem
from tests.api_base import ActionEventTests, CreateTests, WrongRoleTests
from tests.assets.handovers.test_api import HandoverAPIBase
from tests.factories import DepartmentFactory, UserFactory, make_asset, make_project

pytestmark = pytest.mark.django_db

HANDOVERS = "/api/v1/handovers/"


@pytest.fixture
def office(bureau):
    """An office of the bureau: inside the centre's unit (the bureau's tree)."""
    return DepartmentFactory(code="BUREAU-OPS", name="运维科", kind="office", parent=bureau)


@pytest.fixture
def office_receiver(office):
    return UserFactory(username="opsreceiver", department=office, roles=["receiver"])


@pytest.fixture
def host(centre):
    return make_asset(owner=centre, name="一体机")


@pytest.fixture
def part(host, centre):
    return make_asset(owner=centre, name="终端接入设备", parent=host, embedded=True)


@pytest.fixture
def spare(centre):
    return make_asset(owner=centre, name="备用交换机")


@pytest.fixture
def internal_draft(api, clerk, office, office_receiver, host, part, spare):
    answer = api.as_user(clerk).post(
        HANDOVERS,
        {"to_department": office.code, "items": [host.tag, spare.tag], "note": "科室调整"},
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    return Handover.objects.get(number=answer.json()["number"])


@pytest.fixture
def internal_submitted(internal_draft, api, clerk):
    answer = api.as_user(clerk).post(f"{HANDOVERS}{internal_draft.number}/submit/")
    assert answer.status_code == 200, answer.json()
    internal_draft.refresh_from_db()
    return internal_draft


def snapshot():
    return (
        list(Asset.objects.order_by("pk").values_list("pk", "owner_department", "status")),
        AssetEvent.objects.count(),
        list(Handover.objects.order_by("pk").values_list("pk", "state")),
        HandoverItem.objects.count(),
    )


# ------------------------------------------------------------------ on the generic base
class InternalTransferBase(HandoverAPIBase):
    """The project handovers' base, with an internal transfer as the object."""

    def make_object(self, request):
        return request.getfixturevalue("internal_draft")

    def get_create_data(self, request):
        request.getfixturevalue("office_receiver")  # someone who can decide it once submitted
        office = request.getfixturevalue("office")
        return {"to_department": office.code, "items": [request.getfixturevalue("spare").tag]}


class TestInternalTransferAPI(InternalTransferBase, CreateTests, WrongRoleTests, ActionEventTests):
    """Created without a project by the sender's clerk; submitting writes an event per card."""

    event_action = "submit"


class TestInternalTransferDecisionAPI(InternalTransferBase, ActionEventTests):
    """The receiving office's receiver decides; one event per card."""

    reader = "office_receiver"
    writer = "office_receiver"
    event_action = "decide"

    def make_object(self, request):
        return request.getfixturevalue("internal_submitted")

    def action_data(self, obj):
        tags = obj.items.values_list("asset__tag", flat=True)
        return {"items": [{"tag": tag, "result": "accepted"} for tag in tags]}


# -------------------------------------------------------------------------------- allowed


def test_a_draft_without_project_goes_to_an_office_of_the_unit(internal_draft, office, part):
    body_items = set(internal_draft.items.values_list("asset__tag", flat=True))
    assert internal_draft.project is None
    assert internal_draft.from_department.code == "BDC"
    assert internal_draft.to_department == office
    assert internal_draft.state == Handover.State.DRAFT
    assert part.tag in body_items  # the host brought its embedded component


def test_the_answer_shows_no_project_and_both_parties(api, clerk, office, spare):
    answer = api.as_user(clerk).post(
        HANDOVERS,
        {"project": None, "to_department": office.code, "items": [spare.tag]},
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["project"] is None
    assert (body["from_department"], body["to_department"]) == ("BDC", "BUREAU-OPS")
    assert [item["tag"] for item in body["items"]] == [spare.tag]


def test_the_receiver_decides_item_by_item_as_for_a_project(
    api, office_receiver, internal_submitted, office, host, part, spare, centre
):
    client = api.as_user(office_receiver)
    assert internal_submitted.number in [
        row["number"] for row in client.get(HANDOVERS).json()["results"]
    ]
    decision = {
        "items": [
            {"tag": host.tag, "result": "accepted"},
            {"tag": part.tag, "result": "accepted"},
            {"tag": spare.tag, "result": "rejected", "reason": "本科室不需要"},
        ]
    }
    answer = client.post(f"{HANDOVERS}{internal_submitted.number}/decide/", decision, format="json")
    assert answer.status_code == 200, answer.json()
    assert answer.json()["state"] == "partially_accepted"
    assert len(answer.json()["certificate_sha256"]) == 64
    for card in (host, part):
        card.refresh_from_db()
        assert card.owner_department == office and card.ownership_confirmed
    spare.refresh_from_db()
    # A rejected item of a transfer stays with its sender as it was.
    assert spare.owner_department == centre and spare.ownership_confirmed
    again = client.post(f"{HANDOVERS}{internal_submitted.number}/decide/", decision, format="json")
    assert again.status_code == 409
    pdf = client.get(f"{HANDOVERS}{internal_submitted.number}/certificate.pdf")
    assert (
        pdf.status_code == 200
        and pdf["X-Certificate-SHA256"] == answer.json()["certificate_sha256"]
    )


def test_a_client_sending_a_project_sees_no_change(api, clerk, project):
    card = make_asset(owner=project.builder_department, project=project)
    answer = api.as_user(clerk).post(
        HANDOVERS, {"project": project.code, "items": [card.tag]}, format="json"
    )
    assert answer.status_code == 201, answer.json()
    assert answer.json()["project"] == project.code
    assert answer.json()["to_department"] == project.owner_department.code


# -------------------------------------------------------------------------------- refused


def test_to_another_unit_is_a_400_naming_the_transfer_disposal(api, clerk, other_bureau, spare):
    before = snapshot()
    answer = api.as_user(clerk).post(
        HANDOVERS, {"to_department": other_bureau.code, "items": [spare.tag]}, format="json"
    )
    assert answer.status_code == 400
    message = str(answer.json()["to_department"])
    assert "无偿划转" in message and "（transfer）" not in message  # no raw code (walk2-17)
    assert snapshot() == before


def test_to_another_unit_is_refused_in_chinese(api, clerk, other_bureau, spare):
    answer = api.as_user(clerk).post(
        HANDOVERS,
        {"to_department": other_bureau.code, "items": [spare.tag]},
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert answer.status_code == 400
    assert "资产处置" in str(answer.json()["to_department"])


def test_without_a_receiving_department_is_a_400(api, clerk, spare):
    before = snapshot()
    answer = api.as_user(clerk).post(HANDOVERS, {"items": [spare.tag]}, format="json")
    assert answer.status_code == 400
    assert "to_department" in answer.json()
    assert snapshot() == before


def test_to_its_own_department_is_a_400(api, clerk, centre, spare):
    answer = api.as_user(clerk).post(
        HANDOVERS, {"to_department": centre.code, "items": [spare.tag]}, format="json"
    )
    assert answer.status_code == 400
    assert "to_department" in answer.json()
    assert not Handover.objects.exists()


def test_a_delegated_build_card_still_with_its_builder_is_refused(
    api, clerk, office, centre, other_bureau
):
    project = make_project(builder=centre, owner=other_bureau, code="DJ-X")
    card = make_asset(owner=centre, project=project)
    answer = api.as_user(clerk).post(
        HANDOVERS, {"to_department": office.code, "items": [card.tag]}, format="json"
    )
    assert answer.status_code == 400
    assert card.tag in str(answer.json()["items"])
    assert not Handover.objects.exists()


def test_a_card_in_an_open_disposal_case_is_refused(api, clerk, office, spare):
    case = ds.create_disposal(
        actor=clerk,
        fields={"method": "scrap", "grounds": "obsolete", "reason": "无法修复"},
        tags=[spare.tag],
    )
    answer = api.as_user(clerk).post(
        HANDOVERS, {"to_department": office.code, "items": [spare.tag]}, format="json"
    )
    assert answer.status_code == 400
    assert case.number in str(answer.json()["items"])
    assert not Handover.objects.exists()


def test_an_empty_transfer_is_a_400(api, clerk, office):
    answer = api.as_user(clerk).post(
        HANDOVERS, {"to_department": office.code, "items": []}, format="json"
    )
    assert answer.status_code == 400
    assert "items" in answer.json()
