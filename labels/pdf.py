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
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

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
    "frame_width",
    "make_table",
    "para",
    "paragraph_styles",
    "qr_matrix",
    "qr_modules",
    "signature_table",
    "string_width",
    "wrap_text",
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


@lru_cache(maxsize=16)
def _font_object(font: str):
    return pdfmetrics.getFont(font)


@lru_cache(maxsize=65536)
def _measured(text: str, size: float, font: str) -> float:
    return _font_object(font).stringWidth(text, size)


def string_width(text: str, size: float, font: str = CJK_FONT) -> float:
    _ensure(font)
    # Measured once per text and size: a long table repeats its names, models and dates, and
    # laying out 5,000 rows measures ~300,000 strings.
    return _measured(text, size, font)


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


# Where a line may break: before or after any CJK character (汉字 and full-width forms), and at
# spaces. A run of Latin letters, digits and ASCII punctuation (a model number, a serial number,
# an amount, an English word) is never broken inside: the column grows, or the table's type
# shrinks, until the longest such run fits.
_CJK = "\u2e80-\u303f\u3040-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
_TOKEN_RE = re.compile(rf"\s+|[{_CJK}]|[^\s{_CJK}]+")
# Closing punctuation that must not begin a line stays with the token before it.
_NO_LINE_START = set("，。、；：？！）》」』】〕〉”’…·,.;:?!)]}%")
# Opening punctuation that must not end a line stays with the token after it.
_NO_LINE_END = set("（《「『【〔〈“‘([{")
# Horizontal padding of a table cell, each side (points).
CELL_PADDING = 3
# The smallest type a table shrinks to before it breaks inside words (points).
MIN_TABLE_FONT_SIZE = 5.5


def frame_width(*, is_landscape: bool = False) -> float:
    """The width a flowable may use on a `build_a4_pdf` page: the page less both 15 mm margins and
    the frame's own 6 pt padding on each side."""
    width = (landscape(A4) if is_landscape else A4)[0]
    return width - 30 * mm - 12


def text_tokens(text: str) -> list[str]:
    """`text` as the units a line may break between: single CJK characters, runs of anything
    else but spaces, and runs of spaces. Closing punctuation is glued to what precedes it."""
    tokens: list[str] = []
    for token in _TOKEN_RE.findall(text):
        glue = tokens and not tokens[-1].isspace() and not token.isspace()
        if glue and (token[0] in _NO_LINE_START or tokens[-1][-1] in _NO_LINE_END):
            tokens[-1] += token
        else:
            tokens.append(token)
    return tokens


def unbreakable_width(text: str, size: float, font: str = CJK_FONT) -> float:
    """The width of the widest piece of `text` that a line may not break inside."""
    return max(
        (string_width(t, size, font) for t in text_tokens(text) if not t.isspace()), default=0.0
    )


def wrap_text(text: str, *, width: float, size: float, font: str = CJK_FONT) -> list[str]:
    """Lines of `text` no wider than `width` points: broken at spaces and beside CJK characters,
    never inside a Latin word or number. A single piece wider than `width` is cut by character
    only as a last resort (nothing else can make it fit)."""
    text = clean_text(text)
    if string_width(text, size, font) <= width:  # most cells: one line, nothing to break
        return [text]
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        space = ""
        for token in text_tokens(paragraph):
            if token.isspace():
                space = " " if line else ""
                continue
            candidate = line + space + token
            space = ""
            if not line or string_width(candidate, size, font) <= width:
                line = candidate
            else:
                lines.append(line)
                line = token
            while string_width(line, size, font) > width and len(line) > 1:
                cut = len(line) - 1
                while cut > 1 and string_width(line[:cut], size, font) > width:
                    cut -= 1
                lines.append(line[:cut])
                line = line[cut:]
        lines.append(line)
    return lines


def column_widths(
    header: Sequence,
    rows: Sequence[Sequence],
    *,
    width: float,
    size: float,
    nowrap_columns: Iterable[int] = (),
    font: str = CJK_FONT,
) -> list[float] | None:
    """Column widths that add up to `width`, from the text at `size`; None when it cannot fit.

    A column is at least as wide as its widest unbreakable piece (the whole text for a
    `nowrap` column such as amounts, tags and dates: they are never wrapped), plus padding.
    The space left goes to the columns whose text would otherwise wrap, in proportion to how
    much they lack, then to every column in proportion to its natural width.
    """
    nowrap = set(nowrap_columns)
    count = len(header)
    pad = 2 * CELL_PADDING
    least = [0.0] * count
    natural = [0.0] * count
    for row_index, row in enumerate([header, *rows]):
        for column, value in enumerate(row):
            if hasattr(value, "wrapOn") or value is None:
                continue
            text = clean_text(value)
            whole = string_width(text, size, font)
            natural[column] = max(natural[column], whole + pad)
            if whole + pad <= least[column]:
                continue  # no piece of it is wider than the column's least width already
            if column in nowrap and row_index:
                piece = whole
            else:  # a short text (up to about four CJK characters) is not wrapped either
                piece = max(unbreakable_width(text, size, font), min(whole, 4 * size))
            least[column] = max(least[column], piece + pad)
    if sum(least) > width:
        return None
    natural = [max(n, m) for n, m in zip(natural, least, strict=True)]
    spare = width - sum(least)
    lacking = [n - m for n, m in zip(natural, least, strict=True)]
    if sum(lacking) >= spare:
        share = spare / sum(lacking)
        return [m + gap * share for m, gap in zip(least, lacking, strict=True)]
    spare -= sum(lacking)
    total = sum(natural) or 1.0
    return [n + spare * n / total for n in natural]


