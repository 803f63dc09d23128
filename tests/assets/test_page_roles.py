"""A plain holder (staff) lands on the cards they hold (walk 5)."""

import pytest
from django.urls import reverse

from tests.factories import DepartmentFactory, UserFactory

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}

pytestmark = pytest.mark.django_db


def test_a_plain_holder_signs_in_to_their_own_assets(client):
    """Walk 5: a holder's dashboard showed another scope's zeros; their home is "my assets"."""
    holder = UserFactory(username="holder2", department=DepartmentFactory(), roles=["staff"])
    client.force_login(holder)
    response = client.get(reverse("assets:dashboard"), **ZH)
    assert response.status_code == 302
    assert response["Location"] == reverse("assets:my-assets")
