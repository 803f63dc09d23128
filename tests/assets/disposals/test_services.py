"""Disposal cases through their services: states, tiers, refusals, events on every card."""

from datetime import date, timedelta
from decimal import Decimal
from itertools import product

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assets import services
from assets.disposals import services as ds
from assets.errors import DisposalRequired, NotInScope, TransitionNotAllowed
from assets.handovers import services as hs
from assets.models import Asset, AssetEvent, DisposalCase, DisposalItem, Handover
from tests.assets.disposals.conftest import scrap_fields
from tests.factories import UserFactory, make_asset

pytestmark = pytest.mark.django_db
State = DisposalCase.State


def statuses(cards):
    return [Asset.objects.get(pk=c.pk).status for c in cards]


def case_events(case, kind):
    return AssetEvent.objects.filter(disposal=case, kind=kind)


def test_every_pair_of_states_follows_the_declared_machine():
    for source, target in product(State.values, State.values):
        case = DisposalCase(number="CZ-T", state=source)
        allowed = target in ds.DISPOSAL_TRANSITIONS[source]
        try:
            ds._guard(case, target)
            assert allowed, (source, target)
        except TransitionNotAllowed:
            assert not allowed, (source, target)


def test_a_case_is_numbered_from_a_per_year_sequence(draft, clerk, centre, tiers):
    year = date.today().year
    assert draft.number == f"CZ{year}-0001"
    other = ds.create_disposal(
        actor=clerk, fields=scrap_fields(), tags=[make_asset(owner=centre).tag]
    )
    assert other.number == f"CZ{year}-0002"
    assert draft.department == centre


def test_submit_makes_cards_pending_and_chooses_the_tier_by_total(submitted, cards):
    assert statuses(cards) == ["pending_disposal"] * 3
    assert submitted.total_original_value == Decimal("18000.00")
    assert submitted.approving_body == "单位负责人"
    assert submitted.approver_role == "approver"
    assert submitted.tier_up_to == Decimal("200000.00")
    events = case_events(submitted, AssetEvent.Kind.DISPOSAL_SUBMITTED)
    assert events.count() == 3
    assert events.first().changes == {"status": ["in_use", "pending_disposal"]}
    items = DisposalItem.objects.filter(case=submitted)
    assert {i.previous_status for i in items} == {"in_use"}
    assert all(i.net_value <= i.original_value for i in items)


def test_a_large_case_goes_to_the_unlimited_tier(clerk, centre, tiers):
    card = make_asset(
        owner=centre, original_value=Decimal("250000"), in_service_on=date(2010, 1, 1)
    )
    case = ds.create_disposal(actor=clerk, fields=scrap_fields(), tags=[card.tag])
    case = ds.submit_disposal(case=case, actor=clerk)
    assert case.approving_body == "市财政局"
    assert case.approver_role == "admin"
    assert case.tier_up_to is None


def test_editing_a_tier_later_leaves_the_submitted_case_as_it_was(submitted, tiers):
    low, _high = tiers
    ds.save_tier(actor=None, tier=low, fields={"body": "改名的负责人"})
    submitted.refresh_from_db()
    assert submitted.approving_body == "单位负责人"


def test_submit_without_tiers_is_refused_naming_the_setup(clerk, cards):
    case = ds.create_disposal(actor=clerk, fields=scrap_fields(), tags=[cards[0].tag])
    with pytest.raises(TransitionNotAllowed) as refused:
        ds.submit_disposal(case=case, actor=clerk)
    assert refused.value.code == "no_approval_tier"
    assert statuses(cards[:1]) == ["in_use"]


def test_approval_by_the_tier_role_writes_an_event_on_every_card(approved, cards):
    assert approved.state == State.APPROVED
    assert approved.approval_no == "市数据局〔2026〕12号"
    assert case_events(approved, AssetEvent.Kind.DISPOSAL_APPROVED).count() == 3
    assert statuses(cards) == ["pending_disposal"] * 3


def test_approval_by_the_wrong_role_is_refused(submitted, admin_user, other_bureau):
    # The tier names `approver`; an admin is not that role (and the low tier is not theirs).
    with pytest.raises(PermissionDenied):
        ds.approve_disposal(
            case=submitted, actor=admin_user, approval_no="X", approved_on=date.today()
        )
    stranger = UserFactory(username="farapprover", department=other_bureau, roles=["approver"])
    with pytest.raises(PermissionDenied):
        ds.approve_disposal(
            case=submitted, actor=stranger, approval_no="X", approved_on=date.today()
        )
    submitted.refresh_from_db()
    assert submitted.state == State.SUBMITTED


def test_self_approval_is_refused(cards, tiers, centre):
    both = UserFactory(username="both", department=centre, roles=["clerk", "approver"])
    case = ds.create_disposal(actor=both, fields=scrap_fields(), tags=[cards[0].tag])
    ds.submit_disposal(case=case, actor=both)
    with pytest.raises(PermissionDenied, match="someone else"):
        ds.approve_disposal(case=case, actor=both, approval_no="X", approved_on=date.today())


