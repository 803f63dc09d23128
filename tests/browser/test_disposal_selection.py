"""Building a disposal case from a selection, in the browser (issue 17): on the register list the
clerk ticks two cards and presses “Apply for disposal”, and the case form arrives with both; on
a closed campaign the still-open differences are listed, and the desk opens a case from a
ticked shortage whose card could not join one when it was posted."""

from datetime import date

import pytest
from django.urls import reverse

from assets.models import DisposalCase
from inventory.models import Difference
from inventory.services import campaigns, differences, scanning
from tests.browser.support import DESK, PHONE, Visit, sign_in
from tests.factories import LocationFactory, make_asset, make_campaign

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DEVICES = [("zh-hans", "phone"), ("zh-hans", "desk"), ("en", "phone"), ("en", "desk")]


def _visit(new_context, language, device):
    options = PHONE if device == "phone" else DESK
    return Visit(new_context(language, **options), language=language), (
        "-phone" if device == "phone" else ""
    )


@pytest.mark.parametrize("language, device", DEVICES)
def test_ticking_two_cards_opens_the_case_form_with_both(
    language, device, base_url, new_context, centre, clerk
):
    first, second, _third = (
        make_asset(owner=centre, actor=clerk, name=name, in_service_on=date(2013, 5, 1))
        for name in ("旧台式计算机", "旧激光打印机", "在用交换机")
    )
    visit, suffix = _visit(new_context, language, device)
    page = visit.page
    sign_in(visit, base_url, "clerk")
    visit.goto(base_url + reverse("assets:asset-list"))
    page.check(f"#pick-{first.tag}")
    page.check(f"#pick-{second.tag}")
    assert "2" in page.text_content("[data-select-count]")
    visit.check(f"disposal-register-selection{suffix}", full_page=device == "desk")
    with page.expect_navigation():
        page.click("#apply-disposal")
    assert "/disposals/new/" in page.url
    assert page.input_value("#id_tags").split() == [first.tag, second.tag]
    visit.check(f"disposal-form-from-selection{suffix}", full_page=True)


@pytest.fixture
def closed_with_a_host(admin_user, clerk, centre):
    """A closed count: a server missing whose disk was found (so it cannot join a case alone),
    and a printer missing; both posted."""
    room = LocationFactory(code="R101", name="101机房", department=centre)
    server = make_asset(owner=centre, actor=clerk, location=room, name="服务器")
    disk = make_asset(owner=centre, actor=clerk, location=room, name="硬盘", parent=server)
    printer = make_asset(owner=centre, actor=clerk, location=room, name="打印机")
    campaign = make_campaign(actor=admin_user, departments=[centre], year=2026)
    scanning.record_scan(campaign=campaign, actor=clerk, code=disk.tag)
    campaign = campaigns.close_campaign(campaign=campaign, actor=admin_user)
    items = list(Difference.objects.filter(campaign=campaign))
    for action, actor in (("explain", clerk), ("approve", admin_user), ("post", admin_user)):
        differences.treat_differences(
            differences=items, actor=actor, action=action, reason="盘点未找到"
        )
    campaign.server, campaign.disk = server, disk
    campaign.printer = printer
    return campaign


@pytest.mark.parametrize("language, device", DEVICES)
def test_the_desk_opens_a_case_from_a_ticked_difference(
    language, device, base_url, new_context, closed_with_a_host, clerk
):
    campaign = closed_with_a_host
    host = Difference.objects.get(campaign=campaign, line__asset=campaign.server)
    first_case = DisposalCase.objects.get()
    visit, suffix = _visit(new_context, language, device)
    visit.allowed.extend([campaign.name, first_case.number])
    page = visit.page
    sign_in(visit, base_url, "clerk")
    visit.goto(f"{base_url}/stocktakes/{campaign.pk}/")
    section = page.locator("#open-differences")
    assert first_case.number in section.inner_text()
    assert campaign.disk.tag in section.inner_text()
    visit.check(f"stocktake-open-differences{suffix}", full_page=True)

    visit.goto(f"{base_url}/stocktakes/{campaign.pk}/differences")
    page.check(f"#d-{host.pk}")
    visit.check(f"stocktake-desk-open-case{suffix}", full_page=device == "desk")
    with page.expect_navigation():
        page.click("#open-disposal-case")
    assert page.input_value("#id_tags").split() == [campaign.server.tag]
    page.select_option("#id_components", "detach")
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    case = DisposalCase.objects.exclude(pk=first_case.pk).get()
    assert page.url.endswith(f"/disposals/{case.number}/")
    host.refresh_from_db()
    assert host.disposal == case
