"""The handover certificate (移交单): text embedded and searchable, QR back to the handover page."""

import io
import subprocess

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from assets.handovers import services as hs
from assets.handovers.certificate import handover_url
from tests.factories import make_asset

pytestmark = pytest.mark.django_db


@pytest.fixture
def decided(project, clerk, receiver):
    host = make_asset(owner=project.builder_department, project=project, name="政务一体机")
    part = make_asset(
        owner=project.builder_department,
        project=project,
        name="终端接入设备",
        parent=host,
        embedded=True,
        serial_number="SN-本地-001",
    )
    spare = make_asset(
        owner=project.builder_department,
        project=project,
        name='<font color="red">备用</font>',
        model="<b>X1</b>",
    )
    handover = hs.create_handover(
        actor=clerk,
        project=project,
        assets=[host, spare],
        archives=[hs.ArchiveLine(kind="source_code", title="源代码光盘", reference="档案柜 3")],
    )
    hs.submit_handover(handover=handover, actor=clerk)
    return hs.decide_handover(
        handover=handover,
        actor=receiver,
        decisions=[
            hs.ItemDecision(tag=host.tag, result="accepted"),
            hs.ItemDecision(tag=part.tag, result="accepted"),
            hs.ItemDecision(tag=spare.tag, result="rejected", reason="合同外设备"),
        ],
        comment="同意接收",
    )


def pdf_text(handover) -> str:
    reader = PdfReader(str(hs.certificate_path(handover)))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_certificate_names_both_parties_and_every_tag(decided):
    text = pdf_text(decided)
    assert "市大数据中心" in text and "市卫健委" in text
    for tag in decided.items.values_list("asset__tag", flat=True):
        assert tag in text
    assert decided.number in text
    assert "源代码光盘" in text and "合同外设备" in text and "SN-本地-001" in text


def test_the_certificate_embeds_its_cjk_font(decided):
    content = hs.certificate_path(decided).read_bytes()
    assert b"/FontFile2" in content  # TrueType outlines embedded, not a reference to a font


def test_user_text_is_printed_literally_not_as_markup(decided):
    text = pdf_text(decided)
    assert "<font" in text and "</font>" in text
    assert "<b>X1</b>" in text


def test_the_certificate_qr_decodes_to_the_handover_page(decided):
    png = subprocess.run(
        ["pdftoppm", "-r", "200", "-f", "1", "-l", "1", "-png", str(hs.certificate_path(decided))],
        capture_output=True,
        check=True,
    ).stdout
    image = Image.open(io.BytesIO(png))
    codes = [c.text for c in zxingcpp.read_barcodes(image)]
    assert handover_url(decided) in codes
    assert handover_url(decided).endswith(f"/handovers/{decided.number}/")


def test_the_certificate_fits_the_page_and_never_breaks_a_model_number(project, clerk, receiver):
    """14.12: the item table overran the margins and printed "FusionSe/rver"."""
    from decimal import Decimal

    from tests.labels.helpers import misfits, pdf_words

    server = make_asset(
        owner=project.builder_department,
        project=project,
        name="机架式服务器（政务云平台二期扩容，含三年原厂维保）",
        brand="华为",
        model="FusionServer 2288H V5",
        serial_number="2102311TYBN0K8000123",
        original_value=Decimal("1234567.89"),
    )
    handover = hs.create_handover(actor=clerk, project=project, assets=[server])
    hs.submit_handover(handover=handover, actor=clerk)
    handover = hs.decide_handover(
        handover=handover,
        actor=receiver,
        decisions=[hs.ItemDecision(tag=server.tag, result="accepted")],
    )
    data = hs.certificate_path(handover).read_bytes()
    assert misfits(data) == []
    words = pdf_words(data)
    for whole in ("FusionServer", "2288H", "2102311TYBN0K8000123", "¥1,234,567.89", server.tag):
        assert whole in words, f"{whole} was broken: {[w for w in words if w[:4] == whole[:4]]}"
