"""A card away for repair when the stocktake closes is counted elsewhere, not a shortage."""

import pytest
from django.utils import timezone

from assets.maintenance import services as ms
from inventory.models import Difference, LineResult, StocktakeLine
from inventory.services import campaigns
from tests.factories import make_asset, make_campaign

pytestmark = pytest.mark.django_db


def test_a_card_under_repair_is_counted_elsewhere_at_close(centre, admin_user):
    away = make_asset(owner=centre, name="送修的服务器")
    lost = make_asset(owner=centre, name="找不到的打印机")
    campaign = make_campaign(actor=admin_user, departments=[centre])
    ms.record_repair(
        asset=away,
        actor=admin_user,
        fields={"fault": "电源故障", "started_on": timezone.localdate()},
    )
    campaigns.close_campaign(campaign=campaign, actor=admin_user)
    lines = {line.asset_id: line for line in StocktakeLine.objects.filter(campaign=campaign)}
    assert lines[away.pk].result == LineResult.FOUND_ELSEWHERE
    assert lines[lost.pk].result == LineResult.MISSING
    away.refresh_from_db()
    assert away.suspected_shortage is False
    kinds = dict(Difference.objects.filter(campaign=campaign).values_list("line__asset_id", "kind"))
    assert kinds[away.pk] != Difference.Kind.SHORTAGE


def test_the_close_dialog_counts_the_shortages_closing_records(centre, admin_user):
    """Walk 2: the dialog said 191 cards would be shortages, the result said 190 — the card
    away for repair is counted elsewhere, so the dialog must not count it."""
    from inventory import selectors

    away = make_asset(owner=centre, name="送修的服务器")
    make_asset(owner=centre, name="找不到的打印机")
    make_asset(owner=centre, name="找不到的显示器")
    campaign = make_campaign(actor=admin_user, departments=[centre])
    ms.record_repair(
        asset=away,
        actor=admin_user,
        fields={"fault": "电源故障", "started_on": timezone.localdate()},
    )
    announced = selectors.count_summary(campaign=campaign)["open"]
    campaigns.close_campaign(campaign=campaign, actor=admin_user)
    recorded = StocktakeLine.objects.filter(campaign=campaign, result=LineResult.MISSING).count()
    assert announced == recorded == 2


def test_the_dashboard_shows_no_empty_progress_for_a_reader_who_counts_nothing(centre, admin_user):
    """Walk 4: a head whose share of the campaign is empty saw "0 / 0 lines done"."""
    from inventory import dashboard
    from tests.factories import UserFactory

    make_asset(owner=centre, name="在用打印机")
    make_campaign(actor=admin_user, departments=[centre])
    head = UserFactory(username="head", department=centre, roles=["approver"])
    assert dashboard.current_campaign(head) is None
    panel = dashboard.current_campaign(admin_user)
    assert panel is not None and "0 / 1" in panel["note"]
