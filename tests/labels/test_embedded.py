"""Embedded devices (DOMAIN.md §5): host labels list components, A4 component sheets, flags."""

import pytest
from django.core.exceptions import ValidationError

from assets.models import Asset
from labels import services
from labels.models import LabelTemplate
from tests.factories import make_asset
from tests.labels.helpers import batch_pdf_path, decode_qr_codes, pdf_text

pytestmark = pytest.mark.django_db
SITE = "https://yika.example.gov.cn"


@pytest.fixture
def host(centre):
    return make_asset(owner=centre, name="视频会议终端机柜", category_code="A02010104")


def _print(actor, assets, code, capture):
    with capture(execute=True):
        batch = services.print_labels(
            actor=actor, assets=assets, template=LabelTemplate.objects.get(code=code)
        )
    batch.refresh_from_db()
    return batch


def test_the_host_label_lists_its_embedded_components(
    clerk, centre, host, django_capture_on_commit_callbacks
):
    parts = [
        make_asset(
            owner=centre,
            parent=host,
            embedded=True,
            name="接入模块",
            label_mode=Asset.LabelMode.HOST_LABEL,
        )
        for _ in range(2)
    ]
    batch = _print(clerk, [host], "a4-70x40", django_capture_on_commit_callbacks)
    text = "".join(pdf_text(batch_pdf_path(batch)).split())
    for part in parts:
        assert part.tag in text


def test_the_component_sheet_carries_each_components_own_qr(
    clerk, centre, host, tmp_path, django_capture_on_commit_callbacks
):
    flagged = make_asset(owner=centre, parent=host, embedded=True, name="光模块")
    _print(clerk, [flagged], "flag-60x10", django_capture_on_commit_callbacks)
    sealed = make_asset(
        owner=centre,
        parent=host,
        embedded=True,
        name="内置硬盘",
        serial_number="SN-HD-001",
        label_mode=Asset.LabelMode.HOST_LABEL,
    )
    batch = _print(clerk, [host], "a4-components", django_capture_on_commit_callbacks)
    decoded = set(decode_qr_codes(batch_pdf_path(batch), tmp_path / "png"))
    assert {
        f"{SITE}/a/{host.tag}",
        f"{SITE}/a/{flagged.tag}?l=1",
        f"{SITE}/a/{sealed.tag}",
    } == decoded
    text = pdf_text(batch_pdf_path(batch))
    assert "内置硬盘" in text and "SN-HD-001" in text
    # Walk 4 finding 14: the sheet is called 部件清单 on the PDF, as on the card and the labels page.
    flat = "".join(text.split())
    assert f"{host.tag}视频会议终端机柜的部件清单" in flat
    assert "请将本部件清单存放在机柜门内" in flat


def test_a_long_component_list_continues_on_further_pages(
    clerk, centre, host, django_capture_on_commit_callbacks
):
    for number in range(12):
        make_asset(owner=centre, parent=host, embedded=True, name=f"模块{number}")
    batch = _print(clerk, [host], "a4-components", django_capture_on_commit_callbacks)
    assert batch.pages == 2


def test_flag_labels_print_for_components_that_can_carry_one(
    clerk, centre, host, tmp_path, django_capture_on_commit_callbacks
):
    part = make_asset(owner=centre, parent=host, embedded=True, name="光模块")
    batch = _print(clerk, [part], "flag-60x10", django_capture_on_commit_callbacks)
    # Both halves of the flag carry the code, so it reads from either side of the cable.
    decoded = decode_qr_codes(batch_pdf_path(batch), tmp_path / "png")
    assert decoded == [f"{SITE}/a/{part.tag}?l=1"] * 2


def test_components_without_a_physical_label_get_none(clerk, centre, host):
    virtual = make_asset(
        owner=centre,
        parent=host,
        embedded=True,
        name="虚拟网卡",
        label_mode=Asset.LabelMode.VIRTUAL,
    )
    with pytest.raises(ValidationError) as error:
        services.print_labels(
            actor=clerk, assets=[virtual], template=LabelTemplate.objects.get(code="flag-60x10")
        )
    assert virtual.tag in str(error.value)


def test_a_card_label_is_printed_for_the_paper_card(
    clerk, centre, host, django_capture_on_commit_callbacks
):
    tiny = make_asset(
        owner=centre,
        parent=host,
        embedded=True,
        name="加密狗",
        label_mode=Asset.LabelMode.CARD_LABEL,
    )
    batch = _print(clerk, [tiny], "mini-40x20", django_capture_on_commit_callbacks)
    assert batch.state == "done"
