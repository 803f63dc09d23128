"""Issue 15.8: counter assignments were not scope-checked: a clerk could assign counters to
departments or places outside their own scope (and so read and count another bureau's lines).
Pass: the service refuses them (a 400 on `assignments`, nothing created); admins assign anywhere."""

from datetime import date

import pytest

from inventory.models import CounterAssignment, StocktakeCampaign
from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def places(centre, other_bureau):
    return (
        LocationFactory(code="BDC-101", name="101机房", department=centre),
        LocationFactory(code="HEALTH-201", name="卫健委201机房", department=other_bureau),
        LocationFactory(code="SHARED", name="公共库房", department=None),
    )


def plan(api, user, centre, assignment):
    return api.as_user(user).post(
        "/api/v1/stocktakes/",
        {
            "name": "二〇二五年盘点",
            "year": 2025,
            "due_on": "2026-01-31",
            "departments": [centre.code],
            "assignments": [assignment],
        },
        format="json",
    )


@pytest.mark.parametrize(
    "assignment",
    [
        {"counter": "clerk", "department": "HEALTH"},
        {"counter": "clerk", "location": "HEALTH-201"},
        {"counter": "clerk", "location": "SHARED"},
        {"counter": "clerk", "department": "BDC", "location": "HEALTH-201"},
    ],
)
def test_clerk_cannot_assign_counters_outside_their_department_scope(
    api, clerk, centre, other_bureau, places, assignment
):
    response = plan(api, clerk, centre, assignment)
    assert response.status_code == 400 and "assignments" in response.json()
    assert not StocktakeCampaign.objects.exists() and not CounterAssignment.objects.exists()


@pytest.mark.parametrize(
    "assignment",
    [{"counter": "clerk", "department": "BDC"}, {"counter": "clerk", "location": "BDC-101"}],
)
def test_clerk_assigns_counters_inside_their_department_scope(
    api, clerk, centre, places, assignment
):
    assert plan(api, clerk, centre, assignment).status_code == 201


def test_admin_assigns_counters_anywhere(api, admin_user, clerk, centre, other_bureau, places):
    response = plan(api, admin_user, centre, {"counter": "clerk", "location": "HEALTH-201"})
    assert response.status_code == 201


def test_counter_assignment_service_names_the_place_outside(clerk, centre, places):
    from django.core.exceptions import ValidationError

    from inventory.services import campaigns

    with pytest.raises(ValidationError) as error:
        campaigns.create_campaign(
            actor=clerk,
            name="x",
            year=2025,
            due_on=date(2026, 1, 31),
            departments=[centre],
            assignments=[(clerk, centre, places[1])],
        )
    assert "卫健委201机房" in str(error.value.message_dict["assignments"])
