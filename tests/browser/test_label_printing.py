"""The clerk prints labels from the print queue (`/labels/`) three ways: the ticked cards, every
card the filter shows, and a host with its components; each batch's PDF carries one readable QR
code per card. A refused print keeps the ticks and says why."""

import pytest
from django.conf import settings

from labels import qr
from labels.models import Label, PrintBatch
from tests.browser.support import DESK, PHONE, Visit, sign_in
from tests.factories import LocationFactory, make_asset
from tests.labels.helpers import decode_qr_codes

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def payloads(*assets) -> set[str]:
    """What each card's active label encodes."""
    found = set()
    for asset in assets:
        label = Label.objects.get(asset=asset, superseded_at=None, voided_at=None)
        found.add(qr.encode(site_url=settings.SITE_URL, tag=asset.tag, label_serial=label.serial))
    return found


def print_and_download(visit: Visit, tmp_path, name: str, *, shot: str = ""):
    """Press 'Print labels', wait for the batch page to say done, download its PDF."""
    page = visit.page
    with page.expect_navigation():
        page.click("#print-panel button[type=submit]")
    assert "/labels/batches/" in page.url, page.url
    page.wait_for_selector("a[download]", timeout=30_000)
    visit.check(shot)
    with page.expect_download() as download:
        page.click("a[download]")
    pdf = tmp_path / f"{name}.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    return pdf


@pytest.fixture
def queue(centre, clerk):
    room = LocationFactory(code="R101", name="101机房", department=centre)
    pcs = [
        make_asset(owner=centre, actor=clerk, location=room, name=f"台式计算机{n}")
        for n in range(3)
    ]
    printer = make_asset(
        owner=centre, actor=clerk, location=room, name="打印机", category_code="A02021000"
    )
    host = make_asset(owner=centre, actor=clerk, location=room, name="服务器机柜")
    probe = make_asset(owner=centre, actor=clerk, parent=host, embedded=True, name="温湿度探头")
    return {"pcs": pcs, "printer": printer, "host": host, "probe": probe}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_clerk_prints_ticked_filtered_and_host_batches_and_reads_every_qr(
    language, base_url, new_context, queue, clerk, tmp_path
):
    visit = Visit(new_context(language, **DESK), language=language)
    page = visit.page
    sign_in(visit, base_url, "clerk")
    visit.goto(f"{base_url}/labels/")
    radios = page.locator("input[type=radio][name=mode]")
    assert radios.count() == 3 and radios.nth(0).is_checked()
    visit.check("labels-queue")

    # Nothing ticked: refused (400), and said why; then a ticked card survives another error.
    visit.expected_errors.append("status of 400")
    first, second, third = queue["pcs"]
    with page.expect_navigation():
        page.click("#print-panel button[type=submit]")
    assert visit.t("Tick at least one asset in the list below.") in page.inner_text("#print-errors")
    assert not PrintBatch.objects.exists()
    page.check(f"input.select-row[value='{first.tag}']")
    page.check("input[name=mode][value=host]")
    with page.expect_navigation():
        page.click("#print-panel button[type=submit]")
    assert visit.t("Enter the host's tag.") in page.inner_text("#print-errors")
    assert page.is_checked(f"input.select-row[value='{first.tag}']"), "the tick was lost"
    visit.check("labels-queue-error")

    # 1. The ticked cards: tick a second one, print, decode both codes.
    page.check(f"input.select-row[value='{second.tag}']")
    assert page.is_checked("input[name=mode][value=selected]")
    pdf = print_and_download(visit, tmp_path, "ticked", shot="labels-batch")
    assert sorted(decode_qr_codes(pdf, tmp_path / "ticked")) == sorted(payloads(first, second))

    # 2. Every card the filter shows: search for the printer, print "all filtered".
    visit.goto(f"{base_url}/labels/")
    page.fill("#id_q", "打印机")
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    rows = page.locator("input.select-row")
    assert rows.count() == 1
    page.check("input[name=mode][value=filter]")
    pdf = print_and_download(visit, tmp_path, "filtered")
    assert decode_qr_codes(pdf, tmp_path / "filtered") == list(payloads(queue["printer"]))
    batch = PrintBatch.objects.latest("id")
    assert set(batch.assets.all()) == {queue["printer"]}

    # 3. A host and its components: typing the host's tag chooses that option.
    visit.goto(f"{base_url}/labels/")
    page.fill("#id_host", queue["host"].tag)
    assert page.is_checked("input[name=mode][value=host]")
    pdf = print_and_download(visit, tmp_path, "host")
    assert sorted(decode_qr_codes(pdf, tmp_path / "host")) == sorted(
        payloads(queue["host"], queue["probe"])
    )
    assert third.labels.count() == 0

    # The batches list names all three.
    visit.goto(f"{base_url}/labels/batches/")
    assert page.locator("table tbody tr").count() == 3
    visit.check("labels-batches")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_print_queue_and_batches_are_cards_on_a_phone(
    language, base_url, new_context, queue, clerk, tmp_path
):
    visit = Visit(new_context(language, **PHONE), language=language)
    page = visit.page
    sign_in(visit, base_url, "clerk")
    visit.goto(f"{base_url}/labels/")
    # The filters are folded behind one button; the list starts on the first screen.
    assert not page.is_visible("#id_q")
    assert page.is_visible("details.filters-fold > summary")
    assert page.locator("table.table--cards").count() == 1
    assert not page.is_visible("table.table--cards thead")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the queue scrolls sideways on a phone ({width} px)"
    visit.check("phone-labels-queue", full_page=True)
    page.check(f"input.select-row[value='{queue['pcs'][0].tag}']")
    pdf = print_and_download(visit, tmp_path, "phone", shot="phone-labels-batch")
    assert decode_qr_codes(pdf, tmp_path / "phone") == list(payloads(queue["pcs"][0]))
    visit.goto(f"{base_url}/labels/batches/")
    assert page.locator("table.table--cards").count() == 1
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the batch list scrolls sideways on a phone ({width} px)"
    visit.check("phone-labels-batches")


