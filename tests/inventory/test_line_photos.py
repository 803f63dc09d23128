"""Count photos (a surplus find 盘盈, an embedded device in its host) are evidence on their line
(`stocktake_line:ID`, assets.attachments): stored once by SHA-256, served with the attachments'
checks, listed on the difference page; the photos kept before move over without a loss."""

import hashlib
import importlib
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assets.attachments.models import Attachment, Blob
from inventory.models import Difference, StocktakeLine
from inventory.services import campaigns, scanning
from tests.assets.attachments.files import png_bytes, use_attachment_storage

pytestmark = pytest.mark.django_db

migration = importlib.import_module(
    "inventory.migrations.0013_holder_confirmations_leavers_surplus_photos"
)


@pytest.fixture(autouse=True)
def storage_root(settings, tmp_path):
    use_attachment_storage(settings, tmp_path)
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return tmp_path


def _photo(name="found.png", color=(200, 30, 30)):
    return SimpleUploadedFile(name, png_bytes(color), content_type="image/png")


def test_a_surplus_photo_is_evidence_on_its_line(active, clerk, storage_root):
    line = scanning.record_surplus(
        campaign=active, actor=clerk, note="机柜里的交换机", photo=_photo()
    )
    attachment = Attachment.objects.get(subject_kind="stocktake_line", subject_id=line.pk)
    assert attachment.kind == "photo" and attachment.uploaded_by == clerk
    assert attachment.blob.sha256 == hashlib.sha256(png_bytes()).hexdigest()
    line.refresh_from_db()
    assert line.photo == ""  # nothing kept beside the attachments any more
    assert not (storage_root / "private" / "stocktake").exists()


def test_a_refused_photo_records_no_surplus_find(active, clerk):
    fake = SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\n" + b"0" * 32, content_type="image/png")
    with pytest.raises(Exception) as error:
        scanning.record_surplus(campaign=active, actor=clerk, note="坏图片", photo=fake)
    assert "photo" in error.value.message_dict
    assert not StocktakeLine.objects.filter(campaign=active, kind="surplus").exists()
    assert not Blob.objects.exists()


def test_the_photo_is_served_with_the_attachment_checks_to_readers_only(
    client, active, clerk, other_clerk
):
    line = scanning.record_surplus(campaign=active, actor=clerk, note="机柜", photo=_photo())
    url = reverse("inventory:line-photo", args=[active.pk, line.pk])
    client.force_login(clerk)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-SHA256"] == hashlib.sha256(png_bytes()).hexdigest()
    assert b"".join(response.streaming_content) == png_bytes()
    attachment = Attachment.objects.get(subject_kind="stocktake_line", subject_id=line.pk)
    client.force_login(other_clerk)
    assert client.get(url).status_code == 404
    assert client.get(reverse("assets:attachment-file", args=[attachment.pk])).status_code == 404


def test_the_difference_page_lists_the_lines_photo(client, active, clerk, admin_user, auditor):
    line = scanning.record_surplus(campaign=active, actor=clerk, note="机柜", photo=_photo())
    campaigns.close_campaign(campaign=active, actor=admin_user)
    difference = Difference.objects.get(line=line)
    attachment = Attachment.objects.get(subject_kind="stocktake_line", subject_id=line.pk)
    client.force_login(auditor)
    page = client.get(
        reverse("inventory:difference-detail", args=[active.pk, difference.pk])
    ).content.decode()
    assert f'data-subject="stocktake_line:{line.pk}"' in page
    assert f'data-attachment="{attachment.pk}"' in page
    listing = client.get(reverse("inventory:difference-list", args=[active.pk])).content.decode()
    assert reverse("inventory:line-photo", args=[active.pk, line.pk]) in listing


def test_the_migration_moves_every_kept_photo_and_loses_none(client, active, clerk, storage_root):
    kept = storage_root / "private" / "stocktake" / str(active.pk)
    kept.mkdir(parents=True)
    (kept / "a.png").write_bytes(png_bytes((1, 2, 3)))
    (kept / "b.png").write_bytes(png_bytes((1, 2, 3)))  # the same bytes: one blob
    lines = [
        scanning.record_surplus(campaign=active, actor=clerk, note=f"旧照片{n}") for n in range(3)
    ]
    for line, name in zip(lines, ["a.png", "b.png", "gone.png"], strict=True):
        StocktakeLine.objects.filter(pk=line.pk).update(photo=f"stocktake/{active.pk}/{name}")
    migration.copy_photos(apps, None)
    migration.copy_photos(apps, None)  # a rerun adds none
    moved = Attachment.objects.filter(subject_kind="stocktake_line", kind="photo")
    assert sorted(moved.values_list("subject_id", flat=True)) == [lines[0].pk, lines[1].pk]
    assert Blob.objects.count() == 1
    assert set(moved.values_list("uploaded_by", flat=True)) == {clerk.pk}
    # Nothing is lost: every line keeps its path, and the files stay where they were.
    assert StocktakeLine.objects.exclude(photo="").count() == 3
    assert (kept / "a.png").is_file()
    client.force_login(clerk)
    served = client.get(reverse("inventory:line-photo", args=[active.pk, lines[0].pk]))
    assert served["X-Content-SHA256"] == hashlib.sha256(png_bytes((1, 2, 3))).hexdigest()
    gone = client.get(reverse("inventory:line-photo", args=[active.pk, lines[2].pk]))
    assert gone.status_code == 404
    assert Path(kept / "a.png").read_bytes() == png_bytes((1, 2, 3))
