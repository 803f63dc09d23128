"""The dashboard (概览): the register at a glance in the reader's scope, every chart with its
table, open-work counters from every package, a bounded number of queries."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from assets.reports import dashboard
from tests.factories import make_asset

pytestmark = pytest.mark.django_db


def page(client, user):
    client.force_login(user)
    response = client.get(reverse("assets:dashboard"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    return response


@pytest.fixture
def register(centre, other_bureau):
    make_asset(
        owner=centre,
        name="旧服务器",
        in_service_on=dt.date(2015, 3, 1),
        category_code="A02010104",
        original_value=Decimal("50000.00"),
    )
    make_asset(
        owner=centre,
        name="新电脑",
        in_service_on=timezone.localdate(),
        original_value=Decimal("6000.00"),
    )
    make_asset(
        owner=other_bureau,
        name="别人的旧电脑",
        in_service_on=dt.date(2014, 1, 1),
        original_value=Decimal("7000.00"),
    )


def chart(response, key):
    html = response.content.decode()
    marker = f'<script id="chart-{key}" type="application/json">'
    start = html.index(marker) + len(marker)
    return json.loads(html[start : html.index("</script>", start)])


def test_a_clerk_sees_their_departments_figures_only(client, clerk, register):
    response = page(client, clerk)
    html = response.content.decode()
    assert "旧服务器" in html  # past its useful life, listed
    assert "别人的旧电脑" not in html
    by_department = chart(response, "department")
    assert by_department["labels"] == ["市大数据中心"]
    assert by_department["series"][0]["data"] == [56000.0]
    # The chart's numbers are in its table too.
    assert "¥56,000.00" in html


def test_an_auditor_sees_the_whole_register(client, auditor, register):
    response = page(client, auditor)
    by_department = chart(response, "department")
    assert sorted(by_department["labels"]) == ["市卫健委", "市大数据中心"]
    age = chart(response, "age")
    past = dict(zip(age["labels"], age["series"][1]["data"], strict=True))
    assert past["10 年及以上"] == 2
    assert "别人的旧电脑" in response.content.decode()


def test_every_package_adds_its_counters_and_panels(client, clerk, register):
    keys = {counter["key"] for counter in dashboard.open_work(clerk)}
    assert {"pending_handovers", "overdue_handovers", "open_differences"} <= keys
    html = page(client, clerk).content.decode()
    assert "标签覆盖" in html  # registered by labels


def test_the_page_runs_a_bounded_number_of_queries(
    client, clerk, register, django_assert_max_num_queries
):
    client.force_login(clerk)
    with django_assert_max_num_queries(25):
        client.get(reverse("assets:dashboard"))
    for index in range(20):
        make_asset(owner=clerk.department, name=f"卡片{index}", category_code="A02010108")
    with django_assert_max_num_queries(25):
        client.get(reverse("assets:dashboard"))


def test_signing_in_lands_on_the_dashboard(client, clerk):
    clerk.set_password("pw-Yika-2026!")
    clerk.save()
    response = client.post(reverse("login"), {"username": "clerk", "password": "pw-Yika-2026!"})
    assert response.status_code == 302
    assert response["Location"] == reverse("assets:dashboard")


def test_the_report_links_download_the_files(client, clerk, register):
    import re

    html = page(client, clerk).content.decode()
    links = re.findall(r'href="(/api/v1/reports/[^"]+)"', html)
    assert len(links) == 4
    for link in links:
        response = client.get(link.replace("&amp;", "&"))
        assert response.status_code == 200, link
        assert response["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize("who", ["auditor", "clerk"])
def test_the_dashboard_statement_answers_what_the_orm_oracle_answers(request, who, register):
    from assets.reports import selectors, sql
    from tests.assets.reports import oracle

    user = request.getfixturevalue(who)
    scope = selectors.scope_of(user)
    on = timezone.localdate()
    rows = sql.dashboard_rows(on=on, category_level=2, scope=scope)
    for panel, level in (("department", None), ("category", 2), ("status", None)):
        by = panel
        expected = oracle.balance(cutoff=timezone.now(), on=on, by=by, level=level, scope=scope)
        got = {
            (key if panel == "status" else int(key)): (booked, original)
            for p, key, _past, _count, booked, original in rows
            if p == panel and booked
        }
        assert got == {key: (count, value) for key, (count, value, _acc) in expected.items()}


def test_the_demo_register_is_in_the_dashboards_default_reports(client):
    """walk2-1: the demo's cards were registered as the demo loaded, so the dashboard's reports at
    yesterday's date (Asia/Shanghai) were empty. They are registered on their booking day."""
    import io

    from django.core.management import call_command

    from assets.models import Asset, AssetEvent, User

    call_command("seed_demo", stdout=io.StringIO())
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    client.force_login(User.objects.get(username="auditor"))
    response = client.get(
        reverse("report-balance"), {"on": yesterday.isoformat(), "by": "category"}
    )
    assert response.status_code == 200
    booked = Asset.objects.filter(booked_on__lte=yesterday).exclude(status="draft").count()
    assert booked > 400
    # The demo retires and idles a few cards today; yesterday every booked card was on the books.
    assert response.json()["totals"]["count"] == booked
    # Each card's `created` event carries the same moment as the card.
    card = Asset.objects.order_by("pk").first()
    assert AssetEvent.objects.get(asset=card, kind="created").at == card.created_at
    assert card.created_at.date() <= card.booked_on


