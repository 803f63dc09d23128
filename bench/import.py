"""Benchmark: import 50,000 XLSX rows (10% nested in hosts of the same file) on PostgreSQL.

Target (issue 7): preview + apply under 60 s in all, peak RSS under 500 MB.

    .venv/bin/python bench/import.py [--rows 50000] [--database-url postgres://...]

It recreates the database named in the URL (default `yika_bench_import`), migrates it, writes the
ledger file in memory, then times `create_import_job` (read + check + preview) and
`apply_import_job` (one transaction: the file is checked again, new cards go in batches through
`register_assets`) and prints the figures, the CPU time of this process (less sensitive to other
load on the machine than wall time), the load average, and a met/not-met verdict per target.
`--reimport` then imports the same file again and checks that it changes nothing.

`--register` (issue 21) imports instead into the register named by `--database-url` (bench/
scale.py's province, not recreated) as its first unit's clerk, into that unit and one of its
rooms, in files of at most 100,000 rows (the most one ledger file may hold), one after another, in one transaction rolled back at the end (the register is left as it was), and prints
one line `RESULT {json}` (preview and apply seconds, peak RSS of this process) that
bench/scale.py reads.
"""

import argparse
import io
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _common import cpu_seconds, load_average, peak_rss_mb, recreate_database  # noqa: E402

TARGET_SECONDS = 60
TARGET_RSS_MB = 500


def verdict(name: str, value: float, target: float, unit: str) -> str:
    met = "MET" if value < target else "NOT MET"
    return f"target {name}: {value:.1f} {unit} < {target} {unit}: {met}"


def ledger_xlsx(rows: int, owner: str = "BDC", location: str = "R101", first: int = 0) -> bytes:
    """`rows` ledger rows numbered from `first` (GD-number and serial), the last tenth nested in
    the hosts of the same file."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("资产")
    sheet.append(
        ["原资产编号", "资产名称", "资产分类代码", "品牌", "型号", "产品序列号", "权属单位",
         "使用部门", "使用人", "存放地点", "原值", "取得日期", "使用状况", "上级资产", "安装方式"]
    )  # fmt: skip
    hosts = first + rows - rows // 10
    for n in range(first, first + rows):
        if n < hosts:
            sheet.append(
                [f"GD-{n:06d}", "台式计算机", "A02010105", "联想", "M920", f"SN{n:08d}", owner,
                 owner, "张三", location, 5999.0, "2022-03-01", "在用", None, None]
            )  # fmt: skip
        else:
            host = first + (n - first) % (hosts - first)
            sheet.append(
                [f"GD-{n:06d}", "网卡", "A02010104", "Intel", "X710", f"SN{n:08d}", owner,
                 owner, "张三", None, 1200.0, "2022-03-01", "在用", f"GD-{host:06d}", "嵌入主机"]
            )  # fmt: skip
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def run_import(user, data: bytes):
    """Preview (`create_import_job`) and apply the ledger file `data` as `user`: (job, preview
    seconds, apply seconds), each step's figures printed."""
    from assets.imports import jobs

    started, cpu = time.perf_counter(), cpu_seconds()
    job = jobs.create_import_job(actor=user, data=data, name="bench.xlsx")
    preview, preview_cpu = time.perf_counter() - started, cpu_seconds() - cpu
    assert job.state == "ready", job.errors[:5]
    print(
        f"preview: {preview:.1f} s (CPU {preview_cpu:.1f} s)  ({job.create_count} to create, "
        f"{job.error_count} errors)  peak RSS so far {peak_rss_mb():.0f} MB",
        flush=True,
    )
    started, cpu = time.perf_counter(), cpu_seconds()
    job = jobs.apply_import_job(job=job, actor=user)
    applied, applied_cpu = time.perf_counter() - started, cpu_seconds() - cpu
    print(f"apply:   {applied:.1f} s (CPU {applied_cpu:.1f} s)", flush=True)
    return job, preview, applied


