from datetime import date

import pytest

from assets.models import Location
from inventory.services import campaigns
from tests.factories import DepartmentFactory, LocationFactory, make_asset


@pytest.fixture
def ops(centre):
    """A sub-department of the centre."""
    return DepartmentFactory(code="BDC-OPS", name="运维部", parent=centre)


@pytest.fixture
def sibling(bureau):
    """The centre's sibling under the bureau."""
    return DepartmentFactory(code="BUREAU-OFF", name="办公室", parent=bureau)


@pytest.fixture
def room(centre):
    return LocationFactory(code="R101", name="101机房", department=centre)


@pytest.fixture
def other_room(centre):
    return LocationFactory(code="R202", name="202办公室", department=centre)


@pytest.fixture
def plan(admin_user, centre):
    """A draft campaign over the centre."""

    def make(**kwargs):
        data = {
            "actor": admin_user,
            "name": "2025年度资产清查",
            "year": 2025,
            "reference_date": date(2025, 12, 31),
            "due_on": date(2026, 1, 31),
            "departments": [centre],
        }
        data.update(kwargs)
        return campaigns.create_campaign(**data)

    return make


@pytest.fixture
def pc(centre, room, clerk):
    return make_asset(
        owner=centre, actor=clerk, location=room, name="台式计算机", serial_number="SN-PC-1"
    )


@pytest.fixture
def active(plan, pc, admin_user):
    campaign = plan()
    return campaigns.activate_campaign(campaign=campaign, actor=admin_user)


def location(code: str) -> Location:
    return Location.objects.get(code=code)
