"""Benchmark: 10,000 labels 70×40 on A4 into one PDF (issue 3).

Targets: under 10 s, peak RSS under 300 MB, at most 2× a plain reportlab baseline.

The baseline runs in the same process: a plain reportlab loop drawing the same label content
with the ordinary canvas API: the same QR module rectangles (`canvas.rect` per dark run, from
one representative code, so the baseline has no encoding cost at all), the same Code 128 bars
and the same text lines with `drawString`, no fitting. Yika's run does everything for real:
encodes 10,000 distinct QR codes, fits every text line, streams pages.

Run: `.venv/bin/python bench/labels.py [--labels N]` (no database needed).

`--register` (issue 21) instead renders `--labels` labels of the register named by
DATABASE_URL (bench/scale.py's province) the way the application does: `print_labels` in
batches of YIKA_LABELS_MAX_BATCH cards, each batch's PDF streamed by `render_batch` (what the
worker runs), all in one transaction rolled back at the end (the register is left as it was)
and the PDF files removed. It prints one line `RESULT {json}` (print and render seconds, files,
pages, peak RSS of this process) that bench/scale.py reads.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from reportlab.lib.units import mm  # noqa: E402
from reportlab.pdfgen.canvas import Canvas  # noqa: E402

from assets.tags import make_tag  # noqa: E402
from labels import layout, pdf, qr  # noqa: E402

SITE = "https://yika.example.gov.cn"
TARGET_SECONDS = 10.0
TARGET_RSS_MB = 300.0
TARGET_RATIO = 2.0

# The A4 70×40 template as shipped (labels/migrations/0002_default_templates.py).
SPEC = layout.TemplateSpec(
    code="a4-70x40",
    kind="label",
    media="sheet",
    page_width=210,
    page_height=297,
    label_width=70,
    label_height=40,
    columns=3,
    rows=7,
    margin_top=8.5,
    padding=2.5,
    qr_size=28,
    fields=("owner", "name", "model", "in_service_on", "components"),
    code128=True,
    code128_height=6,
    font_size=8,
    min_font_size=5,
)


def tags(count: int):
    sequence = 0
    issued = 0
    while issued < count:
        sequence += 1
        tag = make_tag("YK", 2026, sequence)
        if tag:
            issued += 1
            yield tag


def contents(count: int):
    for number, tag in enumerate(tags(count)):
        yield layout.LabelContent(
            tag=tag,
            url=qr.encode(site_url=SITE, tag=tag, label_serial=1 + number % 3),
            owner="市大数据中心",
            name=("台式计算机 联想启天 M437" if number % 2 else "政务外网核心交换机（主）"),
            model="M437-A" + str(number % 97),
            in_service_on=date(2026, 1, 1 + number % 28),
        )


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_yika(count: int, target: Path) -> tuple[float, float, int]:
    start, cpu = time.perf_counter(), time.process_time()
    _, pages = layout.write_labels(target, SPEC, contents(count), title="bench")
    return time.perf_counter() - start, time.process_time() - cpu, pages


def run_baseline(count: int, target: Path) -> tuple[float, float, int]:
    """Plain reportlab: the same rectangles and text, drawn with the ordinary canvas calls."""
    font = pdf.cjk_font()
    sample = qr.encode(site_url=SITE, tag="YK20260000014", label_serial=1)
    matrix = pdf.qr_matrix(sample)
    runs = []
    for r, row in enumerate(matrix.rows):
        for match in pdf._DARK_RUN_RE.finditer(row):
            runs.append((match.start(), matrix.size - 1 - r, match.end() - match.start()))
    modules, bars = pdf.code128_bars("YK20260000014")
    module = 28 * mm / (matrix.size + 8)
    start, cpu = time.perf_counter(), time.process_time()
    canvas = Canvas(str(target), pagesize=(210 * mm, 297 * mm), pageCompression=1)
    lines = [
        "YK20260000014",
        "市大数据中心",
        "政务外网核心交换机（主）",
        "M437-A1",
        "启用 2026-01-01",
    ]
    slot = 0
    pages = 0
    for _ in range(count):
        column, row = slot % 3, slot // 3
        x = column * 70 * mm
        y = (297 - 8.5 - (row + 1) * 40) * mm
        qx, qy = x + 2.5 * mm + 4 * module, y + 9.5 * mm + 4 * module
        for mx, my, width in runs:
            canvas.rect(
                qx + mx * module, qy + my * module, width * module, module, stroke=0, fill=1
            )
        bar = 35 * mm / (modules + 20)
        for left, width in bars:
            canvas.rect(
                x + 31.5 * mm + (10 + left) * bar,
                y + 2.5 * mm,
                width * bar,
                6 * mm,
                stroke=0,
                fill=1,
            )
        canvas.setFont(font, 8)
        baseline = y + 35 * mm
        for text in lines:
            canvas.drawString(x + 31.5 * mm, baseline, text)
            baseline -= 9.5
        slot += 1
        if slot == 21:
            canvas.showPage()
            pages += 1
            slot = 0
    if slot:
        canvas.showPage()
        pages += 1
    canvas.save()
    return time.perf_counter() - start, time.process_time() - cpu, pages


def run_register(count: int) -> dict:
    """`count` labels of the register's first printable cards (by tag), as the application
    prints and renders them; rolled back. Seconds spent issuing and rendering, files, pages."""
    import json

    from django.conf import settings
    from django.db import transaction

    from assets.models import Asset, User
    from labels import services
    from labels.models import LabelTemplate

    admin = User.objects.get(username="bench-admin")
    template = LabelTemplate.objects.get(code=SPEC.code)
    ids = list(
        Asset.objects.exclude(status=Asset.Status.RETIRED)
        .filter(label_mode__in=services.PRINTABLE_LABEL_MODES)
        .order_by("tag")
        .values_list("pk", flat=True)[:count]
    )
    size = settings.YIKA_LABELS_MAX_BATCH
    printing = rendering = 0.0
    files = pages = 0
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    with transaction.atomic():
        for start in range(0, len(ids), size):
            begin = time.perf_counter()
            batch = services.print_labels(
                actor=admin, assets=Asset.objects.filter(pk__in=ids[start : start + size]),
                template=template,
            )  # fmt: skip
            middle = time.perf_counter()
            batch = services.render_batch(batch_id=batch.pk)
            rendering += time.perf_counter() - middle
            printing += middle - begin
            files += 1
            pages += batch.pages
            (root / batch.file.name).unlink(missing_ok=True)
        transaction.set_rollback(True)
    result = {
        "labels": len(ids),
        "files": files,
        "pages": pages,
        "print_s": round(printing, 1),
        "render_s": round(rendering, 1),
        "rss_mb": round(peak_rss_mb()),
    }
    print("RESULT", json.dumps(result), flush=True)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=int, default=10_000)
    parser.add_argument("--register", action="store_true", help="the register of DATABASE_URL")
    args = parser.parse_args()
    if args.register:
        run_register(args.labels)
        return 0
    pdf.cjk_font()  # font loading is a one-off per process; not part of either run
    with tempfile.TemporaryDirectory() as folder:
        yika_pdf = Path(folder) / "yika.pdf"
        base_pdf = Path(folder) / "baseline.pdf"
        seconds, cpu, pages = run_yika(args.labels, yika_pdf)
        rss = peak_rss_mb()
        size = yika_pdf.stat().st_size / 1e6
        base_seconds, base_cpu, base_pages = run_baseline(args.labels, base_pdf)
        base_size = base_pdf.stat().st_size / 1e6
    # CPU time is the fair comparison on a shared machine; wall time is what the target names.
    ratio = cpu / base_cpu if base_cpu else float("inf")
    load = os.getloadavg()[0]
    print(f"labels            {args.labels}")
    print(f"load average      {load:.2f} on {os.cpu_count()} CPUs")
    print(
        f"yika              {seconds:.2f} s wall, {cpu:.2f} s CPU, {pages} pages, {pages / seconds:.1f} pages/s, "
        f"{args.labels / seconds:.0f} labels/s, {size:.1f} MB"
    )
    print(f"peak RSS          {rss:.0f} MB (after the Yika run)")
    print(
        f"baseline          {base_seconds:.2f} s wall, {base_cpu:.2f} s CPU, {base_pages} pages, "
        f"{base_pages / base_seconds:.1f} pages/s, {base_size:.1f} MB (plain reportlab loop)"
    )
    print(f"ratio             {ratio:.2f}× baseline (CPU time)")
    checks = [
        ("time", seconds < TARGET_SECONDS * args.labels / 10_000, f"< {TARGET_SECONDS:.0f} s"),
        ("rss", rss < TARGET_RSS_MB, f"< {TARGET_RSS_MB:.0f} MB"),
        ("ratio", ratio <= TARGET_RATIO, f"≤ {TARGET_RATIO:.0f}× baseline"),
    ]
    for name, ok, target in checks:
        print(f"target {name:<10} {target:<16} {'ok' if ok else 'MISSED'}")
    return 0 if all(ok for _, ok, _ in checks) else 1


if __name__ == "__main__":
    raise SystemExit(main())
