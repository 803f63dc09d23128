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


def _closed_with_surplus(plan, centre, room, clerk, admin_user):
    make_asset(
        owner=centre, actor=clerk, location=room, name="交换机", original_value=Decimal("100")
    )
    campaign = campaigns.activate_campaign(campaign=plan(), actor=admin_user)
    scanning.record_surplus(campaign=campaign, actor=clerk, note="未登记的显示器一台")
    campaigns.close_campaign(campaign=campaign, actor=admin_user)
    return campaign


def test_the_surplus_row_of_the_category_table_says_what_it_is(
    plan, centre, room, clerk, admin_user
):
    """14 (residual): surplus is on no books and has no category; its row read blank."""
    from django.utils import translation

    campaign = _closed_with_surplus(plan, centre, room, clerk, admin_user)
    report = selectors.report(campaign=campaign, user=admin_user)
    assert [row for row in report["by_category"] if not row["code"]], "a row without category"
    with translation.override("zh-hans"):
        text = " ".join(
            pdf_words(exports.report_pdf(campaign=campaign, report=report, user=admin_user))
        )
    assert "未分类（盘盈）" in text
    with translation.override("en"):
        text = " ".join(
            pdf_words(exports.report_pdf(campaign=campaign, report=report, user=admin_user))
        )
    assert "No category (surplus)" in text


def test_rate_headers_do_not_repeat_the_percent_sign_their_values_carry(
    plan, centre, room, clerk, admin_user
):
    from django.utils import translation

    campaign = _closed_with_surplus(plan, centre, room, clerk, admin_user)
    report = selectors.report(campaign=campaign, user=admin_user)
    with translation.override("zh-hans"):
        text = " ".join(
            pdf_words(exports.report_pdf(campaign=campaign, report=report, user=admin_user))
        )
    assert "标签缺失率" in text and "标签缺失率 %" not in text and "）%" not in text
    assert "%" in text  # the values still carry it
