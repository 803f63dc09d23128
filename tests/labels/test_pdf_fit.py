"""14.12: every table Yika draws fits its page's frame; CJK wraps by character, Latin words, model
numbers and amounts never break inside. The helper itself is tested here, on A4 portrait and
landscape; the certificate and the stocktake report have their own tests beside them."""

import io

import pytest

from labels import pdf
from tests.labels.helpers import misfits, pdf_words

LONG_NAME = "华为机架式服务器（政务云平台二期扩容项目采购，含三年原厂维保服务）"


def _document(story, *, is_landscape=False) -> bytes:
    out = io.BytesIO()
    pdf.build_a4_pdf(out, story, title="测试", is_landscape=is_landscape)
    return out.getvalue()


def test_wrap_text_never_breaks_a_model_number_inside():
    lines = pdf.wrap_text("华为 FusionServer 2288H V5 机架式服务器", width=60, size=7)
    assert "FusionServer" in " ".join(lines).split()
    assert all("FusionSe" not in line or "FusionServer" in line for line in lines)


def test_wrap_text_breaks_cjk_by_character_and_keeps_closing_punctuation():
    lines = pdf.wrap_text(LONG_NAME, width=50, size=8)
    assert len(lines) > 3 and "".join(lines) == LONG_NAME
    assert not any(line[0] in "，）。" for line in lines)
    assert all(pdf.string_width(line, 8) <= 50 for line in lines)


@pytest.mark.parametrize("is_landscape", [False, True])
def test_a_table_with_many_columns_fits_the_frame(is_landscape):
    header = [
        "资产编号",
        "资产名称",
        "规格型号",
        "序列号",
        "原值（元）",
        *[f"列{n}" for n in range(8)],
    ]
    rows = [
        [
            "YK2026000001X",
            LONG_NAME,
            "FusionServer 2288H V5",
            "2102311TYBN0K8000123",
            "24,743,800.00",
            *["数量 12"] * 8,
        ]
    ] * 3
    width = pdf.frame_width(is_landscape=is_landscape)
    table = pdf.make_table(header, rows, width=width, right_columns=[4], nowrap_columns=[0])
    data = _document([table], is_landscape=is_landscape)
    assert misfits(data) == []
    words = pdf_words(data)
    for whole in ("FusionServer", "2288H", "24,743,800.00", "YK2026000001X"):
        assert whole in words, f"{whole} was broken: {[w for w in words if w[:3] == whole[:3]]}"


def test_a_word_longer_than_the_page_is_cut_rather_than_overrun():
    table = pdf.make_table(["序列号"] * 3, [["X" * 300, "Y" * 300, "短"]])
    assert misfits(_document([table])) == []


LABEL_CODES = ["a4-70x40", "a4-60x40", "thermal-50x30", "mini-40x20", "flag-60x10"]


def _inside(data: bytes, *, left: float, right: float) -> list[str]:
    import pdfplumber

    problems = []
    with pdfplumber.open(io.BytesIO(data)) as document:
        for number, page in enumerate(document.pages, start=1):
            low, high = max(left, 0) - 0.5, min(right, page.width) + 0.5
            for item in [*page.chars, *page.rects, *page.lines]:
                if item["x0"] < low or item["x1"] > high:
                    problems.append(
                        f"page {number}: {item.get('text', 'a rule')!r} {item['x0']:.1f}"
                    )
    return problems


@pytest.mark.django_db
@pytest.mark.parametrize("code", LABEL_CODES)
def test_every_label_stays_inside_the_sheet(code, tmp_path):
    from datetime import date

    from labels import layout, qr
    from labels.models import LabelTemplate

    spec = LabelTemplate.objects.get(code=code).spec()
    contents = [
        layout.LabelContent(
            tag=f"YK202600000{n}X",
            url=qr.encode(
                site_url="https://yika.example.gov.cn", tag="YK20260000014", label_serial=n
            ),
            owner="某某市政务服务和数据管理局大数据发展中心",
            name=LONG_NAME,
            model="FusionServer 2288H V5 / 2102311TYBN0K8000123",
            in_service_on=date(2026, 1, 5),
        )
        for n in range(1, 4)
    ]
    target = tmp_path / "labels.pdf"
    layout.write_labels(target, spec, contents)
    mm = 72 / 25.4
    left = spec.margin_left * mm
    right = left + (spec.columns * spec.label_width + (spec.columns - 1) * spec.gap_x) * mm
    assert _inside(target.read_bytes(), left=left, right=right) == []


@pytest.mark.django_db
def test_the_component_sheet_stays_inside_the_page(tmp_path):
    from labels import layout, qr
    from labels.models import LabelTemplate

    spec = LabelTemplate.objects.get(code="a4-components").spec()
    url = qr.encode(site_url="https://yika.example.gov.cn", tag="YK20260000014", label_serial=1)
    host = layout.HostSheet(
        tag="YK20260000014",
        url=url,
        name=LONG_NAME,
        owner="某某市政务服务和数据管理局大数据发展中心",
        location="101机房",
        components=tuple(
            layout.ComponentRow(
                tag="YK20260000022",
                url=url,
                name=LONG_NAME,
                model="FusionServer 2288H V5",
                serial_number="2102311TYBN0K8000123",
            )
            for _ in range(12)
        ),
    )
    target = tmp_path / "sheet.pdf"
    layout.write_component_sheets(target, spec, [host])
    mm = 72 / 25.4
    left = spec.margin_left * mm
    assert _inside(target.read_bytes(), left=left, right=left + spec.label_width * mm) == []


def test_fixed_column_widths_are_scaled_down_to_the_frame():
    table = pdf.make_table(["甲", "乙"], [["一", "二"]], col_widths=[150 * pdf.mm, 150 * pdf.mm])
    assert misfits(_document([table])) == []
    assert sum(table._colWidths) == pytest.approx(pdf.frame_width())
