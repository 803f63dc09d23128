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
