"""A plain holder (staff) is refused the pages their header does not offer (walk 39)."""

import pytest
from django.urls import reverse

from tests.factories import DepartmentFactory, UserFactory

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("assets:disposal-list", "资产处置单仅供资产管理部门和审批人员查阅"),
        ("assets:reconciliation-upload", "与财务对账由资产管理部门办理"),
    ],
)
def test_staff_are_refused_the_disposal_and_reconciliation_pages(client, url, words):
    holder = UserFactory(username="holder", department=DepartmentFactory(), roles=["staff"])
    client.force_login(holder)
    home = client.get(reverse("assets:dashboard"), **ZH).content.decode()
    assert f'href="{reverse(url)}"' not in home
    response = client.get(reverse(url), **ZH)
    assert response.status_code == 403
    assert words in response.content.decode()


@pytest.mark.parametrize("role", ["clerk", "auditor"])
def test_the_asset_office_still_opens_them(client, role):
    user = UserFactory(username=f"office-{role}", department=DepartmentFactory(), roles=[role])
    client.force_login(user)
    for url in ("assets:disposal-list", "assets:reconciliation-upload"):
        assert client.get(reverse(url), **ZH).status_code == 200


def test_a_plain_holder_signs_in_to_their_own_assets(client):
    """Walk 5: a holder's dashboard showed another scope's zeros; their home is "my assets"."""
    holder = UserFactory(username="holder2", department=DepartmentFactory(), roles=["staff"])
    client.force_login(holder)
    response = client.get(reverse("assets:dashboard"), **ZH)
    assert response.status_code == 302
    assert response["Location"] == reverse("assets:my-assets")
