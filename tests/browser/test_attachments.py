"""A clerk attaches the signed acceptance report and a photo to a card on the phone, sees the
thumbnail, is refused an .exe renamed .pdf with the reason at the file, and withdraws a wrong
upload (asked first; it stays, marked, with the reason); the auditor downloads a handover's
files as one ZIP."""

import hashlib
import io
import zipfile

import pytest

from assets.attachments.models import Attachment, AttachmentWithdrawal
from tests.assets.attachments import files
from tests.browser.support import DESK, PHONE, Visit, sign_in
from tests.factories import make_asset

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def attachment_root(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "attachments"), "base_url": None},
        },
    }
    return tmp_path


@pytest.fixture
def switch(centre, clerk):
    return make_asset(owner=centre, actor=clerk, name="核心交换机", model="S12700E")


@pytest.mark.parametrize("device", ["phone", "desk"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_clerk_attaches_and_withdraws_files_on_the_card(
    new_context, base_url, switch, attachment_root, tmp_path, language, device
):
    context = new_context(language, **(PHONE if device == "phone" else DESK))
    visit = Visit(context, language=language, allowed_words={"S12700E"})
    sign_in(visit, base_url, "clerk")
    page = visit.page
    visit.goto(f"{base_url}/assets/{switch.tag}/")
    panel = page.locator("#attachments")
    assert visit.t("No files yet.") in panel.inner_text()

    photo = tmp_path / "机房照片.png"
    photo.write_bytes(files.png_bytes((30, 120, 200)))
    panel.locator("select[name=kind]").select_option("photo")
    panel.locator("input[type=file]").set_input_files(str(photo))
    with page.expect_navigation():
        panel.get_by_role("button", name=visit.t("Attach the file")).click()
    assert page.url.endswith(f"/assets/{switch.tag}/")
    assert "机房照片.png" in page.locator(".messages").inner_text()
    thumb = page.locator("img.attachments__thumb")
    thumb.scroll_into_view_if_needed()
    page.wait_for_function("(img) => img.complete", arg=thumb.element_handle())
    assert page.evaluate("(img) => img.naturalWidth", thumb.element_handle()) == 8

    report = tmp_path / "验收报告.pdf"
    report.write_bytes(files.pdf_bytes("signed"))
    panel.locator("select[name=kind]").select_option("acceptance_report")
    panel.locator("input[type=file]").set_input_files(str(report))
    with page.expect_navigation():
        panel.get_by_role("button", name=visit.t("Attach the file")).click()
    panel.scroll_into_view_if_needed()
    visit.check(f"clerk-card-attachments-{device}")

    # An .exe renamed .pdf: the form comes back with the reason at the file, nothing stored.
    fake = tmp_path / "发票.pdf"
    fake.write_bytes(files.exe_bytes())
    panel.locator("select[name=kind]").select_option("invoice")
    panel.locator("input[type=file]").set_input_files(str(fake))
    with page.expect_navigation():
        panel.get_by_role("button", name=visit.t("Attach the file")).click()
    error = page.locator(".field--error .field__error").inner_text()
    assert error == visit.t(
        "This kind of file is not accepted. Upload a PDF, an image (PNG, JPEG, GIF, WebP) or an "
        "Office document (.docx, .xlsx, .pptx)."
    )
    visit.check(f"clerk-attachment-refused-{device}")
    assert Attachment.objects.count() == 2

    # Withdraw the photo: the page says what happens, the button asks once more.
    visit.goto(f"{base_url}/assets/{switch.tag}/")
    item = page.locator(".attachments__item", has_text="机房照片.png")
    with page.expect_navigation():
        item.get_by_role("link", name=visit.t("Withdraw")).click()
    assert visit.t(
        "The file is not deleted: it stays in the list and in the history, marked withdrawn "
        "with your reason, and can still be downloaded. This cannot be undone."
    ) in page.inner_text("main")
    page.fill("textarea[name=reason]", "拍错了设备")
    visit.check(f"clerk-attachment-withdraw-{device}")
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    with page.expect_navigation():
        page.get_by_role("button", name=visit.t("Withdraw the file")).click()
    assert dialogs and "机房照片.png" in dialogs[0]
    assert AttachmentWithdrawal.objects.get().reason == "拍错了设备"
    item = page.locator(".attachments__item--withdrawn")
    assert "拍错了设备" in item.inner_text()
    assert visit.t("Withdrawn") in item.inner_text()
    item.scroll_into_view_if_needed()
    visit.check(f"clerk-card-attachment-withdrawn-{device}")

    # The download is the stored file, byte for byte.
    with page.expect_download() as download:
        page.locator(".attachments__item", has_text="验收报告.pdf").get_by_role(
            "link", name=visit.t("Download")
        ).click()
    path = download.value.path()
    assert (
        hashlib.sha256(open(path, "rb").read()).hexdigest()
        == hashlib.sha256(report.read_bytes()).hexdigest()
    )
    assert download.value.suggested_filename == "验收报告.pdf"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_auditor_downloads_a_handovers_files_as_one_zip(
    new_context, base_url, project, clerk, receiver, auditor, centre, attachment_root, language
):
    from assets.attachments import services
    from assets.handovers import services as hs

    asset = make_asset(owner=centre, project=project, name="政务云服务器")
    handover = hs.create_handover(actor=clerk, project=project, assets=[asset])
    hs.submit_handover(handover=handover, actor=clerk)
    services.add_attachment(
        actor=receiver,
        subject=f"handover:{handover.number}",
        kind="acceptance_report",
        upload=files.upload(files.pdf_bytes("handover"), "验收报告（签字）.pdf"),
    )
    context = new_context(language, **DESK)
    visit = Visit(context, language=language)
    sign_in(visit, base_url, "auditor")
    page = visit.page
    visit.goto(f"{base_url}/handovers/{handover.number}/")
    assert "验收报告（签字）.pdf" in page.locator("#attachments").inner_text()
    assert page.locator("#attachments form").count() == 0  # the auditor adds nothing
    visit.check("auditor-handover-attachments", full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name=visit.t("Download all files (ZIP with SHA-256 sums)")).click()
    archive = zipfile.ZipFile(io.BytesIO(open(download.value.path(), "rb").read()))
    (line,) = archive.read("SHA256SUMS").decode().splitlines()
    digest, name = line.split("  ", 1)
    assert name.endswith("验收报告（签字）.pdf")
    assert hashlib.sha256(archive.read(name)).hexdigest() == digest
