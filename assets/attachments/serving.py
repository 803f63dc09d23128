"""Sending a stored file back: only through Yika's permission-checked views (the API's
`GET /api/v1/attachments/{id}/file` and the pages' download and preview URLs).

Every answer carries the sniffed content type, `X-Content-Type-Options: nosniff` and a
Content-Disposition with a plain-ASCII `filename` and the real name as RFC 5987 `filename*`.
Downloads are `attachment`; the preview (PDFs and images only, on the pages) is `inline` under a
Content-Security-Policy of its own that loads and runs nothing (`default-src 'none'`) and may be
framed by Yika's own pages only. Images are also `sandbox`ed (no script, no same-origin, no
forms). PDFs are not: Chromium refuses to start its PDF viewer in a sandboxed document, and a
PDF is drawn by the browser's own isolated viewer, never as a page of Yika's origin; PDFs that
carry JavaScript, launch actions or embedded files are refused at upload (`checks`).
"""

from __future__ import annotations

from urllib.parse import quote

from django.http import FileResponse

from assets.attachments import checks
from assets.attachments.services import attachment_storage

PREVIEW_CSP = (
    "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; "
    "frame-ancestors 'self'"
)
PDF_PREVIEW_CSP = "default-src 'none'; object-src 'self'; frame-ancestors 'self'"
DOWNLOAD_CSP = "sandbox; default-src 'none'; frame-ancestors 'none'"


def content_disposition(disposition: str, name: str) -> str:
    """`attachment; filename="ascii"; filename*=UTF-8''percent-encoded` (RFC 6266 / 5987)."""
    # Clients that ignore `filename*` get the name itself when it is plain ASCII, else a neutral
    # one with the right extension.
    stem, dot, extension = name.rpartition(".")
    plain = name.isascii() and name.isprintable() and not any(ch in name for ch in '"\\;')
    ascii_name = name if plain else (f"file.{extension}" if dot else "file")
    return f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def file_response(attachment, *, inline: bool = False) -> FileResponse:
    """The stored bytes of `attachment` (the caller has checked the reader's scope)."""
    blob = attachment.blob
    preview = inline and blob.content_type in checks.PREVIEWABLE
    response = FileResponse(
        attachment_storage().open(blob.name, "rb"), content_type=blob.content_type
    )
    response["Content-Length"] = str(blob.size)
    response["Content-Disposition"] = content_disposition(
        "inline" if preview else "attachment", attachment.file_name
    )
    response["X-Content-Type-Options"] = "nosniff"
    if not preview:
        response["Content-Security-Policy"] = DOWNLOAD_CSP
    elif blob.content_type == checks.PDF:
        response["Content-Security-Policy"] = PDF_PREVIEW_CSP
    else:
        response["Content-Security-Policy"] = PREVIEW_CSP
    response["Cache-Control"] = "private, no-store"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    if preview:
        response["X-Frame-Options"] = "SAMEORIGIN"
    response["X-Content-SHA256"] = blob.sha256
    return response
