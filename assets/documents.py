"""What the documents Yika stores share: the handover certificate (`assets/handovers/
certificate.py`) and the disposal application form (`assets/disposals/document.py`).

The head table with a QR code back to the document's page, dates, amounts and people as cells,
the signatories, the A4 page with the organisation and the number in its header, the PDF stored
once under PRIVATE_MEDIA_ROOT with its SHA-256, and the download of a stored one. Drawing (fonts,
tables, signature boxes) comes from `labels.pdf`.
"""

from __future__ import annotations

import hashlib
import io
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.platypus import Flowable, Table, TableStyle

from config import formatting
from labels import pdf


class QRFlowable(Flowable):
    """A QR code of `data`, `size` points square, in a platypus story."""

    def __init__(self, data: str, size: float):
        super().__init__()
        self.data, self.size = data, size
        self.width = self.height = size

    def draw(self):
        pdf.draw_qr(self.canv, self.data, x=0, y=0, size=self.size)


def day(value: date | datetime | None) -> str:
    """A date (a moment: its day in Asia/Shanghai) as 2026-03-15, "-" for none."""
    if value is None:
        return "-"
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    return value.isoformat()  # Y-m-d; date_format cost ~0.3 ms a cell on a 5,000-row form


def money(value: Decimal) -> str:
    return formatting.money(value)


def person(user) -> str:
    return str(user) if user is not None else "-"


def head_with_qr(rows: list[list[str]], *, header: list[str], url: str, qr_size: float) -> Table:
    """The document's head: a field/details table with the QR code of `url` (and the URL
    printed under it) to its right."""
    styles = pdf.paragraph_styles(9)
    frame = pdf.frame_width()
    qr_column = qr_size + 4 * pdf.mm
    head_table = pdf.make_table(header, rows, width=frame - qr_column, zebra=False)
    top = Table(
        [[head_table, [QRFlowable(url, qr_size), pdf.para(url, styles["small"])]]],
        colWidths=[frame - qr_column, qr_column],
        hAlign="LEFT",
    )
    top.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("LEFTPADDING", (1, 0), (1, -1), 4 * pdf.mm),
            ]
        )
    )
    return top


def signatories(header: list[str], rows: list[list[str]]) -> Flowable:
    """Who signed each step or party, and when (the date column never wraps)."""
    return pdf.make_table(header, rows, width=pdf.frame_width(), nowrap_columns=[2], zebra=False)


def render(story: list, *, title: str, number: str) -> bytes:
    """The A4 PDF of `story`: the organisation and `number` in the header, `title` in the
    footer and the document's properties."""
    buffer = io.BytesIO()
    pdf.build_a4_pdf(
        buffer,
        story,
        title=title,
        header_left=settings.YIKA_ORG_NAME or _("Yika asset register"),
        header_right=number,
        footer_left=title,
    )
    return buffer.getvalue()


def store_pdf(*, folder: str, number: str, content: bytes) -> tuple[str, str]:
    """Keep `content` once under PRIVATE_MEDIA_ROOT/`folder`; its path (relative) and SHA-256.

    The name carries the digest's start, so a stored document is never overwritten."""
    digest = hashlib.sha256(content).hexdigest()
    relative = f"{folder}/{number}-{digest[:12]}.pdf"
    path = Path(settings.PRIVATE_MEDIA_ROOT) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return relative, digest


def stored_path(relative: str) -> Path:
    return Path(settings.PRIVATE_MEDIA_ROOT) / relative


def stored_pdf_response(
    relative: str, *, filename: str, sha256: str, request=None, what: str = "", detail=None
) -> FileResponse:
    """A PDF stored once under PRIVATE_MEDIA_ROOT (a certificate, an executed disposal case),
    as a download carrying its SHA-256; 404 when there is none. With a `request`, the download
    is written to the security log as the export `what`."""
    path = stored_path(relative) if relative else None
    if path is None or not path.is_file():
        raise Http404
    if request is not None:
        from assets.security.services import record_export

        record_export(request=request, what=what, **(detail or {}))
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"{filename}.pdf",
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["X-Certificate-SHA256"] = sha256
    return response
