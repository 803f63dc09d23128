"""The auditor at a desk: follow a stocktake's progress per department, read the discrepancies,
export the report, and find nothing on the way that changes the register."""

from datetime import date

import openpyxl
import pytest

from inventory.services import campaigns, scanning
from tests.browser.support import DESK, PHONE, Visit, sign_in
from tests.factories import LocationFactory, UserFactory, make_asset

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Forms every signed-in page has and that change nothing in the register.
HARMLESS_FORMS = ("/accounts/logout/", "/i18n/setlang/")


def forms_that_change(page) -> list[str]:
    """POST forms on the page other than signing out and switching language."""
    actions = page.eval_on_selector_all(
        "form", "(forms) => forms.filter((f) => f.method === 'post').map((f) => f.action)"
    )
    return [action for action in actions if not action.endswith(HARMLESS_FORMS)]


@pytest.fixture
def counting(centre, bureau, clerk, admin_user):
    """A stocktake of the bureau and its centre under way: one PC of three cards counted."""
    room = LocationFactory(code="R101", name="101机房", department=centre)
    office = LocationFactory(code="B201", name="201办公室", department=bureau)
    found = make_asset(owner=centre, actor=clerk, location=room, name="台式计算机")
    make_asset(owner=centre, actor=clerk, location=room, name="便携式计算机")
    make_asset(
        owner=bureau, actor=admin_user, location=office, name="打印机", category_code="A02021000"
    )
    UserFactory(username="bureauclerk", department=bureau, roles=["clerk"])
    campaign = campaigns.create_campaign(
        actor=admin_user,
        name="2025年度资产清查",
        year=2025,
        reference_date=date(2025, 12, 31),
        due_on=date(2099, 1, 31),
        departments=[bureau, centre],
    )
    campaign = campaigns.activate_campaign(campaign=campaign, actor=admin_user)
    scanning.record_scan(campaign=campaign, actor=clerk, code=found.tag, location=room)
    return campaign


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_auditor_follows_progress_reads_discrepancies_and_exports_without_changing_anything(
    language, base_url, new_context, counting, auditor, admin_user, centre, bureau, tmp_path
):
    campaign = counting
    visit = Visit(new_context(language, **DESK), language=language)
    page = visit.page
    sign_in(visit, base_url, "auditor")
    assert forms_that_change(page) == []
    assert page.locator("a[href='/assets/new/']").count() == 0

    # The campaign list, then the campaign's progress per department.
    page.click("a[href='/stocktakes/']")
    visit.check("auditor-campaigns")
    assert forms_that_change(page) == []
    assert page.locator("a[href='/stocktakes/new/']").count() == 0
    page.click(f"a[href='/stocktakes/{campaign.pk}/']")
    progress = page.locator(
        "section", has=page.locator(f"text={visit.t('Progress by department')}")
    )
    text = progress.inner_text()
    counted = visit.t(
        "Counted %(counted)s / %(total)s · shortage %(shortage)s · pending %(pending)s"
    )
    assert centre.name in text
    assert counted % {"counted": 1, "total": 2, "shortage": 0, "pending": 1} in text
    assert bureau.name in text
    assert counted % {"counted": 0, "total": 1, "shortage": 0, "pending": 1} in text
    assert page.inner_text("[data-figure=counted] .stat") == "1 / 3"
    assert forms_that_change(page) == []
    visit.check("auditor-campaign", full_page=True)

    # The count is closed: the discrepancy list shows the two cards nobody found.
    campaigns.close_campaign(campaign=campaign, actor=admin_user)
    page.reload()
    assert forms_that_change(page) == []
    # Decided shortages are not counted (14.7): 1 of 3 counted, 2 short, none pending, all done.
    assert page.inner_text("[data-figure=counted] .stat") == "1 / 3"
    assert visit.t("Shortage %(shortage)s · pending %(pending)s") % {
        "shortage": 2,
        "pending": 0,
    } in page.inner_text("[data-figure=counted]")
    assert page.inner_text("[data-figure=done] .stat") == "100.0%"
    visit.check("auditor-campaign-closed", full_page=True)
    phone = Visit(new_context(language, **PHONE), language=language)
    sign_in(phone, base_url, "auditor")
    phone.goto(f"{base_url}/stocktakes/{campaign.pk}/")
    assert phone.page.inner_text("[data-figure=counted] .stat") == "1 / 3"
    phone.check("auditor-campaign-closed-phone", full_page=True)
    page.click(f"a[href='/stocktakes/{campaign.pk}/differences']")
    rows = page.inner_text("table tbody")
    missing = campaign.lines.exclude(result="found").values_list("tag", flat=True)
    assert sorted(missing) and all(tag in rows for tag in missing)
    assert forms_that_change(page) == []
    visit.check("auditor-discrepancies")

    # The report, exported as a spreadsheet and as a PDF.
    page.go_back()
    with page.expect_download() as download:
        page.click(f"a[href='/api/v1/stocktakes/{campaign.pk}/report.xlsx/']")
    xlsx = tmp_path / "report.xlsx"
    download.value.save_as(xlsx)
    cells = {
        str(cell.value)
        for sheet in openpyxl.load_workbook(xlsx, read_only=True).worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    }
    assert set(missing) <= cells
    with page.expect_download() as download:
        page.click(f"a[href='/api/v1/stocktakes/{campaign.pk}/report.pdf/']")
    pdf = tmp_path / "report.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    assert visit.errors == []
