"""Evidence on a stocktake difference (`difference:ID`, registered by inventory)."""

import pytest

from inventory.models import Difference
from inventory.services import campaigns
from tests.assets.attachments import files

pytestmark = pytest.mark.django_db

URL = "/api/v1/attachments/"


@pytest.fixture
def difference(active, admin_user):
    campaigns.close_campaign(campaign=active, actor=admin_user)
    return Difference.objects.filter(campaign=active).first()


def upload(api, user, subject):
    return api.as_user(user).post(
        URL,
        {"file": files.upload(files.png_bytes(), "损坏.png"), "subject": subject, "kind": "photo"},
        format="multipart",
    )


def test_a_clerk_attaches_a_photo_to_a_difference(api, clerk, difference, auditor):
    subject = f"difference:{difference.pk}"
    response = upload(api, clerk, subject)
    assert response.status_code == 201, response.content
    assert response.json()["subject"] == subject
    listed = api.as_user(auditor).get(URL, {"subject": subject}).json()["results"]
    assert [row["id"] for row in listed] == [response.json()["id"]]
    assert api.get(f"{URL}{listed[0]['id']}/file").status_code == 200


def test_another_departments_clerk_cannot_see_or_attach(api, clerk, other_clerk, difference):
    subject = f"difference:{difference.pk}"
    attachment = upload(api, clerk, subject).json()
    assert upload(api, other_clerk, subject).status_code == 400
    assert api.as_user(other_clerk).get(f"{URL}{attachment['id']}/file").status_code == 404
    assert api.get(URL, {"subject": subject}).json()["results"] == []
