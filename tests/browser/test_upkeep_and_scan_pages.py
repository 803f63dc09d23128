"""Walk 2 findings 8, 9 and 30 in the browser (phone and desk, zh-hans and English): the upkeep
page's work lists, reached from the dashboard tile on their section; a voided label's public page;
the register's note for a page past the end."""

from datetime import timedelta

import pytest
from django.utils import timezone

from assets.custody import services as cs
from assets.maintenance import services as ms
from assets.models import CustodyRecord
from labels import services as label_services
from labels.models import LabelTemplate
from tests.browser.support import DESK, PHONE, Visit, sign_in
from tests.factories import UserFactory, make_asset

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def work(centre, clerk):
    holder = UserFactory(
        username="zhangchi", display_name="张持有", department=centre, roles=["staff"]
    )
    reported = make_asset(owner=centre, name="机架式服务器")
    cs.checkout_asset(asset=reported, actor=clerk, holder=holder)
    ms.report_fault(asset=reported, actor=holder, fault="风扇异响，告警灯亮")
    late = make_asset(owner=centre, name="笔记本电脑")
    record = cs.checkout_asset(asset=late, actor=clerk, holder=holder)
    CustodyRecord.objects.filter(pk=record.pk).update(
        due_on=timezone.localdate() - timedelta(days=3)
    )
    return reported, late


def _visit(new_context, language, device):
    return Visit(new_context(language, **(PHONE if device == "phone" else DESK)), language=language)


@pytest.mark.parametrize("device", ["phone", "desk"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_dashboard_tile_lands_on_the_overdue_list_of_the_upkeep_page(
    language, device, base_url, new_context, work
):
    reported, late = work
    visit = _visit(new_context, language, device)
    page = visit.page
    sign_in(visit, base_url, "clerk")
    visit.goto(f"{base_url}/dashboard/")
    page.click("a[href='/upkeep/#overdue']")
    page.wait_for_url("**/upkeep/#overdue")
    assert page.locator("#overdue").is_visible()
    assert page.locator(f"[data-overdue-row='{late.tag}'] a[href$='/custody/']").count() == 1
    assert page.locator(f"[data-repair-row='{reported.tag}'] a[href$='/repairs/']").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    suffix = "-phone" if device == "phone" else ""
    visit.check(f"clerk-upkeep-overdue{suffix}")
    page.locator("#faults").scroll_into_view_if_needed()
    visit.check(f"clerk-upkeep-faults{suffix}")


@pytest.mark.parametrize("device", ["phone", "desk"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_voided_labels_public_page_says_voided(
    language, device, base_url, new_context, centre, clerk, django_capture_on_commit_callbacks
):
    card = make_asset(owner=centre, name="核心交换机")
    with django_capture_on_commit_callbacks(execute=True):
        label_services.print_labels(
            actor=clerk, assets=[card], template=LabelTemplate.objects.get(code="a4-70x40")
        )
    label_services.void_label(actor=clerk, asset=card, reason="标签污损")
    visit = _visit(new_context, language, device)
    visit.goto(f"{base_url}/a/{card.tag}?l=1")
    note = visit.page.inner_text("[data-old-label]")
    assert note == visit.t("This label has been voided. Please tell the owning unit.")
    suffix = "-phone" if device == "phone" else ""
    visit.check(f"public-label-voided{suffix}")


@pytest.mark.parametrize("device", ["phone", "desk"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_register_says_a_page_past_the_end_shows_the_last(
    language, device, base_url, new_context, centre, clerk
):
    make_asset(owner=centre, name="台式计算机")
    visit = _visit(new_context, language, device)
    sign_in(visit, base_url, "clerk")
    visit.goto(f"{base_url}/?page=9999&status=bogus")
    notes = visit.page.locator("[data-list-note]").all_inner_texts()
    assert len(notes) == 2, notes
    assert visit.page.locator(".filters-fold summary .badge").count() == 0
    suffix = "-phone" if device == "phone" else ""
    visit.check(f"clerk-register-page-notes{suffix}")
