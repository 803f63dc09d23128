"""Benchmark: reconcile 50,000 finance rows against a 50,000-card register on PostgreSQL.

Target (issue 19): the whole reconciliation (read + check + stage + match + differences +
totals, one transaction) under 30 s; and at most 4× the baseline, which is reading the same
file with the import's reader alone (`assets.spreadsheets.read_table`), measured in the same run
so the ratio holds on a loaded machine. Exit status 1 when a target is missed or a count is
wrong.

    .venv/bin/python bench/reconcile.py [--rows 50000] [--database-url postgres://...]

It recreates the database named in the URL (default `yika_bench_reconcile`), migrates it,
registers the cards through `register_assets` (not timed), writes the finance export in memory
(40% of rows carry the tag, 30% the legacy number, 20% the serial number, the rest an unknown
number; a few values, categories and departments differ) and times `create_reconciliation`.
"""

import argparse
import io
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _common import cpu_seconds, load_average, peak_rss_mb, recreate_database  # noqa: E402

TARGET_SECONDS = 30
TARGET_RATIO = 4


def register(rows: int, centre, category) -> list:
    from django.db import transaction

    from assets import services

    cards = []
    for start in range(0, rows, 5000):
        batch = [
            {
                "name": "台式计算机",
                "category": category,
                "owner_department": centre,
                "legacy_number": f"GD-{n:06d}",
                "serial_number": f"SN{n:08d}",
                "original_value": Decimal("5999.00"),
                "status": "in_use",
            }
            for n in range(start, min(start + 5000, rows))
        ]
        with transaction.atomic():
            cards.extend(services.register_assets(actor=None, cards=batch))
    return cards


def finance_xlsx(cards: list) -> tuple[bytes, dict]:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("资产卡片")
    sheet.append(["某市大数据中心资产卡片明细表"])
    sheet.append([])
    sheet.append(["资产编号", "原资产编号", "产品序列号", "资产名称", "资产分类代码", "原值（元）",
                  "累计折旧", "权属单位", "财务入账日期", "会计凭证号"])  # fmt: skip
    expected = {"value_differs": 0, "category_differs": 0, "department_differs": 0}
    listed = len(cards) - len(cards) // 50  # 2% of the cards only in the register
    for n, card in enumerate(cards[:listed]):
        key = n % 10
        tag = card.tag if key < 4 else ""
        legacy = card.legacy_number if 4 <= key < 7 else ""
        serial = card.serial_number if 7 <= key < 9 else ""
        if key == 9:
            legacy = f"CW-{n:06d}"  # unknown to the register
        value = "5,999.00"
        if n % 20 == 1 and key != 9:
            value, expected["value_differs"] = "6,100.00", expected["value_differs"] + 1
        category = "A02010105"
        if n % 50 == 3 and key != 9:
            category, expected["category_differs"] = "A02010104", expected["category_differs"] + 1
        department = "BDC"
        if n % 50 == 7 and key != 9:
            department = "HEALTH"
            expected["department_differs"] += 1
        sheet.append([tag, legacy, serial, "台式计算机", category, value, 0, department,
                      "2024-01-05", f"记-{n:06d}"])  # fmt: skip
    expected["only_in_finance"] = sum(1 for n in range(listed) if n % 10 == 9)
    expected["only_in_register"] = len(cards) - listed + expected["only_in_finance"]
    expected["rows"] = listed
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue(), expected


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/yika_bench_reconcile"
    )
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
    recreate_database(args.database_url)

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from assets import spreadsheets
    from assets.models import CURRENT_CODE_SYSTEM, Category, Department
    from assets.reconciliations import services
    from tests.factories import UserFactory

    bureau = Department.objects.create(code="BUREAU", name="市数据局", kind="bureau")
    centre = Department.objects.create(
        code="BDC", name="市大数据中心", kind="centre", parent=bureau
    )
    Department.objects.create(code="HEALTH", name="市卫健委", kind="bureau")
    user = UserFactory(username="bench", department=centre, roles=["clerk"])
    category = Category.objects.get(code_system=CURRENT_CODE_SYSTEM, code="A02010105")

    started = time.perf_counter()
    cards = register(args.rows, centre, category)
    print(f"register: {len(cards)} cards in {time.perf_counter() - started:.1f} s (not timed)")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum would have done on a register in service
    data, expected = finance_xlsx(cards)
    print(f"file: {expected['rows']} rows, {len(data) / 1e6:.1f} MB XLSX")
    print(f"load average before: {load_average()}")

    started, cpu = time.perf_counter(), cpu_seconds()
    table = spreadsheets.read_table(data)
    baseline, baseline_cpu = time.perf_counter() - started, cpu_seconds() - cpu
    assert len(table.rows) == expected["rows"] + 1  # the header below the title reads as a row
    print(f"baseline (read the file): {baseline:.2f} s (CPU {baseline_cpu:.2f} s)")

    started, cpu = time.perf_counter(), cpu_seconds()
    rec = services.create_reconciliation(actor=user, data=data, name="bench.xlsx")
    took, took_cpu = time.perf_counter() - started, cpu_seconds() - cpu
    counts = {
        "rows": rec.row_count,
        "value_differs": rec.value_differs_count,
        "category_differs": rec.category_differs_count,
        "department_differs": rec.department_differs_count,
        "only_in_finance": rec.only_in_finance_count,
        "only_in_register": rec.only_in_register_count,
    }
    print(
        f"reconcile: {took:.2f} s (CPU {took_cpu:.2f} s)  header row {rec.header_row}, "
        f"{rec.matched_count} matched, {counts}  peak RSS {peak_rss_mb():.0f} MB"
    )
    ratio = took / baseline if baseline else float("inf")
    print(f"ratio: {ratio:.2f}× baseline (wall)   load average after: {load_average()}")
    checks = [
        ("reconcile", took < TARGET_SECONDS, f"{took:.1f} s < {TARGET_SECONDS} s"),
        ("ratio", ratio <= TARGET_RATIO, f"{ratio:.2f}× ≤ {TARGET_RATIO}× baseline"),
        ("counts", counts == expected, f"{counts} == {expected}"),
    ]
    failed = False
    for name, met, detail in checks:
        print(f"target {name}: {detail}: {'MET' if met else 'NOT MET'}")
        failed = failed or not met
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
