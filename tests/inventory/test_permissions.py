"""Inventory's who-may-do-what (`inventory.permissions`), enforced inside the services: a command or
an admin action calling a service is refused as the API and the pages refuse it."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.utils.translation import override

from inventory import permissions
from inventory.models import Difference, StocktakeCampaign, StocktakeScan
from inventory.services import campaigns, differences, scanning
from tests.factories import retire_directly

pytestmark = pytest.mark.django_db


def test_only_clerks_and_admins_plan_a_campaign(plan, auditor, receiver, clerk):
    for outsider in (auditor, receiver):
        with pytest.raises(PermissionDenied):
            plan(actor=outsider, name=f"由{outsider.username}计划")
    assert not StocktakeCampaign.objects.exists()
    assert plan(actor=clerk).created_by == clerk


def test_a_clerk_outside_the_campaign_scope_cannot_activate_or_close_it(
    plan, pc, other_clerk, admin_user
):
    campaign = plan()
    with override("en"), pytest.raises(PermissionDenied) as refused:
        campaigns.activate_campaign(campaign=campaign, actor=other_clerk)
    assert str(refused.value) == "You may follow this campaign but not manage it."
    campaign.refresh_from_db()
    assert campaign.state == StocktakeCampaign.State.DRAFT
    campaign = campaigns.activate_campaign(campaign=campaign, actor=admin_user)
    with pytest.raises(PermissionDenied):
        campaigns.close_campaign(campaign=campaign, actor=other_clerk)
    campaign.refresh_from_db()
    assert campaign.state == StocktakeCampaign.State.ACTIVE


def test_a_clerk_of_the_scope_manages_but_only_an_admin_archives(plan, pc, clerk, admin_user):
    campaign = campaigns.activate_campaign(campaign=plan(), actor=clerk)
    campaign = campaigns.close_campaign(campaign=campaign, actor=clerk)
    # The shortage's card is retired outright, so archiving waits for no disposal case.
    retire_directly(asset=pc, actor=admin_user)
    for difference in Difference.objects.filter(campaign=campaign):
        differences.explain_difference(difference=difference, actor=clerk, reason="遗失")
        differences.approve_difference(difference=difference, actor=admin_user)
        differences.post_difference(difference=difference, actor=admin_user)
    with override("en"), pytest.raises(PermissionDenied) as refused:
        campaigns.archive_campaign(campaign=campaign, actor=clerk)
    assert str(refused.value) == "Only administrators archive a campaign."
    campaign = campaigns.archive_campaign(campaign=campaign, actor=admin_user)
    assert campaign.state == StocktakeCampaign.State.ARCHIVED


@pytest.mark.parametrize("who", ["auditor", "receiver"])
def test_only_counters_scan_count_or_report_surplus(who, active, pc, request):
    outsider = request.getfixturevalue(who)
    refused = [
        lambda: scanning.record_scan(campaign=active, actor=outsider, code=pc.tag),
        lambda: scanning.record_scan_batch(
            campaign=active, actor=outsider, entries=[{"code": pc.tag}]
        ),
        lambda: scanning.manual_count(campaign=active, actor=outsider, tag=pc.tag, reason="磨损"),
        lambda: scanning.record_surplus(campaign=active, actor=outsider, note="显示器"),
        lambda: scanning.confirm_component(
            campaign=active, actor=outsider, tag=pc.tag, method="sn_match", serial_number="x"
        ),
    ]
    for call in refused:
        with pytest.raises(PermissionDenied):
            call()
    assert not StocktakeScan.objects.exists()
    assert active.lines.get().result == "pending"


def test_only_the_asset_office_approves_a_difference(active, pc, clerk, admin_user, auditor):
    campaigns.close_campaign(campaign=active, actor=admin_user)
    difference = Difference.objects.get(campaign=active)
    with pytest.raises(PermissionDenied):
        differences.explain_difference(difference=difference, actor=auditor, reason="遗失")
    differences.explain_difference(difference=difference, actor=clerk, reason="遗失")
    with pytest.raises(PermissionDenied):
        differences.approve_difference(difference=difference, actor=clerk)
    difference.refresh_from_db()
    assert difference.state == Difference.State.EXPLAINED


def test_counter_assignments_reach_only_the_planners_tree(centre, other_bureau, clerk, admin_user):
    assert permissions.can_assign_counters(clerk, department=centre)
    assert not permissions.can_assign_counters(clerk, department=other_bureau)
    assert permissions.can_assign_counters(admin_user, department=other_bureau)


def test_a_campaign_over_the_whole_register_is_the_admins(plan, clerk, admin_user):
    assert permissions.may_plan_whole_register(admin_user)
    assert not permissions.may_plan_whole_register(clerk)
    campaign = plan(departments=[], due_on=date(2026, 2, 1))
    assert permissions.can_manage(admin_user, campaign)
    assert not permissions.can_manage(clerk, campaign)