def test_approval_number_is_required_and_bounded(submitted, approver):
    with pytest.raises(ValidationError) as refused:
        ds.approve_disposal(
            case=submitted, actor=approver, approval_no="号" * 500, approved_on=date.today()
        )
    assert "approval_no" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        ds.approve_disposal(case=submitted, actor=approver, approval_no=" ", approved_on=None)
    assert {"approval_no", "approved_on"} <= set(refused.value.message_dict)
    submitted.refresh_from_db()
    assert submitted.state == State.SUBMITTED


def test_reject_returns_cards_to_their_status_before(clerk, centre, tiers, approver):
    idle = make_asset(owner=centre, in_service_on=date(2012, 1, 1))
    services.change_status(asset=idle, actor=clerk, status="idle")
    used = make_asset(owner=centre, in_service_on=date(2012, 1, 1))
    case = ds.create_disposal(actor=clerk, fields=scrap_fields(), tags=[idle.tag, used.tag])
    ds.submit_disposal(case=case, actor=clerk)
    with pytest.raises(ValidationError):
        ds.reject_disposal(case=case, actor=approver, reason=" ")
    case = ds.reject_disposal(case=case, actor=approver, reason="尚可使用")
    assert statuses([idle, used]) == ["idle", "in_use"]
    assert case_events(case, AssetEvent.Kind.DISPOSAL_REJECTED).count() == 2
    # Free again: a new case may take them.
    again = ds.create_disposal(actor=clerk, fields=scrap_fields(), tags=[idle.tag])
    assert again.items.count() == 1


def test_execute_retires_the_cards_naming_the_case(approved, clerk, cards):
    case = ds.execute_disposal(case=approved, actor=clerk)
    assert case.state == State.EXECUTED
    assert case.executed_on == date.today()
    for card in cards:
        card.refresh_from_db()
        assert card.status == "retired"
        assert card.retired_at is not None
        assert approved.number in card.retire_reason
    retired = case_events(case, AssetEvent.Kind.RETIRED)
    assert retired.count() == 3
    assert retired.first().changes == {"status": ["pending_disposal", "retired"]}
    assert len(case.document_sha256) == 64
    assert not DisposalItem.objects.filter(case=case, is_open=True).exists()


def test_execute_before_approval_is_refused(submitted, clerk, cards):
    with pytest.raises(TransitionNotAllowed):
        ds.execute_disposal(case=submitted, actor=clerk)
    assert statuses(cards) == ["pending_disposal"] * 3


def test_a_host_with_unlisted_live_components_is_refused(clerk, centre, tiers):
    host = make_asset(owner=centre, in_service_on=date(2012, 1, 1), name="服务器")
    disk = make_asset(owner=centre, parent=host, embedded=True, name="硬盘")
    with pytest.raises(ValidationError) as refused:
        ds.create_disposal(actor=clerk, fields=scrap_fields(), tags=[host.tag])
    assert disk.tag in str(refused.value.message_dict["items"])
    case = ds.create_disposal(
        actor=clerk, fields=scrap_fields(reason="随主机报废"), tags=[host.tag, disk.tag]
    )
    assert case.items.count() == 2


def test_detach_mode_leaves_unlisted_components_live_and_free(clerk, centre, tiers, approver):
    host = make_asset(owner=centre, in_service_on=date(2012, 1, 1), name="服务器")
    card = make_asset(owner=centre, parent=host, embedded=True, name="网卡")
    case = ds.create_disposal(
        actor=clerk, fields=scrap_fields(components="detach"), tags=[host.tag]
    )
    ds.submit_disposal(case=case, actor=clerk)
    ds.approve_disposal(case=case, actor=approver, approval_no="批复1", approved_on=date.today())
    ds.execute_disposal(case=case, actor=clerk)
    card.refresh_from_db()
    host.refresh_from_db()
    assert host.status == "retired"
    assert card.status == "in_use" and card.parent_id is None


@pytest.mark.parametrize(
    "setup, message",
    [
        ("retired", "retired already"),
        ("unconfirmed", "ownership is not confirmed"),
        ("in_case", "already in open disposal case"),
        ("twice", "listed twice"),
    ],
)
def test_refusals_name_the_card(setup, message, clerk, centre, tiers, settings):
    card = make_asset(owner=centre, in_service_on=date(2012, 1, 1))
    tags = [card.tag]
    if setup == "retired":
        settings.YIKA_DISPOSAL_APPROVAL = False
        services.retire_asset(asset=card, actor=clerk, reason="报废")
    elif setup == "unconfirmed":
        Asset.objects.filter(pk=card.pk).update(ownership_confirmed=False)
    elif setup == "in_case":
        ds.create_disposal(actor=clerk, fields=scrap_fields(), tags=[card.tag])
    elif setup == "twice":
        tags = [card.tag, card.tag.lower()]
    before = DisposalCase.objects.count()
    with pytest.raises(ValidationError) as refused:
        ds.create_disposal(actor=clerk, fields=scrap_fields(), tags=tags)
    assert message in str(refused.value)
    assert DisposalCase.objects.count() == before


