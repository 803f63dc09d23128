"""PDF building blocks shared by every document Yika prints: labels, handover certificates, reports.

This module imports no models (DESIGN.md, "Layout"), so `assets` and `inventory` can use it too.

- Fonts: the embedded TrueType CJK font (`settings.YIKA_CJK_FONT`, WenQuanYi Micro Hei, subfont 0).
  reportlab embeds TrueType outlines only; its built-in `STSong-Light` CID font is not embedded and
  shows as empty boxes in poppler, so it is never used.
- QR codes drawn as vector rectangles (crisp at any printer resolution), error correction M, with
  a quiet zone. Encoder: zxing-cpp (C++, best-mask search, ~0.25 ms a code here) with segno as a
  fallback; segno's pure-Python mask search measured ~4.7 ms and qrcode's ~6 ms per label URL.
- Code 128 of a tag for old 1D scanners, text fitting (shrink, then ellipsise), and
  `escape_for_paragraph()` for any user text that reaches a reportlab `Paragraph`.
- A4 page helpers (header, footer with "page N of M") and a table helper for certificates and
  reports.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from xml.sax.saxutils import escape as _xml_escape

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

try:  # The fast encoder; segno is the portable fallback.
    import zxingcpp
except ImportError:  # pragma: no cover - exercised only where zxing-cpp has no wheel
    zxingcpp = None
import segno

__all__ = [
    "CJK_FONT",
    "ELLIPSIS",
    "FontNotAvailable",
    "QR_QUIET_ZONE",
    "A4",
    "mm",
    "build_a4_pdf",
    "cjk_font",
    "code128_min_width",
    "draw_code128",
    "draw_fitted_string",
    "draw_qr",
    "ellipsise",
    "escape_for_paragraph",
    "fit_text",
    "make_table",
    "para",
    "paragraph_styles",
    "qr_matrix",
    "qr_modules",
    "signature_table",
    "string_width",
]

CJK_FONT = "YikaCJK"
ELLIPSIS = "…"
# ISO/IEC 18004 asks for four modules of quiet zone around a QR symbol.
QR_QUIET_ZONE = 4
# Below this a Code 128 bar is narrower than a 203 dpi thermal head dot (0.125 mm) can print.
CODE128_MIN_BAR = 0.19 * mm

_font_lock = threading.Lock()
_registered_font_path: str | None = None
# Characters that are not printable text (C0/C1 controls) are dropped before drawing.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_DARK_RUN_RE = re.compile(rb"\x00+")


class FontNotAvailable(RuntimeError):
    """The configured CJK font file is missing or is not a TrueType font reportlab can embed."""


# --------------------------------------------------------------------------------------- fonts


def pdf_target(target):
    """reportlab takes a filename string or a binary file object, not a `Path`."""
    return os.fspath(target) if isinstance(target, os.PathLike) else target


def _configured_font_path() -> str:
    from django.conf import settings

    return settings.YIKA_CJK_FONT


def cjk_font(path: str | None = None) -> str:
    """Register the embedded CJK TrueType font once per process and return its reportlab name.

    `path` defaults to `settings.YIKA_CJK_FONT`; a `.ttc` collection uses subfont 0 (WenQuanYi
    Micro Hei, not its monospaced sibling). reportlab subsets and embeds it in every PDF.
    """
    global _registered_font_path
    if _registered_font_path is not None:
        return CJK_FONT
    with _font_lock:
        if _registered_font_path is None:
            path = path or _configured_font_path()
            try:
                font = TTFont(CJK_FONT, path, subfontIndex=0)
            except Exception as error:  # reportlab raises TTFError, OSError, struct errors
                raise FontNotAvailable(
                    f"Cannot embed the CJK font {path!r} ({error}). Install fonts-wqy-microhei "
                    "(make install) or point YIKA_CJK_FONT at a TrueType-outline CJK font."
                ) from error
            pdfmetrics.registerFont(font)
            # <b>/<i> in our own Paragraph styles map to the same face (the font has no bold).
            pdfmetrics.registerFontFamily(
                CJK_FONT, normal=CJK_FONT, bold=CJK_FONT, italic=CJK_FONT, boldItalic=CJK_FONT
            )
            _registered_font_path = path
    return CJK_FONT


# ---------------------------------------------------------------------------------- text helpers


def clean_text(text) -> str:
    """User text as one printable line: controls dropped, whitespace runs folded."""
    if text is None:
        return ""
    return " ".join(_CONTROL_RE.sub("", str(text)).split())


def escape_for_paragraph(text) -> str:
    """Make user text literal inside a reportlab `Paragraph`, which parses XML-like markup.

    Escapes `&`, `<`, `>` and quotes, so `<font color=...>` (CVE-2023-33733), `<img src=...>`
    (CVE-2020-28463) and `<b>` print as typed instead of being interpreted.
    """
    if text is None:
        return ""
    text = _CONTROL_RE.sub("", str(text))
    return _xml_escape(text, {'"': "&quot;", "'": "&#39;"})


def _ensure(font: str) -> None:
    if font == CJK_FONT and _registered_font_path is None:
        cjk_font()


def string_width(text: str, size: float, font: str = CJK_FONT) -> float:
    _ensure(font)
    return pdfmetrics.stringWidth(text, font, size)


def ellipsise(text: str, *, width: float, size: float, font: str = CJK_FONT) -> str:
    """`text` cut with a trailing ellipsis so it fits `width` points at `size` (binary search)."""
    _ensure(font)
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    if pdfmetrics.stringWidth(ELLIPSIS, font, size) > width:
        return ""
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if pdfmetrics.stringWidth(text[:middle] + ELLIPSIS, font, size) <= width:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + ELLIPSIS


def fit_text(
    text, *, width: float, size: float, min_size: float | None = None, font: str = CJK_FONT
) -> tuple[str, float]:
    """Shrink `text` from `size` down to `min_size` to fit `width`; if still too wide, ellipsise.

    Returns the text to draw and the font size to draw it at.
    """
    _ensure(font)
    text = clean_text(text)
    min_size = size if min_size is None else min(min_size, size)
    natural = pdfmetrics.stringWidth(text, font, size)
    if natural <= width:
        return text, size
    # Width scales linearly with size: jump straight to the size that fits.
    fitted = max(min_size, size * width / natural if natural else size)
    fitted = int(fitted * 4) / 4  # quarter points, so similar labels share sizes
    if fitted >= min_size and pdfmetrics.stringWidth(text, font, fitted) <= width:
        return text, fitted
    return ellipsise(text, width=width, size=min_size, font=font), min_size


def draw_fitted_string(
    canvas: Canvas,
    text,
    *,
    x: float,
    y: float,
    width: float,
    size: float,
    min_size: float | None = None,
    font: str = CJK_FONT,
    align: str = "left",
) -> float:
    """Draw one line fitted into `width` (see `fit_text`); returns the size used."""
    line, used = fit_text(text, width=width, size=size, min_size=min_size, font=font)
    if not line:
        return used
    canvas.setFont(font, used)
    if align == "center":
        canvas.drawCentredString(x + width / 2, y, line)
    elif align == "right":
        canvas.drawRightString(x + width, y, line)
    else:
        canvas.drawString(x, y, line)
    return used


# ------------------------------------------------------------------------------------------- QR


@dataclass(frozen=True)
class QRMatrix:
    """A QR symbol's dark/light modules, row by row, top first, without the quiet zone.

    Each row is `bytes`, 0 for a dark module and 255 for a light one.
    """

    size: int
    rows: tuple[bytes, ...]


def qr_matrix(data: str) -> QRMatrix:
    """Encode `data` as a QR symbol with error correction M (smallest version that fits)."""
    if zxingcpp is not None:
        barcode = zxingcpp.create_barcode(data, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
        image = memoryview(barcode.to_image(scale=1, add_quiet_zones=False))
        size = image.shape[0]
        raw = image.tobytes()
        return QRMatrix(size, tuple(raw[i * size : (i + 1) * size] for i in range(size)))
    code = segno.make_qr(data, error="m", boost_error=False)
    rows = tuple(bytes(0 if bit else 255 for bit in row) for row in code.matrix)
    return QRMatrix(len(rows), rows)


_CHUNK = 8


@lru_cache(maxsize=131072)
def _chunk_ops(chunk: bytes, column: int, top: int) -> str:
    """The rectangles for the dark runs of an 8-module slice of one row, in module units.

    A bounded cache keyed by geometry (slice pattern, position), not by label: QR symbols of one
    version share almost all of these, which makes drawing ~10× cheaper than per-run formatting.
    A run crossing a slice boundary becomes two abutting rectangles of the same filled path.
    """
    return " ".join(
        f"{column + run.start()} {top} {run.end() - run.start()} 1 re"
        for run in _DARK_RUN_RE.finditer(chunk)
    )


def qr_modules(data: str) -> int:
    """How many modules wide the symbol for `data` is, quiet zone included."""
    return qr_matrix(data).size + 2 * QR_QUIET_ZONE


def draw_qr(
    canvas: Canvas,
    data: str,
    *,
    x: float,
    y: float,
    size: float,
    quiet_zone: int = QR_QUIET_ZONE,
    matrix: QRMatrix | None = None,
) -> float:
    """Draw `data` as a vector QR code in a `size` × `size` square at (x, y), quiet zone inside.

    Dark runs of each row are one rectangle each, all in a single filled path (no seams between
    modules when rasterised). Returns the module size in points, so callers can check that it is
    printable.
    """
    matrix = matrix or qr_matrix(data)
    n = matrix.size
    module = size / (n + 2 * quiet_zone)
    ops = [f"q 1 0 0 1 {x + quiet_zone * module:.3f} {y + quiet_zone * module:.3f} cm"]
    ops.append(f"{module:.5f} 0 0 {module:.5f} 0 0 cm")
    append = ops.append
    for r, row in enumerate(matrix.rows):
        top = n - 1 - r
        for column in range(0, n, _CHUNK):
            chunk_ops = _chunk_ops(row[column : column + _CHUNK], column, top)
            if chunk_ops:
                append(chunk_ops)
    ops.append("f Q")
    canvas.addLiteral("\n".join(ops))
    return module


# ------------------------------------------------------------------------------------- Code 128


def code128_min_width(value: str, *, bar: float = CODE128_MIN_BAR) -> float:
    """Width in points of a Code 128 of `value` at bar width `bar`, quiet zones included."""
    return (code128_bars(value)[0] + 20) * bar


def code128_bars(value: str) -> tuple[int, list[tuple[int, int]]]:
    """Code 128 of `value` as (total modules, [(start, width) of each bar]), no quiet zones."""
    code = Code128(value, barWidth=1, quiet=0)
    # reportlab's own encoder (validate, pick code sets, decompose), without its size pass.
    code.validate()
    code.encode()
    code.decompose()
    bars, left = [], 0
    for ch in code.decomposed:
        if "a" <= ch <= "z":
            left += ord(ch) - 96
        elif "A" <= ch <= "Z":
            width = ord(ch) - 64
            bars.append((left, width))
            left += width
    return left, bars


def draw_code128(
    canvas: Canvas, value: str, *, x: float, y: float, width: float, height: float
) -> bool:
    """Draw a Code 128 of `value` stretched to `width` (10-module quiet zones inside).

    Returns False, drawing nothing, when the bars would be narrower than a printer can make.
    """
    modules, bars = code128_bars(value)
    bar = width / (modules + 20)
    if bar < CODE128_MIN_BAR:
        return False
    ops = [f"q {bar:.5f} 0 0 {height:.3f} {x + 10 * bar:.3f} {y:.3f} cm"]
    ops.extend(f"{start} 0 {w} 1 re" for start, w in bars)
    ops.append("f Q")
    canvas.addLiteral("\n".join(ops))
    return True


# ----------------------------------------------------------------------- A4 documents and tables


def paragraph_styles(base_size: float = 9) -> dict[str, ParagraphStyle]:
    """Paragraph styles in the CJK font: title, heading, body, small, cell, cell_right, footer."""
    font = cjk_font()
    body = ParagraphStyle(
        "YikaBody", fontName=font, fontSize=base_size, leading=base_size * 1.4, wordWrap="CJK"
    )
    return {
        "title": ParagraphStyle(
            "YikaTitle",
            parent=body,
            fontSize=base_size * 1.8,
            leading=base_size * 2.4,
            alignment=TA_CENTER,
            spaceAfter=base_size,
        ),
        "heading": ParagraphStyle(
            "YikaHeading",
            parent=body,
            fontSize=base_size * 1.25,
            leading=base_size * 1.8,
            spaceBefore=base_size * 0.6,
            spaceAfter=base_size * 0.4,
        ),
        "body": body,
        "small": ParagraphStyle(
            "YikaSmall", parent=body, fontSize=base_size * 0.8, leading=base_size * 1.1
        ),
        "cell": ParagraphStyle(
            "YikaCell", parent=body, fontSize=base_size * 0.9, leading=base_size * 1.15
        ),
        "cell_right": ParagraphStyle(
            "YikaCellRight",
            parent=body,
            fontSize=base_size * 0.9,
            leading=base_size * 1.15,
            alignment=TA_RIGHT,
        ),
    }


def para(text, style: ParagraphStyle) -> Paragraph:
    """A Paragraph of user text, printed literally (escaped first)."""
    return Paragraph(escape_for_paragraph(text), style)


def make_table(
    header: Sequence,
    rows: Iterable[Sequence],
    *,
    col_widths: Sequence[float] | None = None,
    styles: dict[str, ParagraphStyle] | None = None,
    right_columns: Iterable[int] = (),
    zebra: bool = True,
) -> Table:
    """A bordered table with a repeated header row; every cell is escaped text that wraps.

    Cells may also be reportlab flowables (e.g. a Paragraph the caller built), passed through.
    """
    styles = styles or paragraph_styles()
    right = set(right_columns)

    def cell(value, column):
        if hasattr(value, "wrapOn"):
            return value
        return para(
            "" if value is None else value, styles["cell_right" if column in right else "cell"]
        )

    data = [[cell(value, c) for c, value in enumerate(header)]]
    data.extend([cell(value, c) for c, value in enumerate(row)] for row in rows)
    table = Table(data, colWidths=col_widths, repeatRows=1)
    commands = [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.88, 0.9, 0.94)),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if zebra:
        commands.append(
            ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.Color(0.97, 0.97, 0.97)])
        )
    table.setStyle(TableStyle(commands))
    return table


def signature_table(parties: Sequence[str], *, styles=None, width: float = 170 * mm) -> Table:
    """Sign-off boxes: one row per party with signature, seal and date fields (签字、盖章、日期)."""
    styles = styles or paragraph_styles()
    from django.utils.translation import gettext as _

    rows = [
        [
            para(party, styles["body"]),
            para(_("Signature:"), styles["body"]),
            para(_("Seal:"), styles["body"]),
            para(_("Date:"), styles["body"]),
        ]
        for party in parties
    ]
    table = Table(rows, colWidths=[width * 0.34, width * 0.26, width * 0.2, width * 0.2])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 18 * mm / 2),
            ]
        )
    )
    return table


class _NumberedCanvas(Canvas):
    """Holds pages until save so the footer can say "page N of M" (fine for A4 reports)."""

    footer_format: Callable[[int, int], str] = staticmethod(lambda n, total: f"{n} / {total}")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._saved_pages: list[dict] = []

    def showPage(self):  # noqa: N802 - reportlab's name
        self._saved_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._saved_pages)
        for state in self._saved_pages:
            self.__dict__.update(state)
            self.setFont(cjk_font(), 7.5)
            width = self._pagesize[0]
            self.drawCentredString(width / 2, 8 * mm, self.footer_format(self._pageNumber, total))
            super().showPage()
        super().save()


def build_a4_pdf(
    target,
    story: list,
    *,
    title: str,
    header_left: str = "",
    header_right: str = "",
    footer_left: str = "",
    is_landscape: bool = False,
    page_format: Callable[[int, int], str] | None = None,
    author: str = "Yika",
) -> None:
    """Build an A4 PDF from a platypus `story` into `target` (a path or a binary file object).

    Every page has a header line (left: organisation or document title, right: e.g. a number)
    and a footer with `footer_left` and "page N of M". Header and footer text is user data and
    is drawn as plain strings (no markup parsing).
    """
    font = cjk_font()
    pagesize = landscape(A4) if is_landscape else A4
    width, height = pagesize

    def decorate(canvas, doc):
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.setStrokeColor(colors.grey)
        canvas.setLineWidth(0.4)
        usable = width - 30 * mm
        draw_fitted_string(
            canvas, header_left, x=15 * mm, y=height - 11 * mm, width=usable * 0.6, size=8
        )
        draw_fitted_string(
            canvas,
            header_right,
            x=15 * mm + usable * 0.6,
            y=height - 11 * mm,
            width=usable * 0.4,
            size=8,
            align="right",
        )
        canvas.line(15 * mm, height - 12.5 * mm, width - 15 * mm, height - 12.5 * mm)
        canvas.line(15 * mm, 12 * mm, width - 15 * mm, 12 * mm)
        draw_fitted_string(canvas, footer_left, x=15 * mm, y=8 * mm, width=usable * 0.4, size=7.5)
        canvas.restoreState()

    def make_canvas(*args, **kwargs):
        canvas = _NumberedCanvas(*args, **kwargs)
        if page_format is not None:
            canvas.footer_format = page_format
        return canvas

    doc = SimpleDocTemplate(
        pdf_target(target),
        pagesize=pagesize,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=18 * mm,
        bottomMargin=16 * mm,
        title=clean_text(title),
        author=author,
    )
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate, canvasmaker=make_canvas)
