"""Walk findings 15, 16, 18 in the browser: rejecting every item asks with "nothing accepted"
(not "accept 0 items"), dismissing changes nothing; then the handover page's timeline and the
builder's inbox read in each reader's language."""

import pytest

from assets.handovers import services as handover_services
from assets.models import Handover
from tests.browser.support import DESK, PHONE, Visit, sign_in
from tests.factories import make_asset

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("device", ["phone", "desk"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_rejecting_everything_asks_with_nothing_accepted(
    language, device, base_url, new_context, project, clerk, receiver
):
    card = make_asset(owner=project.builder_department, actor=clerk, project=project, name="防火墙")
    handover = handover_services.submit_handover(
        handover=handover_services.create_handover(actor=clerk, project=project, assets=[card]),
        actor=clerk,
    )
    visit = Visit(
        new_context(language, **(PHONE if device == "phone" else DESK)),
        language=language,
        allowed_words={handover.number, project.code},
    )
    page = visit.page
    sign_in(visit, base_url, "receiver")
    visit.goto(f"{base_url}/handovers/{handover.number}/review/")
    page.check(f"#reject-{card.tag}")
    page.fill(f"#reason-{card.tag}", "设备未到货")
    asked = []

    def answer(dialog):
        asked.append(dialog.message)
        dialog.dismiss() if len(asked) == 1 else dialog.accept()

    page.on("dialog", answer)
    page.click("[data-decide]")
    assert asked and ("全部拒收" in asked[0] or "Nothing accepted" in asked[0])
    assert "0" not in asked[0].split("：")[0] and "item(s)" not in asked[0]
    assert Handover.objects.get(pk=handover.pk).state == Handover.State.SUBMITTED
    with page.expect_navigation():
        page.click("[data-decide]")
    assert Handover.objects.get(pk=handover.pk).state == Handover.State.REJECTED
    visit.check(f"walk-handover-rejected-{device}")
