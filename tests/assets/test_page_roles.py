"""A plain holder (staff) lands on the cards they hold (walk 5); the disposal and
reconciliation pages follow their header link's rule (walk 39)."""

import pytest
from django.urls import reverse

from tests.factories import DepartmentFactory, UserFactory

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}

pytestmark = pytest.mark.django_db


def test_a_plain_holder_signs_in_to_their_own_assets(client):
    """Walk 5: a holder's dashboard showed another scope's zeros; their home is "my assets"."""
    holder = UserFactory(username="holder2", department=DepartmentFactory(), roles=["staff"])
    client.force_login(holder)
    response = client.get(reverse("assets:dashboard"), **ZH)
    assert response.status_code == 302
    assert response["Location"] == reverse("assets:my-assets")


DISPOSALS = ("资产处置单仅供资产管理部门和审批人员查阅", "for the asset office and approvers")
RECONCILIATIONS = ("与财务对账由资产管理部门办理", "Reconciliation with finance is for")
PAGES = [
    ("assets:disposal-list", *DISPOSALS),
    ("assets:disposal-inbox", *DISPOSALS),
    ("assets:disposal-create", *DISPOSALS),
    ("assets:reconciliation-upload", *RECONCILIATIONS),
]


@pytest.mark.parametrize("role", ["receiver", "staff"])
@pytest.mark.parametrize(("url", "zh", "en"), PAGES)
def test_roles_without_the_header_link_meet_the_sites_403_page(client, role, url, zh, en):
    """Walk 39: a receiver opened /disposals/ by URL and met a form they could not submit."""
    user = UserFactory(username=f"no-{role}", department=DepartmentFactory(), roles=[role])
    client.force_login(user)
    home = client.get(reverse("assets:my-assets"), **ZH).content.decode()
    assert f'href="{reverse(url)}"' not in home
    for headers, words in ((ZH, zh), (EN, en)):
        response = client.get(reverse(url), **headers)
        assert response.status_code == 403
        body = response.content.decode()
        assert words in body
        assert f'href="{reverse("assets:my-assets")}"' in body  # the site's navigation


@pytest.mark.parametrize("role", ["clerk", "auditor", "approver", "admin"])
def test_the_roles_of_the_links_open_the_pages(client, role):
    user = UserFactory(username=f"office-{role}", department=DepartmentFactory(), roles=[role])
    client.force_login(user)
    home = client.get(reverse("assets:my-assets"), **ZH).content.decode()
    assert f'href="{reverse("assets:disposal-list")}"' in home
    assert client.get(reverse("assets:disposal-list"), **ZH).status_code == 200
    reconciles = role != "approver"
    assert (f'href="{reverse("assets:reconciliation-upload")}"' in home) is reconciles
    status = client.get(reverse("assets:reconciliation-upload"), **ZH).status_code
    assert status == (200 if reconciles else 403)
