"""Benchmark: import 50,000 XLSX rows (10% nested in hosts of the same file) on PostgreSQL.

Target (issue 7): preview + apply under 60 s in all, peak RSS under 500 MB.

    .venv/bin/python bench/import.py [--rows 50000] [--database-url postgres://...]

It recreates the database named in the URL (default `yika_bench_import`), migrates it, writes the
ledger file in memory, then times `create_import_job` (read + check + preview) and
`apply_import_job` (one transaction through the register services) and prints the figures.
"""

import argparse
import io
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def recreate_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def ledger_xlsx(rows: int) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("资产")
    sheet.append(
        ["原资产编号", "资产名称", "资产分类代码", "品牌", "型号", "产品序列号", "权属单位",
         "使用部门", "使用人", "存放地点", "原值", "取得日期", "使用状况", "上级资产", "安装方式"]
    )  # fmt: skip
    hosts = rows - rows // 10
    for n in range(rows):
        if n < hosts:
            sheet.append(
                [f"GD-{n:06d}", "台式计算机", "A02010105", "联想", "M920", f"SN{n:08d}", "BDC",
                 "BDC", "张三", "R101", 5999.0, "2022-03-01", "在用", None, None]
            )  # fmt: skip
        else:
            host = n % hosts
            sheet.append(
                [f"GD-{n:06d}", "网卡", "A02010104", "Intel", "X710", f"SN{n:08d}", "BDC",
                 "BDC", "张三", None, 1200.0, "2022-03-01", "在用", f"GD-{host:06d}", "嵌入主机"]
            )  # fmt: skip
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/yika_bench_import"
    )
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
    recreate_database(args.database_url)

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from assets import imports
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

    started = time.perf_counter()
    job = imports.create_import_job(actor=user, data=data, name="bench.xlsx")
    preview = time.perf_counter() - started
    assert job.state == "ready", job.errors[:5]
    print(
        f"preview: {preview:.1f} s  ({job.create_count} to create, {job.error_count} errors)"
        f"  peak RSS so far {peak_rss_mb():.0f} MB"
    )

    started = time.perf_counter()
    job = imports.apply_import_job(job=job, actor=user)
    applied = time.perf_counter() - started
    nested = Asset.objects.filter(parent__isnull=False).count()
    print(
        f"apply:   {applied:.1f} s  ({Asset.objects.count()} cards, {nested} nested, "
        f"{AssetEvent.objects.count()} events)"
    )
    total = preview + applied
    peak = peak_rss_mb()
    print(f"total:   {total:.1f} s (target < 60 s)   peak RSS {peak:.0f} MB (target < 500 MB)")


if __name__ == "__main__":
    main()
