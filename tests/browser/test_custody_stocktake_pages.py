"""Issue 18's remaining pages, clicked: holders' confirmations in the campaign's lines, the
cards held by a leaver (checked in from the list), the status page sending a loan to the lend
action, and a surplus photo on its difference page."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assets import services
from assets.custody import services as cs
from assets.models import Asset, CustodyRecord
from inventory.models import Difference
from inventory.services import campaigns, scanning
from tests.assets.attachments.files import png_bytes, use_attachment_storage
from tests.browser.support import DESK, PHONE, Visit, sign_in
from tests.factories import UserFactory, make_asset, make_campaign

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def holder(centre):
    return UserFactory(username="zhangsan", display_name="张三", department=centre, roles=["staff"])


@pytest.fixture(autouse=True)
def attachment_root(settings, tmp_path):
    use_attachment_storage(settings, tmp_path)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_holders_leavers_lend_hint_and_surplus_photo(
    language, base_url, new_context, centre, clerk, holder, admin_user
):
    laptop = make_asset(owner=centre, actor=clerk, name="笔记本电脑")
    monitor = make_asset(owner=centre, actor=clerk, name="显示器")
    idle = make_asset(owner=centre, actor=clerk, name="投影仪")
    for card in (laptop, monitor):
        cs.checkout_asset(asset=card, actor=clerk, holder=holder)
    campaign = make_campaign(actor=admin_user, departments=[centre])

    # The holder, on the phone: "I still hold these" during the count.
    phone = Visit(new_context(language, **PHONE), language=language)
    sign_in(phone, base_url, "zhangsan")
    phone.goto(f"{base_url}/me/assets/")
    phone.page.once("dialog", lambda dialog: dialog.accept())
    with phone.page.expect_navigation():
        phone.page.click("[data-confirm-all] button[type=submit]")

    # The clerk: the campaign shows them as confirmed by their holder; the link filters them.
    desk = Visit(new_context(language, **DESK), language=language)
    page = desk.page
    sign_in(desk, base_url, "clerk")
    desk.goto(f"{base_url}/stocktakes/{campaign.pk}/")
    desk.check("stocktake-confirmed-by-holders")
    with page.expect_navigation():
        page.click("[data-figure=by-holder] a")
    assert len(page.query_selector_all("[data-holder-confirmed]")) == 2
    assert "张三" in page.inner_text("table")
    desk.check("stocktake-lines-by-holder")
    clerk_phone = Visit(new_context(language, **PHONE), language=language)
    sign_in(clerk_phone, base_url, "clerk")
    clerk_phone.goto(f"{base_url}/stocktakes/{campaign.pk}/lines?holder=confirmed")
    clerk_phone.check("stocktake-lines-by-holder-phone", full_page=True)

    # The status page points a loan to the lend action.
    desk.goto(f"{base_url}/assets/{idle.tag}/status/")
    desk.check("status-lend-hint")
    with page.expect_navigation():
        page.click("[data-lend-hint] a")
    assert page.url.endswith(f"/assets/{idle.tag}/custody/")

    # The holder leaves: the clerk finds the cards from the upkeep page and checks one in.
    services.save_user(actor=admin_user, user=holder, fields={"is_active": False})
    desk.goto(f"{base_url}/upkeep/")
    with page.expect_navigation():
        page.click("[data-leavers-link]")
    assert page.query_selector(f"[data-leaver-card='{laptop.tag}']")
    desk.check("leavers-list")
    with page.expect_navigation():
        page.click(f"[data-leaver-card='{laptop.tag}'] a.btn")
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click("form:has(input[value=checkin]) button[type=submit]")
    assert CustodyRecord.objects.get(asset=laptop).state == "closed"
    assert Asset.objects.get(pk=laptop.pk).custodian_user is None
    desk.goto(f"{base_url}/custody/leavers/")
    assert not page.query_selector(f"[data-leaver-card='{laptop.tag}']")
    assert page.query_selector(f"[data-leaver-card='{monitor.tag}']")
    clerk_phone.goto(f"{base_url}/custody/leavers/")
    clerk_phone.check("leavers-list-phone", full_page=True)

    # A surplus find with its photo: on the difference page as evidence.
    photo = SimpleUploadedFile("盘盈照片.png", png_bytes(), content_type="image/png")
    line = scanning.record_surplus(
        campaign=campaign, actor=clerk, note="机柜里的交换机", photo=photo
    )
    campaigns.close_campaign(campaign=campaign, actor=admin_user)
    difference = Difference.objects.get(line=line)
    desk.goto(f"{base_url}/stocktakes/{campaign.pk}/differences/{difference.pk}")
    assert page.query_selector(f"[data-subject='stocktake_line:{line.pk}'] img")
    desk.check("difference-surplus-photo", full_page=True)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_card_away_for_repair_shows_its_repairer_as_its_place(
    language, base_url, new_context, centre, clerk, admin_user
):
    from django.utils import timezone

    from assets.maintenance import services as ms

    away = make_asset(owner=centre, actor=clerk, name="送修的服务器")
    campaign = make_campaign(actor=admin_user, departments=[centre])
    ms.record_repair(
        asset=away,
        actor=admin_user,
        fields={"fault": "电源故障", "vendor": "华为售后", "started_on": timezone.localdate()},
    )
    campaigns.close_campaign(campaign=campaign, actor=admin_user)
    difference = Difference.objects.get(line__asset=away)
    place = "送修在外：华为售后" if language == "zh-hans" else "Away for repair at 华为售后"
    for size, name in ((DESK, "desk"), (PHONE, "phone")):
        visit = Visit(new_context(language, **size), language=language)
        sign_in(visit, base_url, "clerk")
        visit.goto(f"{base_url}/stocktakes/{campaign.pk}/lines")
        assert place in visit.page.inner_text("table")
        visit.check(f"stocktake-line-away-for-repair-{name}", full_page=True)
        visit.goto(f"{base_url}/stocktakes/{campaign.pk}/differences/{difference.pk}")
        assert place in visit.page.inner_text("#line-found-at")
        visit.check(f"stocktake-difference-away-for-repair-{name}", full_page=True)