def test_a_delegated_build_card_never_handed_over_is_refused(clerk, project, tiers):
    card = make_asset(owner=project.builder_department, project=project)
    with pytest.raises(ValidationError, match="ownership is not confirmed"):
        ds.create_disposal(actor=clerk, fields=scrap_fields(reason="x"), tags=[card.tag])


def test_a_card_in_an_open_handover_is_refused(clerk, project, tiers):
    card = make_asset(owner=project.builder_department, project=project)
    hs.create_handover(actor=clerk, project=project, assets=[card])
    with pytest.raises(ValidationError, match="open handover"):
        ds.create_disposal(actor=clerk, fields=scrap_fields(reason="x"), tags=[card.tag])


def test_below_service_life_needs_a_reason(clerk, centre, tiers):
    young = make_asset(owner=centre, in_service_on=date.today() - timedelta(days=60))
    with pytest.raises(ValidationError) as refused:
        ds.create_disposal(actor=clerk, fields=scrap_fields(), tags=[young.tag])
    assert young.tag in refused.value.message_dict["reason"][0]
    case = ds.create_disposal(
        actor=clerk, fields=scrap_fields(reason="雷击损毁，无法修复"), tags=[young.tag]
    )
    assert case.reason == "雷击损毁，无法修复"
    # A loss does not depend on age.
    other = make_asset(owner=centre, in_service_on=date.today() - timedelta(days=60))
    ds.create_disposal(
        actor=clerk, fields={"method": "write_off", "grounds": "loss"}, tags=[other.tag]
    )


def test_empty_case_and_unknown_method_are_field_errors(clerk, centre, tiers):
    with pytest.raises(ValidationError) as refused:
        ds.create_disposal(actor=clerk, fields=scrap_fields(), tags=[])
    assert "items" in refused.value.message_dict
    card = make_asset(owner=centre, in_service_on=date(2012, 1, 1))
    with pytest.raises(ValidationError) as refused:
        ds.create_disposal(actor=clerk, fields=scrap_fields(method="burn"), tags=[card.tag])
    assert "method" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        ds.create_disposal(actor=clerk, fields=scrap_fields(method="sale"), tags=[card.tag])
    assert "counterparty" in refused.value.message_dict


def test_a_card_out_of_scope_is_not_found(clerk, other_bureau, tiers):
    foreign = make_asset(owner=other_bureau)
    with pytest.raises(NotInScope):
        ds.create_disposal(actor=clerk, fields=scrap_fields(), tags=[foreign.tag])


def test_retire_directly_is_refused_while_approval_is_on(clerk, centre, cards):
    with pytest.raises(DisposalRequired) as refused:
        services.retire_asset(asset=cards[0], actor=clerk, reason="报废")
    assert refused.value.code == "disposal_required"
    assert refused.value.status_code == 409
    assert statuses(cards[:1]) == ["in_use"]


def test_retire_directly_names_the_case_holding_the_card(submitted, clerk, cards):
    with pytest.raises(DisposalRequired, match=submitted.number):
        services.retire_asset(asset=cards[0], actor=clerk, reason="报废")


def test_status_of_a_card_in_a_case_changes_only_with_the_case(submitted, clerk, cards):
    with pytest.raises(TransitionNotAllowed) as refused:
        services.change_status(asset=cards[0], actor=clerk, status="in_use")
    assert refused.value.code == "in_disposal"


def test_executed_transfer_opens_a_handover_and_ownership_moves_on_acceptance(
    clerk, centre, other_bureau, tiers, approver, receiver
):
    cards = [make_asset(owner=centre, in_service_on=date(2020, 1, 1)) for _ in range(2)]
    case = ds.create_disposal(
        actor=clerk,
        fields={
            "method": "transfer",
            "grounds": "reorganisation",
            "to_department": other_bureau,
        },
        tags=[c.tag for c in cards],
    )
    ds.submit_disposal(case=case, actor=clerk)
    ds.approve_disposal(case=case, actor=approver, approval_no="划转批复", approved_on=date.today())
    case = ds.execute_disposal(case=case, actor=clerk)
    handover = case.handover
    assert handover.project is None and handover.state == Handover.State.SUBMITTED
    assert handover.to_department == other_bureau
    # Until accepted, the cards stay the sender's, in their status before.
    assert statuses(cards) == ["in_use", "in_use"]
    assert {Asset.objects.get(pk=c.pk).owner_department for c in cards} == {centre}
    hs.decide_handover(
        handover=handover,
        actor=receiver,
        decisions=[
            hs.ItemDecision(tag=cards[0].tag, result="accepted"),
            hs.ItemDecision(tag=cards[1].tag, result="rejected", reason="不需要"),
        ],
    )
    first, second = (Asset.objects.get(pk=c.pk) for c in cards)
    assert first.owner_department == other_bureau
    assert second.owner_department == centre and second.ownership_confirmed
    assert (
        AssetEvent.objects.filter(disposal=case, kind=AssetEvent.Kind.DISPOSAL_TRANSFERRED).count()
        == 2
    )
