"""Small real files for the attachment tests, built in memory (no fixtures on disk)."""

from __future__ import annotations

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/></Types>'
)


def use_attachment_storage(settings, root) -> None:
    """Keep the evidence of one test under `root` (its own folder: it can count what was
    kept), staging under `root/var`."""
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root / "attachments"), "base_url": None},
        },
    }
    settings.VAR_DIR = root / "var"


def pdf_bytes(text: str = "acceptance") -> bytes:
    """A small valid one-page PDF (pypdf writes it), different for each `text`."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Title": text})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def png_bytes(color=(200, 30, 30)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(out, "PNG")
    return out.getvalue()


def docx_bytes(*, extra: dict[str, bytes] | None = None, text: str = "合同") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("word/document.xml", f"<w:document>{text}</w:document>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


def zip_bomb_docx(megabytes: int = 60) -> bytes:
    """A .docx whose one member unpacks from a few hundred KB to `megabytes` MB of zeros."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("word/document.xml", "<w:document/>")
        with archive.open("word/media/padding.bin", "w", force_zip64=True) as member:
            zeros = b"\0" * (1 << 20)
            for _ in range(megabytes):
                member.write(zeros)
    return out.getvalue()


def exe_bytes() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\0" * 200


def pdf_zip_polyglot() -> bytes:
    """A PDF with a ZIP archive appended: PDF readers and ZIP readers both open it."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("payload.txt", "hidden second file")
    return pdf_bytes() + archive.getvalue()


def upload(data: bytes, name: str = "file.pdf", content_type: str = "application/pdf"):
    """An uploaded file as Django hands it to a view (the client's claimed type is ignored)."""
    return SimpleUploadedFile(name, data, content_type=content_type)