def make_table(
    header: Sequence,
    rows: Iterable[Sequence],
    *,
    width: float | None = None,
    col_widths: Sequence[float] | None = None,
    styles: dict[str, ParagraphStyle] | None = None,
    right_columns: Iterable[int] = (),
    nowrap_columns: Iterable[int] = (),
    lines_columns: Iterable[int] = (),
    zebra: bool = True,
) -> Flowable:
    """A bordered table `width` points wide (default: an A4 portrait frame) with a repeated
    header row. Column widths come from the text (`column_widths`); every cell is plain text
    wrapped beside CJK characters and at spaces, never inside a Latin word or number.
    `nowrap_columns` (amounts, tags, dates) never wrap; right columns (amounts) are right
    aligned. If the text cannot fit at the styles' size, the table's type shrinks step by step
    (not below 5.5 pt). `col_widths` fixes the columns instead (scaled down to `width` when
    they add up to more). `lines_columns` (a reason typed on several lines) keep the user's
    line breaks; each line is cleaned and wrapped as any cell is.
    Cells may also be reportlab flowables, passed through. A table of
    many plain-text rows comes as a `PagedTable` (laid out page by page, in linear time).
    """
    styles = styles or paragraph_styles()
    width = frame_width() if width is None else width
    right = set(right_columns)
    nowrap = set(nowrap_columns) | right
    keep_lines = set(lines_columns)
    rows = [list(row) for row in rows]
    size = styles["cell"].fontSize
    ratio = styles["cell"].leading / size
    if col_widths is not None:
        scale = min(1.0, width / sum(col_widths))
        widths = [w * scale for w in col_widths]
    else:
        widths = column_widths(header, rows, width=width, size=size, nowrap_columns=nowrap)
    while widths is None and size > MIN_TABLE_FONT_SIZE:
        size = max(MIN_TABLE_FONT_SIZE, round(size * 0.92, 2))
        widths = column_widths(header, rows, width=width, size=size, nowrap_columns=nowrap)
    if widths is None:  # even the smallest type cannot hold the longest words: split them
        widths = [width / len(header)] * len(header)

    leading = size * ratio
    font = cjk_font()

    def cell(value, column):
        if hasattr(value, "wrapOn"):
            return value
        # Plain text is wrapped here, once, to its column, and reportlab draws the lines as
        # strings: no flowable per cell (a 5,000-row table made 35,000 of them, 9 s of drawing).
        inner = widths[column] - 2 * CELL_PADDING
        if column in keep_lines and value:
            typed = [line for line in str(value).splitlines() if line.strip()] or [""]
            return "\n".join(
                wrapped
                for line in typed
                for wrapped in wrap_text(line, width=inner, size=size, font=font)
            )
        return "\n".join(wrap_text(value, width=inner, size=size, font=font))

    def height(cells) -> float | None:
        if any(not isinstance(value, str) for value in cells):
            return None  # a flowable: reportlab measures the row
        return leading * max(value.count("\n") + 1 for value in cells) + 2 * CELL_VERTICAL_PADDING

    head = [cell(value, c) for c, value in enumerate(header)]
    body = [[cell(value, c) for c, value in enumerate(row)] for row in rows]
    commands = [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("FONTSIZE", (0, 0), (-1, -1), size),
        ("LEADING", (0, 0), (-1, -1), leading),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.88, 0.9, 0.94)),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), CELL_VERTICAL_PADDING),
        ("BOTTOMPADDING", (0, 0), (-1, -1), CELL_VERTICAL_PADDING),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
    ]
    commands += [("ALIGN", (c, 0), (c, -1), "RIGHT") for c in sorted(right)]
    heights = [height(head), *(height(row) for row in body)]
    if None not in heights:
        return TextTable(
            head,
            body,
            widths=widths,
            heights=heights,
            size=size,
            leading=leading,
            right_columns=right,
            zebra=zebra,
        )
    if zebra:
        commands.append(("ROWBACKGROUNDS", (0, 1), (-1, -1), ZEBRA))
    table = Table([head, *body], colWidths=widths, rowHeights=heights, repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle(commands))
    return table


