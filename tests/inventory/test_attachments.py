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


def test_the_difference_page_lists_its_files_and_offers_the_upload(client, api, clerk, difference):
    from django.urls import reverse

    upload(api, clerk, f"difference:{difference.pk}")
    client.force_login(clerk)
    url = reverse("inventory:difference-detail", args=[difference.campaign_id, difference.pk])
    page = client.get(url).content.decode()
    assert "损坏.png" in page
    assert "attachments/new/?subject=difference%3A" in page


def test_the_auditor_downloads_the_campaigns_files_as_one_zip(
    client, api, clerk, auditor, difference
):
    import hashlib
    import io
    import zipfile

    from django.urls import reverse

    upload(api, clerk, f"difference:{difference.pk}")
    client.force_login(auditor)
    response = client.get(
        reverse("inventory:campaign-attachments-zip", args=[difference.campaign_id])
    )
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    (line,) = archive.read("SHA256SUMS").decode().splitlines()
    digest, path = line.split("  ", 1)
    assert path.startswith(f"difference-{difference.pk}/")
    assert (
        hashlib.sha256(archive.read(path)).hexdigest()
        == digest
        == hashlib.sha256(files.png_bytes()).hexdigest()
    )


def test_the_campaign_zip_is_404_to_who_does_not_read_the_campaign(
    client, api, clerk, other_clerk, difference
):
    from django.urls import reverse

    upload(api, clerk, f"difference:{difference.pk}")
    client.force_login(other_clerk)
    url = reverse("inventory:campaign-attachments-zip", args=[difference.campaign_id])
    assert client.get(url).status_code == 404


def test_the_card_page_lists_the_files_of_its_stocktake_difference(client, api, clerk, difference):
    from django.urls import reverse

    upload(api, clerk, f"difference:{difference.pk}")
    client.force_login(clerk)
    page = client.get(reverse("assets:asset-detail", args=[difference.line.asset.tag]))
    body = page.content.decode()
    assert "损坏.png" in body
    assert (
        reverse("inventory:difference-detail", args=[difference.campaign_id, difference.pk]) in body
    )
