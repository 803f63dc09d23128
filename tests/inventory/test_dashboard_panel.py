"""The dashboard's current-stocktake panel (issue 21): an auditor or administrator reads the
campaign's totals and the departments most behind, told how many more there are with a link to
the campaign's progress by department, instead of every department of a provincial campaign
(1,200 rows at a million cards); a clerk keeps reading their own departments."""

import json

import pytest
from django.urls import reverse
from django.utils import translation

from inventory import dashboard
from tests.factories import DepartmentFactory, make_asset, make_campaign

pytestmark = pytest.mark.django_db

SHOWN = 10  # dashboard.MOST_BEHIND_SHOWN


@pytest.fixture
def campaign(centre, admin_user):
    """A campaign over the centre and SHOWN + 5 offices under it: the last five offices hold
    two cards each (two lines pending), the others one; the centre itself holds none."""
    for i in range(1, SHOWN + 6):
        office = DepartmentFactory(
            code=f"BDC-{i:02d}", name=f"科室{i:02d}", kind="office", parent=centre
        )
        for n in range(2 if i > SHOWN else 1):
            make_asset(owner=office, name=f"科室{i:02d}的电脑{n}")
    return make_campaign(actor=admin_user, departments=[centre])


def page(client, user, language="zh-hans"):
    client.force_login(user)
    response = client.get(reverse("assets:dashboard"), HTTP_ACCEPT_LANGUAGE=language)
    translation.activate("zh-hans")  # the site's language back for the tests after
    assert response.status_code == 200
    return response.content.decode()


def chart(html):
    marker = '<script id="chart-current_campaign" type="application/json">'
    start = html.index(marker) + len(marker)
    return json.loads(html[start : html.index("</script>", start)])


def test_an_administrator_reads_the_departments_most_behind_and_a_link_to_all(
    client, admin_user, campaign
):
    assert dashboard.MOST_BEHIND_SHOWN == SHOWN
    html = page(client, admin_user)
    data = chart(html)
    behind = [f"科室{i:02d}" for i in range(SHOWN + 1, SHOWN + 6)]  # two pending each
    ahead = [f"科室{i:02d}" for i in range(1, SHOWN - 4)]  # then by code
    assert data["labels"] == behind + ahead
    assert data["series"][1]["data"] == [2] * 5 + [1] * (SHOWN - 5)
    # The table holds the same rows, no more.
    panel = html[html.index('id="panel-current_campaign"') :]
    panel = panel[: panel.index("</section>")]
    assert panel.count("<tr>") == SHOWN + 1  # the head row and SHOWN
    assert "科室15" in panel and "科室06" not in panel
    # The totals are the whole campaign's, the sentence says what is left out and links to it.
    assert f"已完成 0 / {SHOWN + 10} 行" in panel
    assert f"待盘 {SHOWN + 10}" in panel
    assert f"待盘行数最多的 {SHOWN} 个部门（共 {SHOWN + 5} 个部门）。" in panel
    url = reverse("inventory:campaign-detail", args=[campaign.pk])
    assert f'另有 5 个部门，<a href="{url}#progress-by-department">查看全部进度</a>' in panel


def test_the_link_lands_on_the_progress_of_every_department(client, admin_user, campaign):
    client.force_login(admin_user)
    url = reverse("inventory:campaign-detail", args=[campaign.pk])
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    section = html[html.index('id="progress-by-department"') :]
    section = section[: section.index("</section>")]
    assert all(f"科室{i:02d}" in section for i in range(1, SHOWN + 6))


def test_the_panel_says_so_in_english(client, auditor, campaign):
    html = page(client, auditor, "en")
    url = reverse("inventory:campaign-detail", args=[campaign.pk])
    assert f"The {SHOWN} departments with the most lines pending, of {SHOWN + 5}." in html
    assert f'5 more departments: <a href="{url}#progress-by-department">' in html
    assert "see the progress of all</a>" in html


def test_a_large_count_reads_with_thousands_separated(admin_user, centre, monkeypatch):
    """At a province's size: "另有 1,190 个部门"."""
    from inventory import selectors

    rows = [
        {"code": f"D{i:04d}", "name": f"部门{i}", "total": 3, "counted": 1, "shortage": 0,
         "pending": 2, "done": 1, "percent": 33.3, "counted_percent": 33.3, "by_holder": 0,
         "handed_over": 0}
        for i in range(1200)
    ]  # fmt: skip
    make_asset(owner=centre)
    make_campaign(actor=admin_user, departments=[centre])
    monkeypatch.setattr(selectors, "progress", lambda **kwargs: rows)
    panel = dashboard.current_campaign(admin_user)
    assert len(panel["rows"]) == SHOWN
    assert "另有 1,190 个部门" in panel["more"]
    assert "（共 1,200 个部门）" in panel["caption"]


def test_a_clerk_keeps_reading_their_own_departments(client, clerk, campaign):
    html = page(client, clerk)
    data = chart(html)
    assert data["labels"] == [f"科室{i:02d}" for i in range(1, SHOWN + 6)]  # all, by code
    assert "data-panel-more" not in html and "data-panel-caption" not in html


def test_a_small_campaign_shows_every_department_to_an_administrator(
    client, admin_user, centre, other_bureau
):
    make_asset(owner=centre)
    make_asset(owner=other_bureau)
    make_campaign(actor=admin_user, departments=[centre, other_bureau])
    html = page(client, admin_user)
    assert chart(html)["labels"] == ["市大数据中心", "市卫健委"]
    assert "data-panel-more" not in html
