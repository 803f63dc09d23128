"""Finance exports as the finance office sends them, and a small register to reconcile."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import Workbook

from tests.factories import make_asset

HEADERS = ["资产编号", "原资产编号", "产品序列号", "资产名称", "资产分类代码", "原值", "累计折旧", "权属单位",
           "财务入账日期", "会计凭证号"]  # fmt: skip


def xlsx_bytes(rows, *, headers=HEADERS, above=(), merge=None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for line in above:
        sheet.append(line)
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(rows, *, headers=HEADERS, encoding="utf-8-sig") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


@pytest.fixture
def register(centre, clerk):
    """Four cards of the centre: one matched by tag, one by legacy number, one by serial number,
    one the finance books lack. No depreciation (no in-service date), so values are exact."""
    by_tag = make_asset(
        owner=centre, actor=clerk, name="服务器", original_value=Decimal("56000.00")
    )
    by_legacy = make_asset(
        owner=centre, actor=clerk, legacy_number="GD-0002", original_value=Decimal("6200.00")
    )
    by_serial = make_asset(
        owner=centre, actor=clerk, serial_number="SN-0003", original_value=Decimal("3000.00")
    )
    missing = make_asset(
        owner=centre, actor=clerk, name="打印机", original_value=Decimal("1500.00")
    )
    return {"tag": by_tag, "legacy": by_legacy, "serial": by_serial, "missing": missing}


def finance_rows(register, *, value="56000.00"):
    """The finance export of `register`: the first card's value as given, one unknown card."""
    return [  # fmt: skip
        [
            register["tag"].tag,
            "",
            "",
            "服务器",
            "A02010105",
            value,
            "0",
            "BDC",
            "2024-01-05",
            "记-001",
        ],
        ["", "GD-0002", "", "台式计算机", "A02010105", "6,200.00", "0", "市大数据中心", "", ""],
        ["", "", "SN-0003", "台式计算机", "A02010105", "3000", "0", "BDC", "", ""],
        ["", "CW-9999", "", "投影仪", "A02010105", "8000", "0", "BDC", "", ""],
    ]


@pytest.fixture
def today():
    return date.today()
