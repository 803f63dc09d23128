"""What an uploaded file is, judged by its bytes, never by its name (SECURITY.md test 8).

`inspect_file` reads a file already on disk (the upload streamed there while it was hashed) and
answers its content type, or raises `ValidationError` on `file` with a message a clerk
understands. Allowed: PDF, PNG, JPEG, GIF, WebP, and Office Open XML documents (docx, xlsx,
pptx). Refused: anything else (an .exe renamed .pdf), macro-enabled Office files, Office files
that unpack to too much (a ZIP bomb: total size, members, ratio, measured by really unpacking,
not by trusting the headers), and polyglots (a PDF or an image that a ZIP reader also opens, or
whose first bytes a browser would sniff as HTML or script). Legacy binary Office files (.doc,
.xls) are refused: telling them apart safely needs an OLE2 parser Yika does not carry.

`safe_file_name` turns a client's file name into one that can be stored and sent back in a
Content-Disposition header: no directories, no `..`, no NUL, newline or other control
characters, no leading dots, at most 120 characters, its extension kept.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from pathlib import PurePosixPath, PureWindowsPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
GIF = "image/gif"
WEBP = "image/webp"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

IMAGES = frozenset({PNG, JPEG, GIF, WEBP})
# What the page may show inline (in a sandbox); every other type is only downloaded.
PREVIEWABLE = IMAGES | {PDF}
EXTENSIONS = {PDF: "pdf", PNG: "png", JPEG: "jpg", GIF: "gif", WEBP: "webp"}
EXTENSIONS |= {DOCX: "docx", XLSX: "xlsx", PPTX: "pptx"}

# The main part that makes an Office Open XML package a document, a workbook or a presentation.
OFFICE_MAIN_PARTS = {
    "word/document.xml": DOCX,
    "xl/workbook.xml": XLSX,
    "ppt/presentation.xml": PPTX,
}
# Browsers sniff the first 512 bytes or so; we look at more, case-insensitively.
SNIFF_WINDOW = 2048
HTML_MARKERS = (
    b"<!doctype",
    b"<html",
    b"<head",
    b"<body",
    b"<script",
    b"<iframe",
    b"<svg",
    b"<?xml-stylesheet",
    b"<object",
    b"<embed",
    b"javascript:",
)
# PDF actions that run something when the file is opened.
PDF_ACTIVE = (b"/JavaScript", b"/Launch", b"/EmbeddedFile")
CHUNK = 1 << 20


def _refuse(message: str):
    raise ValidationError({"file": message})


def inspect_file(path: str) -> str:
    """The content type of the file at `path`, judged by its bytes; `ValidationError` on `file`
    when it is not one Yika keeps."""
    with open(path, "rb") as handle:
        head = handle.read(SNIFF_WINDOW)
    if not head:
        _refuse(_("The file is empty."))
    content_type = _sniff(head)
    if content_type is None:
        if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
            _refuse(
                _(
                    "Old Word and Excel files (.doc, .xls) are not accepted: save the file as "
                    ".docx or .xlsx, or as a PDF, and upload it again."
                )
            )
        _refuse(
            _(
                "This kind of file is not accepted. Upload a PDF, an image (PNG, JPEG, GIF, "
                "WebP) or an Office document (.docx, .xlsx, .pptx)."
            )
        )
    lowered = head.lower()
    if content_type in (PDF, *IMAGES):
        if any(marker in lowered for marker in HTML_MARKERS):
            _refuse(_("The file carries web page or script content and is refused."))
        if zipfile.is_zipfile(path):
            _refuse(_("The file is also a ZIP archive (a disguised file) and is refused."))
    if content_type == PDF:
        _check_pdf(path)
    elif content_type in IMAGES:
        _check_image(path, content_type)
    else:
        content_type = _check_office(path)
    return content_type


def _sniff(head: bytes) -> str | None:
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    return None


def _check_pdf(path: str) -> None:
    """A PDF ends with %%EOF and runs nothing when opened (no JavaScript, launch or embedded
    file in its uncompressed objects)."""
    overlap = b""
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            window = overlap + chunk
            if any(marker in window for marker in PDF_ACTIVE):
                _refuse(_("The PDF contains scripts or embedded programs and is refused."))
            overlap = chunk[-16:]
        handle.seek(max(0, handle.tell() - 1024))
        tail = handle.read()
    if b"%%EOF" not in tail:
        _refuse(_("The PDF is damaged or incomplete (no end marker)."))


def _check_image(path: str, content_type: str) -> None:
    """The image decodes as what its first bytes say (Pillow reads its header and structure)."""
    from PIL import Image, UnidentifiedImageError

    expected = {PNG: "PNG", JPEG: "JPEG", GIF: "GIF", WEBP: "WEBP"}[content_type]
    try:
        with Image.open(path) as image:
            if image.format != expected:
                _refuse(_("The image is damaged or not what it claims to be."))
            if image.width * image.height > 100_000_000:
                _refuse(_("The image is too large (more than 100 million pixels)."))
            image.verify()
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        _refuse(_("The image is damaged or not what it claims to be."))


def _check_office(path: str) -> str:
    """An Office Open XML package: a known main part, no macros, and, really unpacked, within
    the member count, the total size and the per-member ratio."""
    max_members = settings.YIKA_ATTACHMENT_MAX_MEMBERS
    max_total = settings.YIKA_ATTACHMENT_MAX_UNPACKED_MB * 1024 * 1024
    max_ratio = settings.YIKA_ATTACHMENT_MAX_RATIO
    bomb = _("The Office file unpacks to far more than its size (a ZIP bomb) and is refused.")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > max_members:
                _refuse(bomb)
            names = {member.filename for member in members}
            if "[Content_Types].xml" not in names:
                _refuse(_("The ZIP file is not an Office document."))
            kinds = {OFFICE_MAIN_PARTS[name] for name in names if name in OFFICE_MAIN_PARTS}
            if len(kinds) != 1:
                _refuse(_("The ZIP file is not an Office document."))
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                _refuse(_("Office files with macros are not accepted."))
            total = 0
            for member in members:
                if member.file_size > max_total or (
                    member.compress_size and member.file_size / member.compress_size > max_ratio
                ):
                    _refuse(bomb)
                # The headers may lie: count what really comes out, and stop at the limits.
                unpacked = 0
                with archive.open(member) as stream:
                    while chunk := stream.read(CHUNK):
                        unpacked += len(chunk)
                        total += len(chunk)
                        if total > max_total or unpacked > max(
                            4096, max_ratio * max(member.compress_size, 1)
                        ):
                            _refuse(bomb)
    except ValidationError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, RuntimeError):
        _refuse(_("The Office file is damaged and cannot be read."))
    return kinds.pop()


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_UNSAFE = re.compile(r'[\\/:*?"<>|;]')


def safe_file_name(name: str, content_type: str) -> str:
    """A file name safe to store and to send back (see the module docstring); the extension is
    the sniffed type's when the client's does not match it."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = _CONTROL.sub("", name)
    # Only the last path component, whichever separator the client used.
    name = PureWindowsPath(PurePosixPath(name).name).name
    name = _UNSAFE.sub("_", name).strip().lstrip(".").strip()
    # Bidirectional overrides make "fdp.exe" read as "exe.pdf".
    name = "".join(ch for ch in name if unicodedata.category(ch) != "Cf")
    extension = EXTENSIONS[content_type]
    allowed = {extension, "jpeg"} if extension == "jpg" else {extension}
    stem, dot, given = name.rpartition(".")
    if dot and given.lower() in allowed:
        suffix = given.lower()
    else:
        stem, suffix = name, extension
    stem = stem.strip(" .")[:100].strip() or "file"
    return f"{stem}.{suffix}"