CELL_VERTICAL_PADDING = 2
GRID_COLOUR = colors.grey
GRID_WIDTH = 0.4
HEADER_BACKGROUND = colors.Color(0.88, 0.9, 0.94)
ZEBRA = [colors.white, colors.Color(0.97, 0.97, 0.97)]


class TextTable(Flowable):
    """A table of plain-text cells, already wrapped to their columns, drawn and split by itself.

    It looks like `make_table`'s reportlab table (grid, header background, stripes, the
    header repeated on every page) but draws each page's text in one text object and knows each
    row's height, so a split takes the rows that fit and keeps the rest, in time linear in the
    rows. reportlab's `Table` copies the rest of itself with all its styles at every page
    break, and draws every cell as its own text object: a 5,000-card disposal form took 9 s.
    """

    def __init__(
        self,
        head,
        rows,
        *,
        widths,
        heights,
        size,
        leading,
        right_columns=(),
        zebra=True,
        first_row=0,
    ):
        super().__init__()
        self.head, self.rows, self.widths = head, rows, list(widths)
        self._colWidths = self.widths  # reportlab's Table's name, for those who measure tables
        self.head_height, self.row_heights = heights[0], list(heights[1:])
        self.size, self.leading = size, leading
        self.right, self.zebra, self.first_row = set(right_columns), zebra, first_row
        self.hAlign = "LEFT"

    def _rest(self, start: int) -> TextTable:
        return TextTable(
            self.head,
            self.rows[start:],
            widths=self.widths,
            heights=[self.head_height, *self.row_heights[start:]],
            size=self.size,
            leading=self.leading,
            right_columns=self.right,
            zebra=self.zebra,
            first_row=self.first_row + start,
        )

    def _part(self, stop: int) -> TextTable:
        part = self._rest(0)
        part.rows, part.row_heights = self.rows[:stop], self.row_heights[:stop]
        return part

    def wrap(self, availWidth, availHeight):  # noqa: N803 - reportlab's names
        self.width = sum(self.widths)
        self.height = self.head_height + sum(self.row_heights)
        return self.width, self.height

    def split(self, availWidth, availHeight):  # noqa: N803
        room = availHeight - self.head_height
        count = 0
        for row_height in self.row_heights:
            if row_height > room:
                break
            room -= row_height
            count += 1
        if count == 0:
            return []  # not even one row fits here: the frame moves on to the next page
        if count == len(self.rows):
            return [self]
        return [self._part(count), self._rest(count)]

    def draw(self):
        canvas = self.canv
        width, top = self.width, self.height
        edges = [0.0]
        for column_width in self.widths:
            edges.append(edges[-1] + column_width)
        tops = [top, top - self.head_height]
        for row_height in self.row_heights:
            tops.append(tops[-1] - row_height)
        canvas.saveState()
        canvas.setFillColor(HEADER_BACKGROUND)
        canvas.rect(0, tops[1], width, self.head_height, stroke=0, fill=1)
        if self.zebra:
            canvas.setFillColor(ZEBRA[1])
            for index in range(len(self.rows)):
                if (self.first_row + index) % 2:
                    canvas.rect(
                        0, tops[index + 2], width, self.row_heights[index], stroke=0, fill=1
                    )
        canvas.setStrokeColor(GRID_COLOUR)
        canvas.setLineWidth(GRID_WIDTH)
        grid = canvas.beginPath()
        for y in tops:
            grid.moveTo(0, y)
            grid.lineTo(width, y)
        for x in edges:
            grid.moveTo(x, tops[0])
            grid.lineTo(x, tops[-1])
        canvas.drawPath(grid, stroke=1, fill=0)
        canvas.setFillColor(colors.black)
        font = cjk_font()
        text = canvas.beginText()
        text.setFont(font, self.size, self.leading)
        measure = _font_object(font).stringWidth
        for index, cells in enumerate([self.head, *self.rows]):
            bottom = tops[index + 1]
            row_height = tops[index] - bottom
            for column, value in enumerate(cells):
                lines = value.split("\n")
                # Vertically centred as reportlab centres a string cell.
                y = bottom + (row_height + len(lines) * self.leading) / 2 - self.size
                for line in lines:
                    if line:
                        if column in self.right:
                            x = edges[column + 1] - CELL_PADDING - measure(line, self.size)
                        else:
                            x = edges[column] + CELL_PADDING
                        text.setTextOrigin(x, y)
                        text.textOut(line)
                    y -= self.leading
        canvas.drawText(text)
        canvas.restoreState()


def signature_table(parties: Sequence[str], *, styles=None, width: float | None = None) -> Table:
    """Sign-off boxes: one row per party with signature, seal and date fields (签字、盖章、日期),
    `width` points wide (default: an A4 portrait frame)."""
    styles = styles or paragraph_styles()
    width = frame_width() if width is None else width
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
    table = Table(
        rows, colWidths=[width * 0.34, width * 0.26, width * 0.2, width * 0.2], hAlign="LEFT"
    )
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
