"""The proof that labels scan: render, rasterise at 300 dpi with poppler, decode with zxing-cpp."""

import subprocess
from datetime import date

import pytest
from pypdf import PdfReader
from reportlab.pdfgen.canvas import Canvas

from labels import layout, pdf, qr
from labels.models import LabelTemplate
from tests.labels.helpers import decode_all, decode_qr_codes, pdf_text

SITE = "https://yika.example.gov.cn"
TAGS = ["YK20260000014", "YK20260000022", "YK2026000003Z"]


def _contents(tags, **extra):
    for number, tag in enumerate(tags, start=1):
        yield layout.LabelContent(
            tag=tag,
            url=qr.encode(site_url=SITE, tag=tag, label_serial=number),
            owner="市大数据中心",
            name=extra.get("name", "台式计算机"),
            model=extra.get("model", "启天 M437"),
            in_service_on=date(2026, 1, 5),
        )


def _tags(count):
    from assets.tags import make_tag

    found, sequence = [], 1
    while len(found) < count:
        tag = make_tag("YK", 2026, sequence)
        if tag:
            found.append(tag)
        sequence += 1
    return found


@pytest.fixture
def spec(db):
    return lambda code: LabelTemplate.objects.get(code=code).spec()


def test_every_qr_on_a_full_a4_sheet_decodes_to_its_cards_url(spec, tmp_path):
    tags = _tags(21)
    target = tmp_path / "sheet.pdf"
    layout.write_labels(target, spec("a4-70x40"), _contents(tags))
    decoded = decode_qr_codes(target, tmp_path / "png")
    expected = [qr.encode(site_url=SITE, tag=tag, label_serial=n) for n, tag in enumerate(tags, 1)]
    assert sorted(decoded) == sorted(expected)


def test_a_mini_40x20_label_still_decodes_at_300_dpi(spec, tmp_path):
    tags = _tags(5)
    target = tmp_path / "mini.pdf"
    layout.write_labels(target, spec("mini-40x20"), _contents(tags))
    decoded = decode_qr_codes(target, tmp_path / "png")
    assert sorted(decoded) == sorted(
        qr.encode(site_url=SITE, tag=tag, label_serial=n) for n, tag in enumerate(tags, 1)
    )


@pytest.mark.parametrize("code", ["a4-60x40", "thermal-50x30", "flag-60x10"])
def test_other_templates_decode_too(spec, tmp_path, code):
    tags = _tags(2)
    target = tmp_path / f"{code}.pdf"
    layout.write_labels(target, spec(code), _contents(tags))
    decoded = set(decode_qr_codes(target, tmp_path / "png"))
    assert decoded == {
        qr.encode(site_url=SITE, tag=tag, label_serial=n) for n, tag in enumerate(tags, 1)
    }


def test_the_code_128_decodes_to_the_tag(spec, tmp_path):
    target = tmp_path / "code128.pdf"
    layout.write_labels(target, spec("a4-70x40"), _contents(TAGS[:1]))
    found = decode_all(target, tmp_path / "png")
    assert ("Code128", TAGS[0]) in found


def test_the_chinese_name_is_text_in_the_pdf(spec, tmp_path):
    target = tmp_path / "cjk.pdf"
    layout.write_labels(target, spec("a4-70x40"), _contents(TAGS[:1], name="核心交换机"))
    text = pdf_text(target)
    assert "核心交换机" in text and "市大数据中心" in text and TAGS[0] in text


def test_the_cjk_font_is_embedded(spec, tmp_path):
    target = tmp_path / "font.pdf"
    layout.write_labels(target, spec("a4-70x40"), _contents(TAGS[:1]))
    fonts = subprocess.run(["pdffonts", str(target)], capture_output=True, text=True).stdout
    row = next(line for line in fonts.splitlines() if "WenQuanYi" in line)
    assert row.split()[-5] == "yes"  # the "emb" column


@pytest.mark.parametrize(
    "name",
    [
        "<script>alert(1)</script>",
        "{{ settings.SECRET_KEY }}",
        "{0.__class__} %(x)s",
        "<font color=\"[[[getattr(pow, 'x')]]]\">红</font>",
        '<img src="file:///etc/passwd"/>',
    ],
)
def test_names_with_markup_print_literally_on_labels(spec, tmp_path, name):
    target = tmp_path / "markup.pdf"
    layout.write_labels(target, spec("a4-70x40"), _contents(TAGS[:1], name=name))
    text = "".join(pdf_text(target).split())
    assert "".join(name.split())[:20] in text


@pytest.mark.parametrize(
    "text", ["<b>粗</b> & <font color='red'>x</font>", "<img src='http://evil/x.png'/>"]
)
def test_paragraph_text_is_escaped_in_a4_documents(tmp_path, text):
    target = tmp_path / "doc.pdf"
    styles = pdf.paragraph_styles()
    pdf.build_a4_pdf(
        target,
        [pdf.para(text, styles["body"]), pdf.make_table(["名称"], [[text]])],
        title="交接书",
        header_left="市数据局",
    )
    extracted = "".join(pdf_text(target).split())
    assert extracted.count("".join(text.split())) == 2


def test_a4_documents_number_their_pages(tmp_path):
    target = tmp_path / "long.pdf"
    table = pdf.make_table(["#", "名称"], [[str(n), "资产"] for n in range(120)])
    pdf.build_a4_pdf(target, [table], title="报告")
    text = pdf_text(target)
    assert "1 / 3" in text and "3 / 3" in text


def test_long_names_are_shrunk_then_ellipsised_to_fit():
    text, size = pdf.fit_text("政务云平台核心交换机" * 5, width=100, size=9, min_size=5)
    assert size == 5 and text.endswith(pdf.ELLIPSIS)
    assert pdf.string_width(text, 5) <= 100


def test_short_text_keeps_its_size():
    assert pdf.fit_text("PC", width=100, size=9, min_size=5) == ("PC", 9)


def test_qr_codes_are_drawn_as_vectors(tmp_path):
    target = tmp_path / "vector.pdf"
    canvas = Canvas(str(target))
    pdf.draw_qr(canvas, "https://a.example/a/YK20260000014?l=1", x=10, y=10, size=100)
    canvas.save()
    page = PdfReader(str(target)).pages[0]
    assert b" re" in page.get_contents().get_data()
    assert "/XObject" not in (page.get("/Resources") or {})


def test_the_qr_uses_error_correction_m():
    matrix = pdf.qr_matrix("https://yika.example.gov.cn/a/YK20260000014?l=1")
    assert matrix.size == 29 + 4 * 1 or matrix.size in (29, 33)  # version 3 or 4 at level M


def test_a_missing_font_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(pdf, "_registered_font_path", None)
    with pytest.raises(pdf.FontNotAvailable):
        pdf.cjk_font(str(tmp_path / "nope.ttc"))
