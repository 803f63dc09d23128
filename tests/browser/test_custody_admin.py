"""Custody and upkeep in the Django admin, clicked: the administrator finds a loan by its
borrower, ticks it and checks it in with the list's action (issue 18)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from assets.custody import services as cs
from assets.models import Asset, CustodyRecord
from tests.browser.support import DESK, PHONE, Visit, sign_in
from tests.factories import UserFactory, make_asset

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_admin_checks_in_a_loan_from_the_custody_records(
    language, base_url, new_context, bureau, centre, clerk
):
    UserFactory(username="admin", department=bureau, roles=["admin"], is_staff=True)
    projector = make_asset(owner=centre, actor=clerk, name="投影仪")
    cs.lend_asset(
        asset=projector,
        actor=clerk,
        counterparty="市档案馆",
        due_on=timezone.localdate() + timedelta(days=7),
        approval_ref="批〔2025〕3号",
    )
    visit = Visit(new_context(language, **DESK), language=language)
    page = visit.page
    sign_in(visit, base_url, "admin")
    visit.goto(f"{base_url}/admin/assets/custodyrecord/?q=市档案馆")
    assert projector.tag in page.inner_text("#result_list")
    visit.screenshot("admin-custody-records")
    page.check("#result_list input[name=_selected_action]")
    page.select_option("select[name=action]", "check_in_selected")
    with page.expect_navigation():
        page.click("button[name=index]")
    assert CustodyRecord.objects.get(asset=projector).state == "closed"
    assert Asset.objects.get(pk=projector.pk).status == "in_use"
    assert page.query_selector(".messagelist .success")
    visit.goto(f"{base_url}/admin/assets/repairrecord/")
    visit.screenshot("admin-repair-records")
    phone = Visit(new_context(language, **PHONE), language=language)
    sign_in(phone, base_url, "admin")
    phone.goto(f"{base_url}/admin/assets/custodyrecord/")
    phone.screenshot("admin-custody-records-phone", full_page=True)
    assert visit.errors == [] and phone.errors == []
