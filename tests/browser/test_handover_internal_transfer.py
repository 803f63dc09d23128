"""The centre's clerk drafts an internal transfer (no project) to an office of the unit from the
new-handover page (issue 17), on a phone and at a desk; only the unit's own offices are
offered as receivers (walk2-7)."""

import pytest

from assets.handovers import services as hs
from assets.models import Asset, Handover
from tests.browser.support import DESK, PHONE, Visit, sign_in
from tests.factories import DepartmentFactory, UserFactory, make_asset

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("device", ["phone", "desk"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_whole_internal_transfer_from_ticking_to_acceptance(
    language, device, base_url, new_context, clerk, centre, bureau, other_bureau
):
    """The clerk ticks cards (select-all, then one off), picks an office that has a receiver
    (one without is not offered, and is named), submits; the office's receiver accepts and
    gives a using department: ownership and use move to the office (fix of the new-user walk:
    the list offered offices nobody could decide, and step 2 had no boxes to tick)."""
    office = DepartmentFactory(code="OPS", name="运维科", kind="office", parent=bureau)
    empty = DepartmentFactory(code="ARCH", name="档案室", kind="office", parent=bureau)
    UserFactory(username="opsreceiver", department=office, roles=["receiver"])
    cards = [
        make_asset(owner=centre, actor=clerk, name=f"备用交换机{i}", model="S5735")
        for i in range(3)
    ]
    phone = device == "phone"
    suffix = "-phone" if phone else ""
    visit = Visit(
        new_context(language, **(PHONE if phone else DESK)),
        language=language,
        allowed_words={"S5735", "OPS", "ARCH", "BUREAU", "BDC"},
    )
    page = visit.page
    sign_in(visit, base_url, "clerk")
    visit.goto(f"{base_url}/handovers/new/")
    with page.expect_navigation():
        page.select_option("#pick-project", "internal")  # submits itself
    assert page.locator("[data-internal-transfer]").is_visible()
    button = page.locator("form.form.card button[type=submit]").inner_text()
    assert button == visit.t("Show the cards to transfer") != visit.t("Show its assets")

    # Only offices someone can decide are offered; the others are named, with why.
    offered = page.locator("select[name=to_department] option").evaluate_all(
        "options => options.map(o => o.value)"
    )
    assert office.code in offered and empty.code not in offered
    assert other_bureau.code not in offered and centre.code not in offered
    assert empty.name in page.inner_text(".field:has(select[name=to_department]) .field__help")
    assert not page.locator(".field__error").count()

    # Step 2: the cards with boxes, select-all ticks them all, one is ticked off again.
    boxes = page.locator("input[name=assets]")
    assert boxes.count() == 3
    page.check("[data-select-all]")
    assert all(boxes.nth(i).is_checked() for i in range(3))
    page.uncheck(f"#asset-{cards[2].tag}")
    counter = visit.t("{count} of {total} selected").format(count=2, total=3)
    assert page.inner_text("[data-select-count]") == counter
    page.select_option("select[name=to_department]", office.code)
    visit.check(f"clerk-internal-transfer-new{suffix}", full_page=True)
    with page.expect_navigation():
        page.click("form.form--wide button.btn--primary")
    handover = Handover.objects.get()
    assert page.url.endswith(f"/handovers/{handover.number}/")
    assert handover.project is None and handover.to_department == office
    assert set(handover.items.values_list("asset__tag", flat=True)) == {
        cards[0].tag,
        cards[1].tag,
    }
    with page.expect_navigation():
        page.click(f"button:has-text('{visit.t('Submit to the receiver')}')")
    handover.refresh_from_db()
    assert handover.state == Handover.State.SUBMITTED
    page.context.close()

    # The office's receiver accepts both and gives the first a using department.
    visit = Visit(
        new_context(language, **(PHONE if phone else DESK)),
        language=language,
        allowed_words={"S5735", "OPS", "BUREAU", "BDC"},
    )
    page = visit.page
    sign_in(visit, base_url, "opsreceiver")
    visit.goto(f"{base_url}/handovers/inbox/")
    assert handover.number in page.inner_text("main")
    visit.goto(f"{base_url}/handovers/{handover.number}/review/")
    page.click("[data-accept-all]")
    page.select_option(f"#using-{cards[0].tag}", office.code)
    visit.check(f"receiver-internal-transfer-review{suffix}", full_page=True)
    page.on("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click("[data-decide]")
    handover.refresh_from_db()
    assert handover.state == Handover.State.ACCEPTED
    first, second, kept = (Asset.objects.get(pk=card.pk) for card in cards)
    assert first.owner_department == second.owner_department == office
    assert first.using_department == office and second.using_department == cards[1].using_department
    assert kept.owner_department == centre
    visit.goto(f"{base_url}/assets/{first.tag}/")
    assert office.name in page.inner_text("main")


@pytest.mark.parametrize("device", ["phone", "desk"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_decided_internal_transfer_reads_as_one(
    language, device, base_url, new_context, clerk, centre, bureau
):
    """Walk2-3 and 24: the page says internal transfer, 移交方 without builder, and a two-line
    reject reason keeps its lines."""
    office = DepartmentFactory(code="OPS", name="运维科", kind="office", parent=bureau)
    receiver = UserFactory(username="opsreceiver", department=office, roles=["receiver"])
    cards = [make_asset(owner=centre, actor=clerk, name=f"备用交换机{i}") for i in range(2)]
    handover = hs.create_handover(actor=clerk, project=None, assets=cards, to_department=office)
    hs.submit_handover(handover=handover, actor=clerk)
    hs.decide_handover(
        handover=handover,
        actor=receiver,
        decisions=[
            hs.ItemDecision(tag=cards[0].tag, result="accepted"),
            hs.ItemDecision(tag=cards[1].tag, result="rejected", reason="序列号与合同不符\n第二行"),
        ],
    )
    visit = Visit(
        new_context(language, **(PHONE if device == "phone" else DESK)),
        language=language,
        allowed_words={"OPS"},
    )
    page = visit.page
    sign_in(visit, base_url, "opsreceiver")
    visit.goto(f"{base_url}/handovers/{handover.number}/")
    text = page.inner_text("main")
    method = visit.t("Internal transfer within the unit")
    assert method in text and "无偿划转" not in text and "Free transfer" not in text
    assert visit.t("From (builder)") not in text
    reason = page.locator("td", has_text="第二行").inner_html()
    assert "<br>" in reason
    suffix = "-phone" if device == "phone" else ""
    visit.check(f"receiver-internal-transfer-decided{suffix}", full_page=True)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_accepting_everything_asks_without_zero_rejections(
    language, base_url, new_context, clerk, centre, bureau
):
    """Walk2-23: the confirm before an all-accepted decision says so, not "rejected: 0"."""
    office = DepartmentFactory(code="OPS", name="运维科", kind="office", parent=bureau)
    UserFactory(username="opsreceiver", department=office, roles=["receiver"])
    cards = [make_asset(owner=centre, actor=clerk, name=f"备用交换机{i}") for i in range(2)]
    handover = hs.create_handover(actor=clerk, project=None, assets=cards, to_department=office)
    hs.submit_handover(handover=handover, actor=clerk)
    visit = Visit(new_context(language, **DESK), language=language, allowed_words={"OPS"})
    page = visit.page
    sign_in(visit, base_url, "opsreceiver")
    visit.goto(f"{base_url}/handovers/{handover.number}/review/")
    for card in cards:
        page.check(f"#accept-{card.tag}")
    asked = []

    def answer(dialog):
        asked.append(dialog.message)
        dialog.accept()

    page.on("dialog", answer)
    with page.expect_navigation():
        page.click("[data-decide]")
    assert asked and ("全部接收：2 项" in asked[0] or "All 2 accepted" in asked[0])
    assert "0" not in asked[0]
    assert Handover.objects.get(pk=handover.pk).state == Handover.State.ACCEPTED
