"""Helpers for the label tests: read back what a PDF shows, like a phone or a reader would."""

import subprocess
from pathlib import Path

import zxingcpp
from PIL import Image
from pypdf import PdfReader


def rasterise(pdf_path, out_dir, dpi: int = 300) -> list[Path]:
    """Rasterise every page with poppler's pdftoppm (grey, like a phone camera's luminance)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-gray", "-png", str(pdf_path), str(out_dir / "page")],
        check=True,
        timeout=120,
    )
    return sorted(out_dir.glob("page-*.png"))


def decode_qr_codes(pdf_path, out_dir, dpi: int = 300) -> list[str]:
    texts = []
    for page in rasterise(pdf_path, out_dir, dpi):
        with Image.open(page) as image:
            for barcode in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode):
                texts.append(barcode.text)
    return texts


def decode_all(pdf_path, out_dir, dpi: int = 300) -> list[tuple[str, str]]:
    found = []
    for page in rasterise(pdf_path, out_dir, dpi):
        with Image.open(page) as image:
            for barcode in zxingcpp.read_barcodes(image):
                found.append((barcode.format.name, barcode.text))
    return found


def pdf_text(pdf_path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(str(pdf_path)).pages)


def batch_pdf_path(batch):
    return Path(batch.file.path)


# 15 mm, the margin of every A4 document Yika builds (labels.pdf.build_a4_pdf).
A4_MARGIN = 15 * 72 / 25.4


def overruns(pdf_bytes: bytes, *, margin: float = A4_MARGIN) -> list[str]:
    """Every glyph, line and rectangle that leaves the page's margins, read from the PDF's real
    geometry with pdfplumber (what a printer would cut off). Empty when everything fits."""
    import io

    import pdfplumber

    problems = []
    with pdfplumber.open(io.BytesIO(pdf_bytes)) as document:
        for number, page in enumerate(document.pages, start=1):
            left, right = margin - 0.5, page.width - margin + 0.5
            for char in page.chars:
                if char["x0"] < left or char["x1"] > right:
                    problems.append(f"page {number}: {char['text']!r} at x {char['x0']:.1f}")
            for shape in [*page.lines, *page.rects]:
                if shape["x0"] < left or shape["x1"] > right:
                    problems.append(
                        f"page {number}: a line from x {shape['x0']:.1f} to {shape['x1']:.1f}"
                    )
    return problems


# The frame inside the margins keeps 6 pt of padding on each side (reportlab's Frame default).
FRAME_PADDING = 6


def misfits(pdf_bytes: bytes) -> list[str]:
    """`overruns` plus every table grid that leaves the frame the story is laid out in."""
    import io

    import pdfplumber

    problems = overruns(pdf_bytes)
    with pdfplumber.open(io.BytesIO(pdf_bytes)) as document:
        widths = [page.width for page in document.pages]
    inset = A4_MARGIN + FRAME_PADDING - 0.5
    for number, left, right in table_widths(pdf_bytes):
        if left < inset or right > widths[number - 1] - inset:
            problems.append(f"page {number}: a table from x {left:.1f} to {right:.1f}")
    return problems


def pdf_words(pdf_bytes: bytes) -> list[str]:
    """The words of a PDF as laid out (one entry per run of text on one line)."""
    import io

    import pdfplumber

    with pdfplumber.open(io.BytesIO(pdf_bytes)) as document:
        return [
            word["text"]
            for page in document.pages
            for word in page.extract_words(keep_blank_chars=False, use_text_flow=True)
        ]


def table_widths(pdf_bytes: bytes) -> list[tuple[int, float, float]]:
    """(page, left, right) of every table grid on each page: the span of its vertical rules."""
    import io

    import pdfplumber

    spans = []
    with pdfplumber.open(io.BytesIO(pdf_bytes)) as document:
        for number, page in enumerate(document.pages, start=1):
            for table in page.find_tables():
                x0, _top, x1, _bottom = table.bbox
                spans.append((number, x0, x1))
    return spans