def test_print_queue_fits_a_desk_screen_in_english(base_url, new_context, queue, clerk):
    visit = Visit(new_context("en", viewport={"width": 1280, "height": 800}), language="en")
    page = visit.page
    sign_in(visit, base_url, "clerk")
    for path in ("/labels/", "/labels/batches/"):
        visit.goto(f"{base_url}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 1280, f"{path} is {width} px wide at 1280 px"
        overflow = page.evaluate(
            "[...document.querySelectorAll('.table-wrap')]"
            ".some((w) => w.scrollWidth > w.clientWidth + 1)"
        )
        assert not overflow, f"{path}: a table is cut at 1280 px"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("device", ["phone", "desk"])
def test_the_auditor_reads_the_labels_page_and_its_batches(
    language, device, base_url, new_context, queue, clerk, auditor, other_bureau
):
    from labels import services
    from labels.models import LabelTemplate

    foreign = make_asset(owner=other_bureau, name="档案柜")
    services.print_labels(
        actor=clerk, assets=queue["pcs"][:2], template=LabelTemplate.objects.get(code="a4-70x40")
    )
    prefix = "phone-" if device == "phone" else ""
    visit = Visit(
        new_context(language, **(PHONE if device == "phone" else DESK)), language=language
    )
    page = visit.page
    sign_in(visit, base_url, "auditor")
    visit.goto(f"{base_url}/labels/")
    note = page.inner_text("#read-only-note")
    assert visit.t("Labels of the register") in page.inner_text("h1")
    assert "1" in note
    text = page.inner_text("main")
    assert queue["printer"].tag in text and foreign.tag in text
    assert page.locator("form[method=post] input[name=tags]").count() == 0
    assert page.locator("#print-panel").count() == 0
    visit.check(f"{prefix}auditor-labels", full_page=device == "phone")
    page.click("#read-only-note a[href='/labels/batches/']")
    page.wait_for_selector("table tbody tr")
    assert page.locator("table tbody tr").count() == 1
    visit.check(f"{prefix}auditor-label-batches")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_reprinting_and_voiding_a_label_ask_first(language, base_url, new_context, queue, clerk):
    """A reprint makes the printed label invalid, a void leaves the card without one: both ask,
    and dismissing changes nothing."""
    from labels import services as label_services
    from labels.models import LabelTemplate

    card = queue["pcs"][0]
    label_services.print_labels(
        actor=clerk, assets=[card], template=LabelTemplate.objects.get(code="a4-70x40")
    )
    visit = Visit(new_context(language, **DESK), language=language)
    page = visit.page
    sign_in(visit, base_url, "clerk")
    visit.goto(f"{base_url}/assets/{card.tag}/")
    reprint = page.locator(".label-panel button[data-confirm]").first
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    reprint.click()
    assert asked and "1" in asked[0], asked
    assert PrintBatch.objects.count() == 1, "dismissing the question printed anyway"
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        reprint.click()
    assert PrintBatch.objects.count() == 2
    assert Label.objects.filter(asset=card, superseded_at=None, voided_at=None).get().serial == 2

    visit.goto(f"{base_url}/assets/{card.tag}/")
    page.click(".label-panel details > summary")
    page.fill(".label-panel input[name=reason]", "标签损坏")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click(".label-panel .btn--danger")
    assert Label.objects.filter(asset=card, voided_at=None, superseded_at=None).exists()
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click(".label-panel .btn--danger")
    assert not Label.objects.filter(asset=card, voided_at=None, superseded_at=None).exists()
