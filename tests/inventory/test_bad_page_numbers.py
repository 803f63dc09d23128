"""walk4-16: every paginated page answers a bad page number with a page and a note, as the
register does (one implementation: config.pagination.ForgivingPagesMixin), never a 404."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PAGES = [
    ("assets:asset-list", False),
    ("inventory:campaign-list", False),
    ("inventory:line-list", True),
    ("inventory:difference-list", True),
    ("assets:handover-list", False),
    ("assets:disposal-list", False),
    ("labels:batch-list", False),
    ("inventory:notification-list", False),
]


def _url(name, campaign):
    return reverse(name, args=[campaign.pk]) if campaign is not None else reverse(name)


@pytest.mark.parametrize(("name", "per_campaign"), PAGES)
@pytest.mark.parametrize(
    ("raw", "note"),
    [
        ("abc", "“abc”不是有效的页码：已显示第一页。"),
        ("9999", "没有第 9999 页：已显示最后一页（第 1 页）。"),
    ],
)
def test_a_bad_page_number_shows_a_page_and_says_so(
    client, admin_user, active, name, per_campaign, raw, note
):
    client.force_login(admin_user)
    url = _url(name, active if per_campaign else None)
    response = client.get(url, {"page": raw}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200, url
    assert note in response.content.decode(), url
