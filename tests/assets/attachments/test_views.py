"""The evidence pages: the card's and the handover's files panel, upload, preview, withdraw,
the handover ZIP with its SHA-256 manifest."""

import csv
import hashlib
import io
import zipfile

import pytest
from django.urls import reverse

from assets.attachments import services
from assets.attachments.models import Attachment, AttachmentWithdrawal
from assets.handovers import services as hs
from tests.assets.attachments import files
from tests.assets.attachments.conftest import stored_files
from tests.factories import make_asset

pytestmark = pytest.mark.django_db


@pytest.fixture
def card(centre):
    return make_asset(owner=centre, name="核心交换机")


def attach(actor, subject, data=None, name="发票.pdf", kind="invoice"):
    return services.add_attachment(
        actor=actor,
        subject=subject,
        kind=kind,
        upload=files.upload(files.pdf_bytes() if data is None else data, name),
    )


def upload_url(subject):
    return f"{reverse('assets:attachment-upload')}?subject={subject}"


def card_url(card):
    return reverse("assets:asset-detail", args=[card.tag])


@pytest.fixture
def handed_over(project, clerk, receiver, centre):
    """A card that came through a decided handover, with a file on the handover."""
    asset = make_asset(owner=centre, project=project, name="政务云服务器")
    handover = hs.create_handover(actor=clerk, project=project, assets=[asset])
    hs.submit_handover(handover=handover, actor=clerk)
    attach(
        receiver,
        f"handover:{handover.number}",
        files.png_bytes(),
        "签字页.png",
        "acceptance_report",
    )
    hs.decide_handover(
        handover=handover,
        actor=receiver,
        decisions=[hs.ItemDecision(tag=asset.tag, result="accepted", reason="")],
    )
    return asset, handover


def test_the_card_page_lists_its_files_and_offers_the_upload_to_clerks(client, clerk, card):
    attach(clerk, f"asset:{card.tag}", name="采购发票.pdf")
    client.force_login(clerk)
    page = client.get(card_url(card)).content.decode()
    assert "采购发票.pdf" in page
    assert upload_url(f"asset:{card.tag}").replace(":", "%3A") in page
    assert 'enctype="multipart/form-data"' in page


def test_the_auditor_sees_the_files_but_no_upload_form(client, clerk, auditor, card):
    attach(clerk, f"asset:{card.tag}", name="采购发票.pdf")
    client.force_login(auditor)
    page = client.get(card_url(card)).content.decode()
    assert "采购发票.pdf" in page
    assert "attachments/new/" not in page
    assert "/withdraw/" not in page


def test_the_card_page_shows_the_files_of_the_handover_that_brought_it(
    client, receiver, handed_over
):
    asset, handover = handed_over
    client.force_login(receiver)
    page = client.get(card_url(asset)).content.decode()
    assert "签字页.png" in page
    assert handover.number in page


def test_uploading_on_the_page_attaches_and_goes_back_to_the_card(client, clerk, card):
    client.force_login(clerk)
    response = client.post(
        upload_url(f"asset:{card.tag}"),
        {"kind": "invoice", "file": files.upload(files.pdf_bytes(), "../../发票\n2024.pdf")},
    )
    assert response.status_code == 302 and response["Location"] == card_url(card)
    attachment = Attachment.objects.get()
    assert attachment.file_name == "发票2024.pdf"
    assert "发票2024.pdf" in client.get(card_url(card)).content.decode()


