"""Fourth walk 3: cards the receiving unit accepted leave the sender's scope. On acceptance the
managing department and (unless the receiver names one) the using department move to the
receiving department with the owner, one event per card; the sender's clerk then no longer
lists, opens or reprints them. A card the clerk only uses or manages for another unit is not
offered "Dispose of" (the case would be the owner's and end in 403)."""

import pytest

from assets.handovers import services as hs
from assets.models import Asset, AssetEvent
from tests.browser.support import DESK, PHONE, Visit, sign_in
from tests.factories import make_asset

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def handed_over(project, clerk, centre, receiver):
    def card(name):
        return make_asset(
            owner=centre,
            project=project,
            value_type=Asset.ValueType.PROVISIONAL,
            managing_department=centre,
            using_department=centre,
            name=name,
        )

    given, kept = card("全民健康信息平台应用软件"), card("健康平台数据库服务器")
    handover = hs.create_handover(actor=clerk, project=project, assets=[given, kept])
    hs.submit_handover(handover=handover, actor=clerk)
    hs.decide_handover(
        handover=handover,
        actor=receiver,
        decisions=[
            hs.ItemDecision(tag=given.tag, result="accepted"),
            hs.ItemDecision(tag=kept.tag, result="rejected", reason="型号与合同不符"),
        ],
    )
    return {"given": given, "kept": kept, "handover": handover}


def test_acceptance_moves_management_and_use_with_ownership(handed_over, other_bureau, centre):
    given = Asset.objects.get(pk=handed_over["given"].pk)
    assert given.owner_department == other_bureau
    assert given.managing_department == other_bureau
    assert given.using_department == other_bureau
    event = AssetEvent.objects.get(asset=given, kind=AssetEvent.Kind.HANDOVER_ACCEPTED)
    assert {"owner_department", "managing_department", "using_department"} <= set(event.changes)
    assert event.handover == handed_over["handover"]
    kept = Asset.objects.get(pk=handed_over["kept"].pk)
    assert kept.managing_department == centre and kept.using_department == centre


@pytest.mark.parametrize("device", ["phone", "desk"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_sender_no_longer_offers_actions_on_cards_it_gave_away(
    handed_over, other_bureau, centre, clerk, new_context, base_url, language, device
):
    used_here = make_asset(owner=other_bureau, using_department=centre, name="卫健委前置机")
    visit = Visit(
        new_context(language, **(PHONE if device == "phone" else DESK)),
        language=language,
        allowed_words={"HEALTH"},
    )
    visit.expected_errors.append("status of 404")  # the refused addresses below
    page = visit.page
    sign_in(visit, base_url, "clerk")
    given, kept = handed_over["given"], handed_over["kept"]

    visit.goto(f"{base_url}/")
    listed = page.inner_text("body")
    assert kept.tag in listed and given.tag not in listed
    visit.goto(f"{base_url}/labels/")
    assert given.tag not in page.inner_text("body")
    assert page.goto(f"{base_url}/assets/{given.tag}/edit/").status == 404
    assert page.goto(f"{base_url}/assets/{given.tag}/").status == 404

    # A card the clerk uses for another unit: editable, but no disposal is offered.
    visit.goto(f"{base_url}/assets/{used_here.tag}/")
    visit.check(f"clerk-card-used-for-another-unit-{device}")
    toolbar = page.locator(".toolbar").first
    assert toolbar.get_by_role("link", name=visit.t("Edit")).count() == 1
    assert toolbar.get_by_role("link", name=visit.t("Dispose of")).count() == 0
    # Opening the case form for it by address is refused before anything is typed.
    assert page.goto(f"{base_url}/disposals/new/?tags={used_here.tag}").status == 404
