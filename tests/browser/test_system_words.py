"""New-user walk 10 in a browser: the disposal case that posting a stocktake's shortage opens
says its reason in the reader's language (it showed the poster's Chinese on English pages),
phone and desk, Chinese and English."""

import pytest
from django.utils.translation import override

from assets.models import DisposalCase
from inventory.models import Difference
from inventory.services import campaigns, differences
from tests.browser.support import DESK, PHONE, Visit, sign_in
from tests.factories import make_asset, make_campaign

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def stocktake_case(centre, clerk, admin_user):
    make_asset(owner=centre, actor=clerk, name="台式计算机")
    campaign = make_campaign(actor=admin_user, departments=[centre], name="2025年度资产清查")
    # Posted in Chinese, as a Chinese administrator would.
    with override("zh-hans"):
        campaigns.close_campaign(campaign=campaign, actor=admin_user)
        difference = Difference.objects.get(campaign=campaign)
        differences.explain_difference(difference=difference, actor=clerk, reason="遗失")
        differences.approve_difference(difference=difference, actor=admin_user)
        differences.post_difference(difference=difference, actor=admin_user)
    return DisposalCase.objects.get(stocktake_differences__campaign=campaign)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(
    ("size", "shot"), [(PHONE, "disposal-stocktake-phone"), (DESK, "disposal-stocktake")]
)
def test_the_stocktake_case_reads_its_reason_in_the_readers_language(
    language, size, shot, base_url, new_context, stocktake_case
):
    visit = Visit(new_context(language, **size), language=language)
    sign_in(visit, base_url, "clerk")
    visit.goto(f"{base_url}/disposals/{stocktake_case.number}/")
    visit.check(shot, full_page=True)
    reason = visit.page.locator("#case-reason").inner_text()
    if language == "en":
        assert reason == "Stocktake 2025年度资产清查: Shortage found by the count."
    else:
        assert reason == "盘点“2025年度资产清查”清查发现的盘亏。"
