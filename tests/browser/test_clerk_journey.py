"""The asset clerk on a phone: register a kiosk and its embedded device, print the labels, then
count them in a stocktake with the phone camera and a keyboard-wedge scanner."""

from datetime import date

import pytest
from django.conf import settings
from PIL import Image

from assets.models import Asset
from inventory.models import StocktakeLine
from inventory.services import campaigns
from labels import qr
from labels.models import Label
from tests.browser.support import (
    PHONE,
    Visit,
    crop_label,
    decode_qr,
    pdf_first_page_png,
    sign_in,
    tab_to,
    write_y4m,
)
from tests.factories import LocationFactory, make_asset

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def option_value(page, select: str, starts_with: str) -> str:
    """The value of the option whose text starts with a code (e.g. a category code)."""
    return page.eval_on_selector(
        select,
        "(el, code) => [...el.options].find((o) => o.text.trim().startsWith(code)).value",
        starts_with,
    )


def register(visit: Visit, *, name: str, category: str, value: str, serial: str, label_mode: str):
    """Fill the registration form (already open) and save; returns the new card's tag."""
    page = visit.page
    page.fill("#id_name", name)
    page.fill("#id_serial_number", serial)
    page.select_option("#id_category", option_value(page, "#id_category", category))
    page.fill("#id_original_value", value)
    page.select_option("#id_label_mode", label_mode)
    if page.locator("#id_location").count() and not page.locator("#id_parent").input_value():
        page.select_option("#id_location", option_value(page, "#id_location", "R101"))
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    return Asset.objects.get(name=name).tag


@pytest.fixture
def floor(centre, clerk, admin_user):
    """The centre's server room and a desktop PC already on the books there."""
    room = LocationFactory(code="R101", name="101机房", department=centre)
    pc = make_asset(
        owner=centre, actor=clerk, location=room, name="台式计算机", serial_number="PC-1"
    )
    return {"room": room, "pc": pc}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_clerk_registers_prints_and_counts_a_kiosk_with_its_embedded_device(
    language, base_url, new_context, launch, floor, clerk, admin_user, centre, tmp_path
):
    kiosk_name = "自助服务终端" if language == "zh-hans" else "Self-service kiosk"
    device_name = "终端接入设备" if language == "zh-hans" else "Terminal access device"
    allowed = {kiosk_name, device_name, *kiosk_name.split(), *device_name.split()}
    phone = new_context(language, **PHONE)
    visit = Visit(phone, language=language, allowed_words=allowed)
    page = visit.page

    # Sign in and register the kiosk.
    sign_in(visit, base_url, "clerk")
    visit.goto(f"{base_url}/")  # signing in lands on the dashboard (register reports)
    visit.check("clerk-asset-list")
    page.click("a[href='/assets/new/']")
    visit.check("clerk-register")
    kiosk_tag = register(
        visit,
        name=kiosk_name,
        category="A02010105",
        value="26800",
        serial="KIOSK-7",
        label_mode="own_label",
    )
    assert page.url.endswith(f"/assets/{kiosk_tag}/")

    # Its embedded terminal access device, from the card's "Add a component".
    page.click(f"a[href='/assets/new/?parent={kiosk_tag}']")
    assert page.input_value("#id_parent") == kiosk_tag
    assert page.input_value("#id_install_mode") == Asset.InstallMode.EMBEDDED
    device_tag = register(
        visit,
        name=device_name,
        category="A02010200",
        value="1800",
        serial="TAD-42",
        label_mode="host_label",
    )
    device = Asset.objects.get(tag=device_tag)
    assert device.parent.tag == kiosk_tag and device.embedded
    page.click(f".fields a[href='/assets/{kiosk_tag}/']")
    assert device_tag in page.inner_text(".tree")
    visit.check("clerk-card")

    # Print the kiosk's label and download the PDF.
    page.select_option("select[name=template]", "a4-70x40")
    with page.expect_navigation():
        page.click(".label-panel form:has(select[name=template]) button[type=submit]")
    visit.check("clerk-print-batch")
    with page.expect_download() as download:
        page.click("a[download]")
    pdf = tmp_path / "labels.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    label = Label.objects.get(asset__tag=kiosk_tag, superseded_at__isnull=True, voided_at=None)
    payload = qr.encode(site_url=settings.SITE_URL, tag=kiosk_tag, label_serial=label.serial)

    # The printed QR decodes to the card's address with the label's serial.
    sheet = Image.open(pdf_first_page_png(pdf, tmp_path / "sheet"))
    codes = decode_qr(sheet)
    assert [c.text for c in codes] == [payload]
    printed_label = crop_label(sheet, codes[0])

    # A stocktake of the centre starts: the books are frozen with both cards on them.
    campaign = campaigns.create_campaign(
        actor=admin_user,
        name="年度资产清查" if language == "zh-hans" else "Annual stocktake",
        year=2025,
        reference_date=date(2025, 12, 31),
        due_on=date(2099, 1, 31),
        departments=[centre],
    )
    campaign = campaigns.activate_campaign(campaign=campaign, actor=admin_user)
    visit.allowed += campaign.name.split()

    # The clerk points the phone camera at the printed label.
    video = write_y4m(printed_label, tmp_path / "label.y4m")
    camera_browser = launch(
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    )
    camera_phone = new_context(
        language, browser=camera_browser, storage_state=phone.storage_state(), **PHONE
    )
    camera_phone.grant_permissions(["camera"], origin=base_url)
    visit = Visit(camera_phone, language=language, allowed_words=visit.allowed)
    page = visit.page
    visit.goto(f"{base_url}/stocktakes/")
    page.click(f"a[href='/stocktakes/{campaign.pk}/']")
    visit.check()
    page.click(f"a[href='/stocktakes/{campaign.pk}/scan']")
    page.wait_for_load_state()
    # "Still pending here" needs a here: the clerk finds the room by typing its number.
    page.fill("#scan-location-filter", "101")
    page.wait_for_selector(f"#pending-list li:has-text('{kiosk_tag}')")
    visit.check()
    page.click("#camera-toggle")
    page.wait_for_selector("#scan-result:not([hidden])", timeout=20_000)
    assert page.inner_text("#scan-answer") == visit.t("Found")
    assert device_tag in page.inner_text("#component-list")
    lines = {line.tag: line for line in StocktakeLine.objects.filter(campaign=campaign)}
    assert lines[kiosk_tag].result == "found"
    assert lines[device_tag].result == "found"
    assert lines[device_tag].verify_method == "via_host"
    visit.check("clerk-scan-camera")
    page.click("#camera-toggle")  # camera off

    # A keyboard-wedge scanner types the PC's tag and presses Enter.
    pc_tag = floor["pc"].tag
    assert pc_tag in page.inner_text("#pending-list")
    tab_to(page, "#scan-code")
    page.keyboard.type(pc_tag)
    page.keyboard.press("Enter")
    page.wait_for_function(
        "(tag) => !document.getElementById('pending-list').textContent.includes(tag)", arg=pc_tag
    )
    assert page.inner_text("#scan-answer") == visit.t("Found")
    assert StocktakeLine.objects.get(campaign=campaign, tag=pc_tag).result == "found"
    visit.check("clerk-scan-wedge")
