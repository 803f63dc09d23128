"""14.12: the stocktake report PDF split amounts over two lines and its tables overran the left
margin. Every table fits the landscape frame; amounts are whole, with thousands separators."""

from decimal import Decimal

import pytest

from inventory import exports, selectors
from inventory.services import campaigns, scanning
from tests.factories import make_asset
from tests.labels.helpers import misfits, pdf_words

pytestmark = pytest.mark.django_db


def test_the_report_fits_the_page_and_never_wraps_an_amount(plan, centre, room, clerk, admin_user):
    for n in range(3):
        make_asset(
            owner=centre,
            actor=clerk,
            location=room,
            name=f"机架式服务器（政务云平台二期扩容项目，含三年原厂维保）{n}",
            original_value=Decimal("8247933.33"),
        )
    campaign = campaigns.activate_campaign(campaign=plan(), actor=admin_user)
    scanning.record_surplus(campaign=campaign, actor=clerk, note="机房角落发现的未登记交换机一台")
    campaigns.close_campaign(campaign=campaign, actor=admin_user)
    data = exports.report_pdf(
        campaign=campaign,
        report=selectors.report(campaign=campaign, user=admin_user),
        user=admin_user,
    )
    assert misfits(data) == []
    words = pdf_words(data)
    assert "¥24,743,799.99" in words, [w for w in words if "," in w]
    assert "¥8,247,933.33" in words
