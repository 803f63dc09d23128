"""Many attachments as one ZIP, streamed, with a manifest of SHA-256 sums (the auditor's
download of a handover's or a campaign's evidence).

The archive is written as it is sent (no temporary file, no whole file in memory): each file is
read from storage in chunks into a ZIP member, then `SHA256SUMS` (the `sha256sum -c` format)
and `manifest.csv` (subject, kind, name, size, who, when, withdrawn) close it. Withdrawn files
are included and marked: the archive is the record, not the current selection.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from assets.attachments import subjects
from assets.attachments.services import attachment_storage
from assets.attachments.serving import content_disposition
from config.spreadsheets import Column, csv_bytes

CHUNK = 1 << 16

MANIFEST_COLUMNS = [
    Column("path", _("file in this archive")),
    Column("sha256", _("SHA-256")),
    Column("size", _("size (bytes)")),
    Column("subject", pgettext_lazy("attachment", "subject")),
    Column("kind", _("kind")),
    Column("file_name", _("file name")),
    Column("uploaded_by", _("uploaded by")),
    Column("uploaded_at", _("uploaded at")),
    Column("withdrawn", _("withdrawn (reason)")),
]


class _Sink:
    """A write-only, unseekable file: ZipFile then writes data descriptors and never seeks."""

    def __init__(self):
        self._chunks: list[bytes] = []

    def write(self, data) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        out = b"".join(self._chunks)
        self._chunks.clear()
        return out


def _arcname(reference: str, attachment) -> str:
    folder = reference.replace(":", "-").replace("/", "_")
    return f"{folder}/{attachment.pk}-{attachment.file_name}"


def iter_zip(attachments: Iterable) -> Iterator[bytes]:
    """The ZIP's bytes, chunk by chunk."""
    attachments = list(attachments)
    references = subjects.references(attachments)
    storage = attachment_storage()
    sink = _Sink()
    rows = []
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for attachment in attachments:
            blob = attachment.blob
            path = _arcname(references[attachment.pk], attachment)
            info = zipfile.ZipInfo(path, date_time=_zip_time(attachment.uploaded_at))
            info.compress_type = zipfile.ZIP_DEFLATED
            with (
                storage.open(blob.name, "rb") as source,
                archive.open(info, "w", force_zip64=True) as member,
            ):
                while chunk := source.read(CHUNK):
                    member.write(chunk)
                    yield sink.take()
            withdrawal = attachment.withdrawal_or_none
            rows.append(
                {
                    "path": path,
                    "sha256": blob.sha256,
                    "size": str(blob.size),
                    "subject": references[attachment.pk],
                    "kind": str(attachment.get_kind_display()),
                    "file_name": attachment.file_name,
                    "uploaded_by": str(attachment.uploaded_by or ""),
                    "uploaded_at": attachment.uploaded_at,
                    "withdrawn": withdrawal.reason if withdrawal else "",
                }
            )
        sums = "".join(f"{row['sha256']}  {row['path']}\n" for row in rows)
        archive.writestr("SHA256SUMS", sums.encode("utf-8"))
        archive.writestr("manifest.csv", csv_bytes(MANIFEST_COLUMNS, rows))
    yield sink.take()


def _zip_time(moment) -> tuple:
    local = timezone.localtime(moment)
    return (max(local.year, 1980), local.month, local.day, local.hour, local.minute, local.second)


def zip_response(attachments: Iterable, *, file_name: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(iter_zip(attachments), content_type="application/zip")
    response["Content-Disposition"] = content_disposition("attachment", file_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
