"""Issue 15.5: a receiver places accepted cards only inside the receiving department's tree.

The big data centre hands a delegated-build system over to the health commission; the finance
bureau is a third party. Placing an accepted card under the finance bureau (using department or
location) would let the finance bureau's clerks see and change it.
"""

import pytest

from assets import permissions
from assets.handovers import services as hs
from assets.models import Asset, AssetEvent, Handover
from tests.factories import DepartmentFactory, LocationFactory, UserFactory, make_asset

pytestmark = pytest.mark.django_db


@pytest.fixture
def parties(project, clerk, other_bureau):
    finance = DepartmentFactory(code="FIN", name="市财政局", kind="bureau")
    clinic = DepartmentFactory(code="HEALTH-IT", name="卫健委信息科", parent=other_bureau)
    health_room = LocationFactory(code="HEALTH-201", name="卫健委201机房", department=other_bureau)
    rack = LocationFactory(code="HEALTH-201-R1", name="1号机柜", parent=health_room)
    finance_room = LocationFactory(code="FIN-301", name="财政局301机房", department=finance)
    unassigned = LocationFactory(code="SHARED-1", name="公共库房")
    server = make_asset(owner=project.builder_department, project=project, name="服务器")
    switch = make_asset(owner=project.builder_department, project=project, name="交换机")
    handover = hs.submit_handover(
        handover=hs.create_handover(actor=clerk, project=project, assets=[server, switch]),
        actor=clerk,
    )
    return {
        "finance": finance,
        "finance_clerk": UserFactory(username="finclerk", department=finance, roles=["clerk"]),
        "clinic": clinic,
        "health_room": health_room,
        "rack": rack,
        "finance_room": finance_room,
        "unassigned": unassigned,
        "server": server,
        "switch": switch,
        "handover": handover,
    }


def decide(api, receiver, parties, **placement):
    items = [
        {"tag": parties["server"].tag, "result": "accepted", **placement},
        {"tag": parties["switch"].tag, "result": "accepted"},
    ]
    return api.as_user(receiver).post(
        f"/api/v1/handovers/{parties['handover'].number}/decide/",
        {"items": items},
        format="json",
    )


def assert_nothing_decided(parties):
    handover = Handover.objects.get(pk=parties["handover"].pk)
    assert handover.state == Handover.State.SUBMITTED
    server = Asset.objects.get(pk=parties["server"].pk)
    assert server.owner_department == parties["server"].owner_department
    assert not server.events.filter(kind=AssetEvent.Kind.HANDOVER_ACCEPTED).exists()


def test_receiver_cannot_send_accepted_cards_to_a_third_bureaus_using_department(
    api, receiver, parties
):
    response = decide(api, receiver, parties, using_department="FIN")
    assert response.status_code == 400, response.content
    assert "using_department" in response.json()
    assert parties["server"].tag in response.json()["using_department"][0]
    assert_nothing_decided(parties)
    assert not permissions.changeable_assets(parties["finance_clerk"]).exists()


def test_receiver_cannot_place_accepted_cards_in_a_third_bureaus_location(api, receiver, parties):
    response = decide(api, receiver, parties, location="FIN-301")
    assert response.status_code == 400, response.content
    assert "location" in response.json()
    assert_nothing_decided(parties)


def test_receiver_cannot_place_accepted_cards_in_a_location_of_no_department(
    api, receiver, parties
):
    response = decide(api, receiver, parties, location="SHARED-1")
    assert response.status_code == 400, response.content
    assert "location" in response.json()
    assert_nothing_decided(parties)


def test_receiver_places_accepted_cards_inside_its_own_tree(api, receiver, parties):
    """A sub-department, and a rack (no department of its own) inside the receiver's room."""
    response = decide(
        api, receiver, parties, using_department="HEALTH-IT", location="HEALTH-201-R1"
    )
    assert response.status_code == 200, response.content
    server = Asset.objects.get(pk=parties["server"].pk)
    assert server.using_department == parties["clinic"]
    assert server.location == parties["rack"]


def test_the_service_refuses_a_third_bureau_whoever_calls_it(receiver, parties):
    """The rule is in `decide_handover`, so the web review and any command get it too."""
    from django.core.exceptions import ValidationError

    decisions = [
        hs.ItemDecision(
            tag=parties["server"].tag, result="accepted", using_department=parties["finance"]
        ),
        hs.ItemDecision(tag=parties["switch"].tag, result="accepted"),
    ]
    with pytest.raises(ValidationError) as refused:
        hs.decide_handover(handover=parties["handover"], actor=receiver, decisions=decisions)
    assert "using_department" in refused.value.message_dict
    assert_nothing_decided(parties)


def test_the_review_page_offers_only_the_receivers_locations(client, receiver, parties):
    client.force_login(receiver)
    response = client.get(f"/handovers/{parties['handover'].number}/review/")
    assert response.status_code == 200
    codes = {location.code for location in response.context["locations"]}
    assert codes == {"HEALTH-201", "HEALTH-201-R1"}