def test_only_the_system_registers_a_card_in_the_past(clerk, centre):
    from assets import services
    from tests.factories import leaf_category

    with pytest.raises(ValueError):
        services.register_asset(
            actor=clerk,
            fields={
                "name": "旧电脑",
                "category": leaf_category("A02010105"),
                "owner_department": centre,
                "original_value": Decimal("5000.00"),
            },
            registered_at=timezone.now() - dt.timedelta(days=400),
        )


# ------------------------------------------------- an office clerk (new-user walk 4)


@pytest.fixture
def office_clerk(centre):
    from tests.factories import DepartmentFactory, UserFactory

    office = DepartmentFactory(code="BDC-OPS", name="运维保障部", kind="office", parent=centre)
    return UserFactory(username="office_clerk", department=office, roles=["clerk"])


@pytest.fixture
def used_by_the_office(office_clerk, centre, register):
    """The centre owns the cards, the office uses them (as the demo's 运维保障部 does)."""
    return make_asset(
        owner=centre,
        using_department=office_clerk.department,
        name="运维服务器",
        in_service_on=dt.date(2015, 6, 1),
        original_value=Decimal("80000.00"),
    )


def test_an_office_clerk_sees_the_cards_their_office_uses(client, office_clerk, used_by_the_office):
    """The dashboard counts the cards the register list shows the clerk: owned, used or managed
    in their scope (it read the owning department only, so an office clerk's was empty)."""
    from assets import permissions

    client.force_login(office_clerk)
    listed = client.get(reverse("assets:asset-list"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "运维服务器" in listed.content.decode()
    response = page(client, office_clerk)
    html = response.content.decode()
    by_department = chart(response, "department")
    assert by_department["labels"] == ["市大数据中心"]  # grouped by the owner
    assert by_department["series"][0]["data"] == [80000.0]
    status = chart(response, "status")
    assert sum(status["series"][0]["data"]) == permissions.visible_assets(office_clerk).count()
    assert "运维服务器" in html  # past its useful life, listed
    assert "旧服务器" not in html  # the centre's own card, not used by the office
    assert "占有、使用或管理的资产" in html
    coverage = chart(response, "label_coverage")
    assert coverage["labels"] == ["市大数据中心"]


def test_the_office_clerks_reports_count_the_same_cards(client, office_clerk, used_by_the_office):
    """The dashboard's report links answer for the same cards as the dashboard."""
    from assets.reports import selectors

    today = timezone.localdate()
    balance = selectors.balance(user=office_clerk, on=today, by="department")
    assert balance["totals"]["count"] == 1
    assert balance["totals"]["original_value"] == "80000.00"


def test_the_report_links_use_the_beijing_date(client, clerk, register, monkeypatch):
    """At 01:30 in Beijing (17:30 UTC the day before) the page and its links say the Beijing
    dates: today the 5th, the reports at the end of the 4th."""
    moment = dt.datetime(2026, 12, 4, 17, 30, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    html = page(client, clerk).content.decode()
    assert "2026-12-05" in html
    assert "on=2026-12-04&amp;" in html
    assert "from=2026-01-01&amp;to=2026-12-04&amp;" in html
    assert "2026-12-03" not in html
