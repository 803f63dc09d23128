"""Which campaigns a clerk reads (`permissions.visible_campaigns`): the whole register, any over
their department, a sub-department or a parent department, and any naming them as a counter."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory import permissions
from inventory.models import StocktakeCampaign
from inventory.services import campaigns as campaign_services
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


def plan(admin_user, name, departments=(), assignments=()):
    return campaign_services.create_campaign(
        actor=admin_user,
        name=name,
        year=2025,
        reference_date=date(2025, 12, 31),
        due_on=date(2026, 1, 31),
        departments=departments,
        assignments=assignments,
    )


def visible_names(user) -> set[str]:
    campaigns = permissions.visible_campaigns(user, StocktakeCampaign.objects.all())
    return set(campaigns.values_list("name", flat=True))


@pytest.fixture
def campaigns(bureau, centre, other_bureau, clerk, admin_user):
    ops = DepartmentFactory(code="BDC-OPS", name="运维部", parent=centre)
    sibling = DepartmentFactory(code="BUREAU-OFF", name="办公室", parent=bureau)
    plan(admin_user, "whole register")
    plan(admin_user, "parent", [bureau])
    plan(admin_user, "own", [centre])
    plan(admin_user, "sub", [ops])
    plan(admin_user, "sibling", [sibling])
    plan(admin_user, "elsewhere", [other_bureau])
    plan(admin_user, "elsewhere, counting", [other_bureau], [(clerk, other_bureau, None)])


def test_a_clerk_reads_campaigns_over_their_tree_and_those_naming_them(campaigns, clerk):
    assert visible_names(clerk) == {
        "whole register",
        "parent",
        "own",
        "sub",
        "elsewhere, counting",
    }


def test_a_clerk_of_a_top_department_reads_no_sibling_campaign(campaigns, bureau):
    from tests.factories import UserFactory

    head = UserFactory(username="head", department=bureau, roles=["clerk"])
    assert visible_names(head) == {"whole register", "parent", "own", "sub", "sibling"}


def test_a_clerk_without_a_department_reads_the_whole_register_and_their_counts(
    campaigns, other_bureau, admin_user
):
    from tests.factories import UserFactory

    roaming = UserFactory(username="roaming", department=None, roles=["clerk"])
    plan(admin_user, "roaming counts", [other_bureau], [(roaming, other_bureau, None)])
    assert visible_names(roaming) == {"whole register", "roaming counts"}


def test_the_campaign_check_walks_the_department_tree_inside_its_one_query(campaigns, clerk):
    """As in a request (a fresh user, nothing loaded): the roles, then the campaigns with the
    department tree (sub-departments and parents) walked inside the same statement."""
    from assets.models import User

    user = User.objects.get(pk=clerk.pk)
    with CaptureQueriesContext(connection) as queries:
        assert len(visible_names(user)) == 5
    assert len(queries.captured_queries) == 2


def test_a_campaign_matching_several_ways_comes_once(bureau, centre, clerk, admin_user):
    """Over the clerk's department and its parent, with the clerk counting: one row, as the
    list pages and `.get()` need."""
    plan(admin_user, "every way", [bureau, centre], [(clerk, centre, None)])
    campaigns = permissions.visible_campaigns(clerk, StocktakeCampaign.objects.all())
    assert list(campaigns.values_list("name", flat=True)) == ["every way"]
    assert campaigns.count() == 1
    assert campaigns.get().name == "every way"
