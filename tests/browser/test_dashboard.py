"""The dashboard (概览) in a browser: signing in lands on it, the charts are drawn by the vendored
Chart.js (no outside host), each chart's table opens, phone and desk, Chinese and English."""

import datetime as dt
import json
from decimal import Decimal

import pytest

from tests.browser.support import DESK, PHONE, Visit, sign_in
from tests.factories import make_asset

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def register(centre, other_bureau, clerk):
    make_asset(
        owner=centre,
        actor=clerk,
        name="核心交换机",
        category_code="A02010200",
        in_service_on=dt.date(2016, 5, 1),
        original_value=Decimal("180000.00"),
    )
    make_asset(
        owner=centre,
        actor=clerk,
        name="台式计算机",
        in_service_on=dt.date(2023, 9, 1),
        original_value=Decimal("6500.00"),
    )
    make_asset(
        owner=centre,
        actor=clerk,
        name="便携式计算机",
        category_code="A02010108",
        status="in_stock",
        in_service_on=dt.date(2021, 3, 1),
        original_value=Decimal("9000.00"),
    )
    make_asset(
        owner=other_bureau,
        name="卫健委服务器",
        category_code="A02010104",
        in_service_on=dt.date(2019, 1, 1),
        original_value=Decimal("88000.00"),
    )


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(("size", "shot"), [(PHONE, "dashboard-phone"), (DESK, "dashboard")])
def test_clerk_signs_in_to_the_dashboard_and_reads_charts_and_tables(
    language, size, shot, base_url, new_context, register, clerk
):
    visit = Visit(new_context(language, **size), language=language)
    page = visit.page
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(base_url) else None)
    sign_in(visit, base_url, "clerk")
    assert page.url.rstrip("/").endswith("/dashboard"), page.url
    page.wait_for_function("() => typeof Chart !== 'undefined'")
    drawn = page.evaluate(
        "() => [...document.querySelectorAll('canvas[data-chart]')].map((c) => !!Chart.getChart(c))"
    )
    assert drawn and all(drawn), drawn
    visit.check(shot, full_page=True)
    summary = page.locator("details.dashboard-table summary").first
    summary.click()
    table = page.locator("details.dashboard-table").first.locator("table")
    assert table.is_visible()
    assert "核心交换机" in page.content()  # past its useful life
    assert "卫健委服务器" not in page.content()
    assert not outside, outside


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(
    ("size", "shot"), [(PHONE, "dashboard-office-phone"), (DESK, "dashboard-office")]
)
def test_an_office_clerk_reads_the_cards_their_office_uses(
    language, size, shot, base_url, new_context, register, centre
):
    """The centre owns the cards, its office uses one: the office's clerk sees it counted
    (walk finding 4: the dashboard read the owning department, the register the using one)."""
    from tests.factories import DepartmentFactory, UserFactory

    office = DepartmentFactory(code="BDC-OPS", name="运维保障部", kind="office", parent=centre)
    UserFactory(username="office_clerk", department=office, roles=["clerk"])
    make_asset(
        owner=centre,
        using_department=office,
        name="运维服务器",
        category_code="A02010104",
        in_service_on=dt.date(2015, 6, 1),
        original_value=Decimal("80000.00"),
    )
    visit = Visit(new_context(language, **size), language=language)
    page = visit.page
    sign_in(visit, base_url, "office_clerk")
    page.wait_for_function("() => typeof Chart !== 'undefined'")
    visit.check(shot, full_page=True)
    html = page.content()
    assert "运维服务器" in html  # past its useful life, listed
    assert "核心交换机" not in html  # the centre's own, not the office's
    department = json.loads(page.locator("#chart-department").inner_text())
    assert department["labels"] == ["市大数据中心"]
    assert department["series"][0]["data"] == [80000.0]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(
    ("size", "shot"), [(PHONE, "dashboard-campaign-phone"), (DESK, "dashboard-campaign")]
)
def test_an_auditor_reads_the_departments_most_behind_and_opens_the_progress_of_all(
    language, size, shot, base_url, new_context, centre, admin_user, auditor
):
    """Issue 21: a province's campaign has 1,200 departments; the panel lists the ten most
    behind and says how many more there are, linking to the campaign's progress of all."""
    from inventory import dashboard
    from tests.factories import DepartmentFactory, make_campaign

    shown = dashboard.MOST_BEHIND_SHOWN
    for i in range(1, shown + 6):
        office = DepartmentFactory(
            code=f"BDC-{i:02d}", name=f"科室{i:02d}", kind="office", parent=centre
        )
        for n in range(2 if i > shown else 1):
            make_asset(owner=office, name=f"科室{i:02d}的电脑{n}")
    campaign = make_campaign(actor=admin_user, departments=[centre])
    visit = Visit(new_context(language, **size), language=language)
    page = visit.page
    sign_in(visit, base_url, "auditor")
    page.wait_for_function("() => typeof Chart !== 'undefined'")
    panel = page.locator("section[aria-labelledby='panel-current_campaign']")
    panel.scroll_into_view_if_needed()
    visit.check(shot, full_page=True)
    chart = json.loads(page.locator("#chart-current_campaign").inner_text())
    assert len(chart["labels"]) == shown and chart["labels"][0] == f"科室{shown + 1:02d}"
    more = panel.locator("[data-panel-more]")
    assert more.is_visible()
    assert ("另有 5 个部门" if language == "zh-hans" else "5 more departments") in more.inner_text()
    panel.locator("details.dashboard-table summary").click()
    assert panel.locator("tbody tr").count() == shown
    # The opened table scrolls in its card: the page is no wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    more.locator("a").click()
    page.wait_for_url(f"**/stocktakes/{campaign.pk}/#progress-by-department")
    section = page.locator("#progress-by-department")
    assert section.get_by_text("科室06", exact=True).is_visible()