def into_register(rows: int) -> dict:
    """`rows` ledger rows imported into the existing register, rolled back (see the docstring)."""
    import json

    from django.db import transaction

    from assets.models import Location, User
    from assets.spreadsheets import MAX_ROWS

    user = User.objects.select_related("department").get(username="clerk-U000")
    room = Location.objects.filter(department=user.department, kind="room").order_by("code")[0]
    # A ledger file holds at most MAX_ROWS rows ("split it into smaller files"): as many files.
    sizes = [min(MAX_ROWS, rows - first) for first in range(0, rows, MAX_ROWS)]
    preview = applied = 0.0
    created = 0
    with transaction.atomic():
        for number, size in enumerate(sizes):
            data = ledger_xlsx(
                size, owner=user.department.code, location=room.code, first=number * MAX_ROWS
            )
            print(f"file {number + 1}: {size} rows, {len(data) / 1e6:.1f} MB XLSX", flush=True)
            job, file_preview, file_applied = run_import(user, data)
            del data  # the next file's bytes replace this one's, not join them
            preview += file_preview
            applied += file_applied
            created += job.create_count
        transaction.set_rollback(True)
    result = {
        "rows": rows,
        "files": len(sizes),
        "created": created,
        "preview_s": round(preview, 1),
        "apply_s": round(applied, 1),
        "total_s": round(preview + applied, 1),
        "rss_mb": round(peak_rss_mb()),
    }
    print("RESULT", json.dumps(result), flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument(
        "--reimport", action="store_true", help="import the same file again: nothing may change"
    )
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/yika_bench_import"
    )
    parser.add_argument(
        "--register", action="store_true", help="into the register of --database-url, rolled back"
    )
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
    if not args.register:
        recreate_database(args.database_url)

    import django

    django.setup()
    if args.register:
        into_register(args.rows)
        return
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from assets.imports import jobs
    from assets.models import Asset, AssetEvent, Department, Location
    from tests.factories import UserFactory

    bureau = Department.objects.create(code="BUREAU", name="市数据局", kind="bureau")
    centre = Department.objects.create(
        code="BDC", name="市大数据中心", kind="centre", parent=bureau
    )
    Location.objects.create(code="R101", name="一号机房")
    user = UserFactory(username="bench", department=centre, roles=["clerk"])

    started = time.perf_counter()
    data = ledger_xlsx(args.rows)
    built = time.perf_counter() - started
    print(f"file: {args.rows} rows, {len(data) / 1e6:.1f} MB XLSX (built in {built:.1f} s)")

    print(f"load average before: {load_average()}")
    job, preview, applied = run_import(user, data)
    cards, events = Asset.objects.count(), AssetEvent.objects.count()
    nested = Asset.objects.filter(parent__isnull=False).count()
    print(f"register: {cards} cards, {nested} nested, {events} events")
    assert (cards, events) == (args.rows, args.rows), "one card and one event per row"
    total = preview + applied
    peak = peak_rss_mb()
    print(f"total:   {total:.1f} s   peak RSS {peak:.0f} MB   load average after: {load_average()}")
    print(verdict("preview + apply", total, TARGET_SECONDS, "s"))
    print(verdict("peak RSS", peak, TARGET_RSS_MB, "MB"))

    if args.reimport:
        started = time.perf_counter()
        again = jobs.create_import_job(actor=user, data=data, name="bench.xlsx")
        assert (again.create_count, again.update_count) == (0, 0), again.errors[:5]
        jobs.apply_import_job(job=again, actor=user)
        unchanged = (Asset.objects.count(), AssetEvent.objects.count()) == (cards, events)
        print(
            f"re-import: {time.perf_counter() - started:.1f} s, {again.unchanged_count} rows "
            f"unchanged, register {'unchanged' if unchanged else 'CHANGED'}"
        )
        assert unchanged


if __name__ == "__main__":
    main()
