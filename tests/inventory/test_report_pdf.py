"""14.12: the stocktake report PDF split amounts over two lines and its tables overran the left
margin. Every table fits the landscape frame; amounts are whole, with thousands separators."""

from decimal import Decimal

import pytest

from inventory import exports, selectors
from inventory.services import campaigns, scanning
from tests.factories import leaf_category, make_asset
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


def test_the_scope_line_names_departments_locations_and_categories(
    plan, centre, room, clerk, admin_user
):
    """14 (residual): the scope line printed codes (BDC; R101; A02010105) nobody reads."""
    from django.utils import translation

    category = leaf_category()
    make_asset(owner=centre, actor=clerk, location=room, name="交换机")
    campaign = campaigns.activate_campaign(
        campaign=plan(locations=[room], categories=[category]), actor=admin_user
    )
    campaigns.close_campaign(campaign=campaign, actor=admin_user)
    report = selectors.report(campaign=campaign, user=admin_user)
    with translation.override("zh-hans"):
        text = pdf_text(exports.report_pdf(campaign=campaign, report=report, user=admin_user))
    scope = next(line for line in text.splitlines() if line.startswith("范围"))
    assert centre.name in scope and room.name in scope and category.name in scope, scope
    assert centre.code not in scope and room.code not in scope and category.code not in scope


def test_the_sign_off_is_never_split_across_pages(plan, centre, clerk, admin_user):
    """14 (residual): with 82 differences the sign-off heading and its first row ended page 3
    and the asset office signed alone on page 4. The block now moves whole to the next page."""
    from django.utils import translation

    campaign = campaigns.activate_campaign(campaign=plan(), actor=admin_user)
    for n in range(82):
        scanning.record_surplus(campaign=campaign, actor=clerk, note=f"未登记的设备 {n}")
    campaigns.close_campaign(campaign=campaign, actor=admin_user)
    report = selectors.report(campaign=campaign, user=admin_user)
    with translation.override("en"):
        data = exports.report_pdf(campaign=campaign, report=report, user=admin_user)
    pages = pdf_pages(data)
    assert len(pages) > 2, "the report must be long enough to reach a page end"
    block = ["Sign-off", "Counters", "Department heads", "Asset office", "Signature:", "Date:"]
    holding = [page for page in pages if any(word in page for word in block)]
    assert len(holding) == 1, [[w for w in block if w in page] for page in holding]
    assert all(word in holding[0] for word in block)
    assert "未登记的设备 81" in "".join(pages)  # nothing was dropped to make it fit


def pdf_text(data: bytes) -> str:
    return "\n".join(pdf_pages(data))


def pdf_pages(data: bytes) -> list[str]:
    import io

    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as document:
        return [page.extract_text() or "" for page in document.pages]
