"""`GET /api/v1/reports/balance/` and `/movements/` with their `.xlsx` and `.pdf` variants:
scoped like the register, 400 naming the parameter, numbers as numbers, Chinese headers, a
totals row, formula-safe text, a Chinese PDF with its scope line and sign-off."""

import io
import subprocess
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.api_base import APITestBase
from tests.factories import make_asset

pytestmark = pytest.mark.django_db

BALANCE = ("report-balance", "report-balance-xlsx", "report-balance-pdf")
MOVEMENTS = ("report-movements", "report-movements-xlsx", "report-movements-pdf")


def today() -> str:
    return timezone.localdate().isoformat()


def params(name: str) -> dict:
    if name.startswith("report-balance"):
        return {"on": today()}
    return {"from": today(), "to": today()}


def sheet_text(content: bytes, index: int = 0):
    return load_workbook(io.BytesIO(content)).worksheets[index]


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


class TestRegisterReportsAPI(APITestBase):
    url_names = BALANCE + MOVEMENTS

    @pytest.mark.parametrize("name", BALANCE + MOVEMENTS)
    def test_anonymous_is_401(self, request, name):
        response = self.client_for(request, None).get(reverse(name), params(name))
        assert response.status_code == 401

    @pytest.mark.parametrize("name", BALANCE + MOVEMENTS)
    def test_another_departments_cards_are_not_counted(self, request, name, centre, other_bureau):
        make_asset(owner=centre, name="我的", original_value=Decimal("1000.00"))
        make_asset(owner=other_bureau, name="别人的", original_value=Decimal("7777.00"))
        for role, expected in (("clerk", "1000.00"), ("auditor", "8777.00")):
            response = self.client_for(request, role).get(
                reverse(name), {**params(name), "by": "department"}
            )
            assert response.status_code == 200
            if name in ("report-balance", "report-movements"):
                totals = response.json()["totals"]
                block = totals if name == "report-balance" else totals["closing"]
                assert block["original_value"] == expected
            elif name.endswith("xlsx"):
                sheet = sheet_text(response.content)
                total = [row for row in sheet.iter_rows(values_only=True) if row[1] == "合计"]
                column = 3 if name == "report-balance-xlsx" else 16
                assert float(total[0][column]) == float(expected)
            else:
                assert response["Content-Type"] == "application/pdf"
                text = pdf_text(response.content)
                assert ("HEALTH" in text) == (role == "auditor")

    @pytest.mark.parametrize(
        ("name", "query", "field"),
        [
            ("report-balance", {}, "on"),
            ("report-balance", {"on": "2025-02-30"}, "on"),
            ("report-balance", {"on": "2999-01-01"}, "on"),
            ("report-balance", {"on": "2025-01-01", "by": "colour"}, "by"),
            ("report-balance", {"on": "2025-01-01", "by": "status", "level": "2"}, "level"),
            ("report-balance-xlsx", {"on": "x"}, "on"),
            ("report-movements", {"to": "2025-01-01"}, "from"),
            ("report-movements", {"from": "2025-02-01", "to": "2025-01-01"}, "from"),
            ("report-movements-pdf", {"from": "2025-01-01"}, "to"),
        ],
    )
    def test_bad_parameters_are_400_naming_the_field(self, request, name, query, field):
        response = self.client_for(request, "clerk").get(reverse(name), query)
        assert response.status_code == 400
        assert field in response.json()

    def test_bad_parameters_are_explained_in_chinese(self, request):
        response = self.client_for(request, "clerk").get(
            reverse("report-balance"), {"on": "2999-01-01"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
        assert response.json()["on"] == ["不能编制未来日期的报表。"]

    def test_balance_workbook_has_chinese_headers_numbers_and_safe_text(self, request, centre):
        from assets.models import Department

        Department.objects.filter(pk=centre.pk).update(name="=HYPERLINK(1)")
        make_asset(owner=centre, original_value=Decimal("1234.56"))
        response = self.client_for(request, "clerk").get(
            reverse("report-balance-xlsx"), {"on": today(), "by": "department"}
        )
        sheet = sheet_text(response.content)
        rows = list(sheet.iter_rows())
        assert [c.value for c in rows[0]] == [
            "编码",
            "名称",
            "数量",
            "原值（元）",
            "累计折旧（元）",
            "净值（元）",
        ]
        assert rows[1][1].value == "'=HYPERLINK(1)"
        assert rows[1][1].data_type == "s"
        assert rows[1][2].data_type == "n" and rows[1][2].value == 1
        assert rows[1][3].data_type == "n" and float(rows[1][3].value) == 1234.56
        assert rows[-1][1].value == "合计"
        about = sheet_text(response.content, 1)
        values = [row[1] for row in about.iter_rows(values_only=True)]
        assert any("市大数据中心" in str(value) for value in values)

    def test_balance_pdf_is_chinese_with_scope_and_sign_off(self, request, centre, tmp_path):
        make_asset(owner=centre, original_value=Decimal("1234.56"))
        response = self.client_for(request, "clerk").get(
            reverse("report-balance-pdf"), {"on": today()}
        )
        text = pdf_text(response.content)
        assert "资产总表" in text
        assert "市大数据中心" in text  # the scope line
        assert "¥1,234.56" in text
        assert "单位负责人" in text
        assert "SHA-256" in text
        (tmp_path / "balance.pdf").write_bytes(response.content)
        subprocess.run(
            ["pdftoppm", "-r", "40", "-png", str(tmp_path / "balance.pdf"), str(tmp_path / "p")],
            check=True,
        )
        assert list(tmp_path.glob("p*.png"))
