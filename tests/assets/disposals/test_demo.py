"""The demo shows disposals: tiers, an executed case (the demo's retired cards) and one in the
approver's inbox; loading it again with --once adds nothing."""

import io

import pytest
from django.core.management import call_command

from assets.disposals import selectors
from assets.models import ApprovalTier, Asset, DisposalCase, User

pytestmark = pytest.mark.django_db


def test_seed_demo_has_an_executed_case_and_one_waiting_for_the_approver():
    call_command("seed_demo", stdout=io.StringIO())
    assert ApprovalTier.objects.count() == 2
    executed = DisposalCase.objects.get(state="executed")
    assert set(executed.items.values_list("asset__status", flat=True)) == {Asset.Status.RETIRED}
    approver = User.objects.get(username="approver")
    assert [case.state for case in selectors.approver_inbox(user=approver)] == ["submitted"]
    # The stocktake's posted damage is in a draft scrap case (issue 17).
    scrap = DisposalCase.objects.get(state="draft")
    assert scrap.method == "scrap" and scrap.stocktake_differences.count() == 1
    call_command("seed_demo", "--once", stdout=io.StringIO())
    assert DisposalCase.objects.count() == 3
