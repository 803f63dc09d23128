"""The centre's clerk drafts an internal transfer (no project) to an office of the unit from the
new-handover page (issue 17), on a phone and at a desk; only the unit's own offices are
offered as receivers (walk2-7)."""

import pytest

from assets.handovers import services as hs
from assets.models import Handover
from tests.browser.support import DESK, PHONE, Visit, sign_in
from tests.factories import DepartmentFactory, UserFactory, make_asset

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("device", ["phone", "desk"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_clerk_drafts_an_internal_transfer_to_an_office(
    language, device, base_url, new_context, clerk, centre, bureau, other_bureau
):
    office = DepartmentFactory(code="OPS", name="运维科", kind="office", parent=bureau)
    card = make_asset(owner=centre, actor=clerk, name="备用交换机", model="S5735")
    visit = Visit(
        new_context(language, **(PHONE if device == "phone" else DESK)),
        language=language,
        allowed_words={"S5735", "OPS", "HEALTH"},
    )
    page = visit.page
    sign_in(visit, base_url, "clerk")
    visit.goto(f"{base_url}/handovers/new/")
    with page.expect_navigation():
        page.select_option("#pick-project", "internal")  # submits itself
    assert page.locator("[data-internal-transfer]").is_visible()
    page.fill("textarea[name=scanned]", card.tag)

    # Only the unit's own offices are offered (another unit goes by a disposal case, named in
    # the help; the refusal itself is the API's and the service's test); no false error shows.
    offered = page.locator("select[name=to_department] option").evaluate_all(
        "options => options.map(o => o.value)"
    )
    assert office.code in offered and other_bureau.code not in offered
    assert centre.code not in offered and not page.locator(".field__error").count()

    page.select_option("select[name=to_department]", office.code)
    suffix = "-phone" if device == "phone" else ""
    visit.check(f"clerk-internal-transfer-new{suffix}", full_page=True)
    with page.expect_navigation():
        page.click("form.form--wide button.btn--primary")
    handover = Handover.objects.get()
    assert page.url.endswith(f"/handovers/{handover.number}/")
    assert handover.project is None and handover.to_department == office
    assert list(handover.items.values_list("asset__tag", flat=True)) == [card.tag]


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
    assert method in text and visit.t("Free transfer (无偿划转)") not in text
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