def test_an_exe_renamed_pdf_comes_back_with_the_reason_at_the_file(
    client, clerk, card, attachment_root
):
    client.force_login(clerk)
    response = client.post(
        upload_url(f"asset:{card.tag}"),
        {"kind": "invoice", "file": files.upload(files.exe_bytes(), "发票.pdf")},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "This kind of file is not accepted" in response.content.decode()
    assert not Attachment.objects.exists() and stored_files(attachment_root) == []


def test_a_file_over_the_limit_is_refused_before_it_is_read(client, clerk, card, settings):
    settings.YIKA_ATTACHMENT_MAX_MB = 1
    client.force_login(clerk)
    response = client.post(
        upload_url(f"asset:{card.tag}"),
        {"kind": "invoice", "file": files.upload(b"%PDF-" + b"0" * (2 * 1024 * 1024))},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "larger than 1 MB" in response.content.decode()


def test_another_departments_card_has_no_upload_page(client, other_clerk, card):
    client.force_login(other_clerk)
    assert client.get(upload_url(f"asset:{card.tag}")).status_code == 404
    response = client.post(upload_url(f"asset:{card.tag}"), {"kind": "invoice"})
    assert response.status_code == 404


def test_the_preview_of_an_image_is_inline_and_sandboxed(client, clerk, card):
    attachment = attach(clerk, f"asset:{card.tag}", files.png_bytes(), "照片.png", "photo")
    client.force_login(clerk)
    response = client.get(reverse("assets:attachment-preview", args=[attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline;")
    assert response["Content-Security-Policy"].startswith("sandbox;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_an_office_file_is_never_shown_inline(client, clerk, card):
    attachment = attach(clerk, f"asset:{card.tag}", files.docx_bytes(), "合同.docx", "contract")
    client.force_login(clerk)
    response = client.get(reverse("assets:attachment-preview", args=[attachment.pk]))
    assert response["Content-Disposition"].startswith("attachment;")


def test_another_departments_file_is_404_on_the_pages(client, clerk, other_clerk):
    theirs = make_asset(owner=other_clerk.department)
    attachment = attach(other_clerk, f"asset:{theirs.tag}")
    client.force_login(clerk)
    for name in ("attachment-file", "attachment-preview", "attachment-withdraw"):
        assert client.get(reverse(f"assets:{name}", args=[attachment.pk])).status_code == 404


def test_withdrawing_asks_first_then_marks_the_file(client, clerk, card):
    attachment = attach(clerk, f"asset:{card.tag}", name="错传.pdf")
    client.force_login(clerk)
    url = reverse("assets:attachment-withdraw", args=[attachment.pk])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "cannot be undone" in page and "data-confirm" in page
    response = client.post(url, {"reason": "传错了卡片"})
    assert response.status_code == 302
    assert AttachmentWithdrawal.objects.get().reason == "传错了卡片"
    after = client.get(card_url(card)).content.decode()
    assert "错传.pdf" in after and "传错了卡片" in after


def test_withdrawing_without_a_reason_changes_nothing(client, clerk, card):
    attachment = attach(clerk, f"asset:{card.tag}")
    client.force_login(clerk)
    response = client.post(reverse("assets:attachment-withdraw", args=[attachment.pk]), {})
    assert response.status_code == 200
    assert not AttachmentWithdrawal.objects.exists()


def test_the_auditor_may_not_withdraw(client, clerk, auditor, card):
    attachment = attach(clerk, f"asset:{card.tag}")
    client.force_login(auditor)
    url = reverse("assets:attachment-withdraw", args=[attachment.pk])
    assert client.post(url, {"reason": "x"}).status_code == 403
    assert not AttachmentWithdrawal.objects.exists()


def test_the_handover_page_lists_its_files_and_the_zip(client, auditor, handed_over):
    asset, handover = handed_over
    client.force_login(auditor)
    page = client.get(reverse("assets:handover-detail", args=[handover.number])).content.decode()
    assert "签字页.png" in page
    assert reverse("assets:handover-attachments-zip", args=[handover.number]) in page


def test_the_handover_zip_holds_every_file_with_its_sha256(
    client, admin_user, auditor, handed_over
):
    asset, handover = handed_over
    card_file = attach(admin_user, f"asset:{asset.tag}", files.pdf_bytes("card"), "发票.pdf")
    services.withdraw_attachment(attachment=card_file, actor=admin_user, reason="重复")
    client.force_login(auditor)
    response = client.get(reverse("assets:handover-attachments-zip", args=[handover.number]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    sums = archive.read("SHA256SUMS").decode().splitlines()
    assert len(sums) == 2
    for line in sums:
        digest, path = line.split("  ", 1)
        assert hashlib.sha256(archive.read(path)).hexdigest() == digest
    rows = list(csv.reader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig"))))
    assert len(rows) == 3
    assert any(row[-1] == "重复" for row in rows[1:])  # the withdrawn one, marked


def test_the_handover_zip_is_404_outside_the_scope(client, handed_over, wrong_receiver):
    asset, handover = handed_over
    client.force_login(wrong_receiver)
    url = reverse("assets:handover-attachments-zip", args=[handover.number])
    assert client.get(url).status_code == 404


def test_the_preview_of_a_pdf_is_inline_and_loads_nothing_else(client, clerk, card):
    attachment = attach(clerk, f"asset:{card.tag}")
    client.force_login(clerk)
    response = client.get(reverse("assets:attachment-preview", args=[attachment.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_decided_handovers_files_offer_no_withdraw_and_the_page_refuses(
    client, receiver, handed_over
):
    asset, handover = handed_over
    signed = Attachment.objects.get(file_name="签字页.png")
    client.force_login(receiver)
    page = client.get(reverse("assets:handover-detail", args=[handover.number])).content.decode()
    assert "签字页.png" in page
    assert reverse("assets:attachment-withdraw", args=[signed.pk]) not in page
    url = reverse("assets:attachment-withdraw", args=[signed.pk])
    assert client.post(url, {"reason": "不要"}).status_code == 403
    assert Attachment.objects.get(pk=signed.pk).withdrawal_or_none is None
