"""Custody on the floor: a clerk checks a laptop out to a colleague; the colleague, on their
phone, confirms receipt, confirms "I still hold these" for the annual count and reports a fault."""

from datetime import timedelta

import pytest
from django.utils import timezone

from assets.models import Asset, CustodyRecord, HoldingConfirmation, RepairRecord
from tests.browser.support import DESK, PHONE, Visit, sign_in
from tests.factories import UserFactory, make_asset

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def holder(centre):
    return UserFactory(username="zhangsan", display_name="张三", department=centre, roles=["staff"])


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_checkout_receipt_confirm_all_and_fault_report(
    language, base_url, new_context, centre, clerk, holder
):
    laptop = make_asset(owner=centre, actor=clerk, name="笔记本电脑", model="ThinkPad X1")
    monitor = make_asset(owner=centre, actor=clerk, name="显示器")

    # The clerk, at the desk: card → check out → the holder and a due date.
    desk = Visit(new_context(language, **DESK), language=language, allowed_words={"ThinkPad", "X1"})
    page = desk.page
    sign_in(desk, base_url, "clerk")
    for asset in (laptop, monitor):
        desk.goto(f"{base_url}/assets/{asset.tag}/")
        page.click(f"a[href='/assets/{asset.tag}/custody/']")
        desk.check("custody-checkout" if asset == laptop else "")
        page.select_option("#id_checkout-user", label="张三")
        due = (timezone.localdate() + timedelta(days=30)).isoformat()
        page.fill("#id_checkout-due_on", due)
        with page.expect_navigation():
            page.click("form:has(input[value=checkout]) button[type=submit]")
        assert page.url.endswith(f"/assets/{asset.tag}/")
    assert "张三" in page.inner_text("[data-card-upkeep]")
    desk.check("card-checked-out")
    assert Asset.objects.get(pk=laptop.pk).custodian_user == holder

    # The holder, on the phone: My assets from the menu, confirm receipt of the laptop.
    phone = Visit(
        new_context(language, **PHONE), language=language, allowed_words={"ThinkPad", "X1"}
    )
    page = phone.page
    sign_in(phone, base_url, "zhangsan")
    page.click("button.nav-toggle")
    with page.expect_navigation():
        page.click("a[href='/me/assets/']")
    phone.check("my-assets-phone", full_page=True)
    with page.expect_navigation():
        page.click(f"[data-held='{laptop.tag}'] form button[type=submit]")
    assert CustodyRecord.objects.get(asset=laptop).confirmed_at is not None
    assert CustodyRecord.objects.get(asset=monitor).confirmed_at is None
    phone.check()

    # "I still hold these": the page asks first; dismissing records nothing.
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("[data-confirm-all] button[type=submit]")
    assert not HoldingConfirmation.objects.exists()
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click("[data-confirm-all] button[type=submit]")
    assert HoldingConfirmation.objects.filter(holder=holder).count() == 2
    phone.check("my-assets-confirmed-phone", full_page=True)

    # A fault on the laptop, from its card.
    with page.expect_navigation():
        page.click(f"[data-held='{laptop.tag}'] a[href='/assets/{laptop.tag}/']")
    with page.expect_navigation():
        page.click(f"a[href='/assets/{laptop.tag}/report-fault/']")
    phone.check("report-fault-phone")
    page.fill("#id_fault", "屏幕闪烁" if language == "zh-hans" else "Screen flickers")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.url.endswith(f"/assets/{laptop.tag}/")
    assert RepairRecord.objects.get(asset=laptop).reported_by == holder
    phone.check("card-fault-reported-phone", full_page=True)
