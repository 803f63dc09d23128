"""Issue 15.12: a 500-deep chain of components works everywhere the register walks nesting.

Retiring its top with `components: retire` raised RecursionError (a 500): every walk of a
subtree or host chain is one recursive query and a loop, never recursion in Python.
"""

import pytest

from assets import selectors
from assets.models import Asset, AssetEvent
from tests.factories import LocationFactory, make_asset

pytestmark = pytest.mark.django_db

DEPTH = 500


@pytest.fixture
def chain(centre, clerk):
    """A host with 499 components, each embedded in the one before it."""
    room = LocationFactory(code="R101", name="101机房", department=centre)
    cards = [make_asset(owner=centre, actor=clerk, location=room, name="机柜")]
    for depth in range(1, DEPTH):
        cards.append(
            make_asset(
                owner=centre, actor=clerk, parent=cards[-1], embedded=True, name=f"层{depth}"
            )
        )
    return cards


def test_retiring_a_500_deep_chain_with_its_components_retires_every_card(
    api, clerk, chain, settings
):
    settings.YIKA_DISPOSAL_APPROVAL = False  # retiring directly, as without disposal approval
    lent = chain[250]
    # A card lent before loans had their own records (the status action no longer lends).
    Asset.objects.filter(pk=lent.pk).update(status="lent", lent_to="市卫健委")
    response = api.as_user(clerk).post(
        f"/api/v1/assets/{chain[0].tag}/retire/",
        {"reason": "整体报废", "components": "retire"},
        format="json",
    )
    assert response.status_code == 200, response.content[:500]
    assert Asset.objects.filter(pk__in=[c.pk for c in chain], status="retired").count() == DEPTH
    retired = AssetEvent.objects.filter(kind=AssetEvent.Kind.RETIRED, asset__in=chain)
    assert retired.count() == DEPTH
    bottom = Asset.objects.get(pk=chain[-1].pk)
    assert bottom.retire_reason.endswith("整体报废") and chain[-2].tag in bottom.retire_reason
    lent.refresh_from_db()
    assert lent.lent_to == ""
    assert lent.events.filter(kind=AssetEvent.Kind.STATUS_CHANGED).count() == 1


def test_a_500_deep_chain_lists_and_moves_as_one(api, clerk, chain):
    response = api.as_user(clerk).get(f"/api/v1/assets/{chain[0].tag}/components/")
    assert response.status_code == 200
    rows = response.json()
    assert [row["depth"] for row in rows] == list(range(1, DEPTH))
    LocationFactory(code="R202", name="202机房", department=chain[0].owner_department)
    response = api.as_user(clerk).post(
        f"/api/v1/assets/{chain[0].tag}/move/", {"location": "R202"}, format="json"
    )
    assert response.status_code == 200, response.content[:500]
    assert Asset.objects.filter(pk__in=[c.pk for c in chain], location__code="R202").count() == (
        DEPTH
    )


def test_nesting_the_top_of_a_500_deep_chain_into_its_bottom_is_a_cycle(api, clerk, chain):
    response = api.as_user(clerk).post(
        f"/api/v1/assets/{chain[0].tag}/nest/", {"parent": chain[-1].tag}, format="json"
    )
    assert response.status_code == 400, response.content[:500]
    assert "parent" in response.json()
    assert len(selectors.asset_host_chain_ids(asset=chain[-1])) == DEPTH - 1


def test_the_card_page_of_the_bottom_of_a_500_deep_chain_opens(client, clerk, chain):
    client.force_login(clerk)
    assert client.get(f"/assets/{chain[-1].tag}/").status_code == 200
    assert client.get(f"/assets/{chain[0].tag}/").status_code == 200
