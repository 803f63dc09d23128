"""Services of delegated-build projects and handovers (DESIGN.md invariant 6, DOMAIN.md §6)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from assets.errors import TransitionNotAllowed
from assets.handovers import selectors
from assets.handovers import services as hs
from assets.models import Asset, AssetEvent, DelegatedProject, Handover, HandoverItem
from tests.factories import LocationFactory, make_asset, make_project, retire_directly

pytestmark = pytest.mark.django_db

State = Handover.State


def project_asset(project, **fields):
    fields.setdefault("owner", project.builder_department)
    fields.setdefault("value_type", Asset.ValueType.PROVISIONAL)
    return make_asset(project=project, **fields)


def accept(asset, **kwargs):
    return hs.ItemDecision(tag=asset.tag, result="accepted", **kwargs)


def reject(asset, reason="型号与合同不符"):
    return hs.ItemDecision(tag=asset.tag, result="rejected", reason=reason)


def submitted(project, clerk, assets, **kwargs):
    handover = hs.create_handover(actor=clerk, project=project, assets=assets, **kwargs)
    return hs.submit_handover(handover=handover, actor=clerk)


def snapshot():
    """What a refused change must leave untouched."""
    return (
        list(Asset.objects.order_by("pk").values_list("pk", "owner_department", "location")),
        list(Asset.objects.order_by("pk").values_list("pk", "ownership_confirmed")),
        AssetEvent.objects.count(),
        list(Handover.objects.order_by("pk").values_list("pk", "state")),
        list(HandoverItem.objects.order_by("pk").values_list("pk", "result", "is_open")),
    )


# ------------------------------------------------------------------------------ projects


def test_handover_due_date_defaults_to_acceptance_plus_three_months(project):
    assert project.handover_due_on == date(2024, 6, 15)


def test_handover_due_months_come_from_settings(settings, centre, other_bureau):
    settings.YIKA_HANDOVER_DUE_MONTHS = 1
    project = make_project(
        builder=centre, owner=other_bureau, code="DJ-X", accepted_on=date(2024, 1, 31)
    )
    assert project.handover_due_on == date(2024, 2, 29)


def test_an_explicit_due_date_is_kept(centre, other_bureau):
    project = make_project(
        builder=centre,
        owner=other_bureau,
        code="DJ-Y",
        accepted_on=date(2024, 1, 10),
        handover_due_on=date(2024, 2, 1),
    )
    assert project.handover_due_on == date(2024, 2, 1)


def test_clerk_cannot_create_a_project_for_another_builder(other_clerk, centre, bureau):
    with pytest.raises(ValidationError) as error:
        hs.save_project(
            actor=other_clerk,
            fields={
                "code": "P1",
                "name": "x",
                "builder_department": centre,
                "owner_department": bureau,
            },
        )
    assert "builder_department" in error.value.message_dict
    assert not DelegatedProject.objects.filter(code="P1").exists()


# ------------------------------------------------------------------------------ creating


def test_a_host_brings_its_embedded_subtree(project, clerk):
    kiosk = project_asset(project, name="自助终端")
    terminal = project_asset(project, name="终端接入设备", parent=kiosk, embedded=True)
    reader = project_asset(project, name="读卡模块", parent=terminal, embedded=True)
    loose = project_asset(project, name="外接键盘", parent=kiosk)
    handover = hs.create_handover(actor=clerk, project=project, assets=[kiosk])
    items = {i.asset_id: i for i in handover.items.all()}
    assert set(items) == {kiosk.pk, terminal.pk, reader.pk}
    assert items[terminal.pk].included_with_host and items[reader.pk].included_with_host
    assert not items[kiosk.pk].included_with_host
    assert loose.pk not in items


def test_an_embedded_component_can_be_excluded_on_purpose(project, clerk):
    kiosk = project_asset(project, name="自助终端")
    terminal = project_asset(project, name="终端接入设备", parent=kiosk, embedded=True)
    handover = hs.create_handover(actor=clerk, project=project, assets=[kiosk], exclude=[terminal])
    assert list(handover.items.values_list("asset_id", flat=True)) == [kiosk.pk]


def test_excluding_a_card_no_host_brings_is_refused(project, clerk):
    one, other = project_asset(project), project_asset(project)
    with pytest.raises(ValidationError) as error:
        hs.create_handover(actor=clerk, project=project, assets=[one], exclude=[other])
    assert other.tag in str(error.value)


def test_a_retired_asset_cannot_be_added(project, clerk):
    asset = project_asset(project)
    retire_directly(asset=asset, actor=None, reason="损坏")
    with pytest.raises(ValidationError) as error:
        hs.create_handover(actor=clerk, project=project, assets=[asset])
    assert asset.tag in str(error.value)
    assert not Handover.objects.exists()


def test_an_asset_of_another_owner_cannot_be_added(project, clerk, bureau):
    mine = project_asset(project)
    foreign = make_asset(owner=bureau, project=project)
    with pytest.raises(ValidationError) as error:
        hs.create_handover(actor=clerk, project=project, assets=[mine, foreign])
    assert foreign.tag in str(error.value)
    assert mine.tag not in str(error.value)
    assert not Handover.objects.exists()
    assert not HandoverItem.objects.exists()


def test_an_asset_outside_the_project_cannot_be_added(project, clerk, centre):
    outsider = make_asset(owner=centre)
    with pytest.raises(ValidationError) as error:
        hs.create_handover(actor=clerk, project=project, assets=[outsider])
    assert outsider.tag in str(error.value)


def test_an_embedded_component_of_another_owner_blocks_its_host_until_excluded(
    project, clerk, bureau
):
    kiosk = project_asset(project)
    leased = make_asset(owner=bureau, project=project, parent=kiosk, embedded=True)
    with pytest.raises(ValidationError) as error:
        hs.create_handover(actor=clerk, project=project, assets=[kiosk])
    assert leased.tag in str(error.value)
    handover = hs.create_handover(actor=clerk, project=project, assets=[kiosk], exclude=[leased])
    assert handover.items.count() == 1


def test_an_asset_is_in_at_most_one_open_handover(project, clerk):
    asset = project_asset(project)
    first = hs.create_handover(actor=clerk, project=project, assets=[asset])
    with pytest.raises(ValidationError) as error:
        hs.create_handover(actor=clerk, project=project, assets=[asset])
    assert first.number in str(error.value)
    assert Handover.objects.count() == 1


def test_a_component_in_another_open_handover_is_refused_like_its_own_problems(project, clerk):
    """Its host brings it along: the open handover holding it is said on its line, as the
    component's own problems are (exclude it on purpose), and as a disposal case says it."""
    kiosk = project_asset(project)
    terminal = project_asset(project, parent=kiosk, embedded=True)
    from django.utils import translation

    first = hs.create_handover(actor=clerk, project=project, assets=[terminal])
    with pytest.raises(ValidationError) as error, translation.override("en"):
        hs.create_handover(actor=clerk, project=project, assets=[kiosk])
    (line,) = error.value.message_dict["items"]
    assert terminal.tag in line and first.number in line and "exclude it on purpose" in line
    second = hs.create_handover(actor=clerk, project=project, assets=[kiosk], exclude=[terminal])
    assert list(second.items.values_list("asset__tag", flat=True)) == [kiosk.tag]


def test_the_database_refuses_a_second_open_item_for_one_asset(project, clerk):
    asset = project_asset(project)
    first = hs.create_handover(actor=clerk, project=project, assets=[asset])
    second = Handover.objects.create(
        number="X-1",
        project=project,
        from_department=first.from_department,
        to_department=first.to_department,
        created_by=clerk,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        HandoverItem.objects.create(handover=second, asset=asset)


def test_a_withdrawn_handover_frees_its_assets(project, clerk):
    asset = project_asset(project)
    first = hs.create_handover(actor=clerk, project=project, assets=[asset])
    hs.withdraw_handover(handover=first, actor=clerk)
    second = hs.create_handover(actor=clerk, project=project, assets=[asset])
    assert second.items.get().asset == asset


def test_the_receiving_department_must_be_the_projects_owner(project, clerk, bureau):
    asset = project_asset(project)
    with pytest.raises(ValidationError) as error:
        hs.create_handover(actor=clerk, project=project, assets=[asset], to_department=bureau)
    assert "to_department" in error.value.message_dict


def test_only_clerks_of_the_builder_create_handovers(project, other_clerk, receiver):
    asset = project_asset(project)
    for user in (other_clerk, receiver):
        with pytest.raises(PermissionDenied):
            hs.create_handover(actor=user, project=project, assets=[asset])
    assert not Handover.objects.exists()


def test_handover_numbers_are_sequential(project, clerk):
    one = hs.create_handover(actor=clerk, project=project, assets=[project_asset(project)])
    two = hs.create_handover(actor=clerk, project=project, assets=[project_asset(project)])
    assert one.number != two.number
    assert one.number.endswith("0001") and two.number.endswith("0002")


# -------------------------------------------------------------------- submit and withdraw


def test_submitting_writes_an_event_on_every_card(project, clerk):
    host = project_asset(project)
    part = project_asset(project, parent=host, embedded=True)
    handover = submitted(project, clerk, [host])
    assert handover.state == State.SUBMITTED and handover.submitted_by == clerk
    for asset in (host, part):
        event = asset.events.get(kind=AssetEvent.Kind.HANDOVER_SUBMITTED)
        assert event.handover == handover


def test_submitting_an_empty_handover_is_refused(project, clerk):
    empty = Handover.objects.create(
        number="EMPTY-1",
        project=project,
        from_department=project.builder_department,
        to_department=project.owner_department,
        created_by=clerk,
    )
    with pytest.raises(ValidationError) as error:
        hs.submit_handover(handover=empty, actor=clerk)
    assert "items" in error.value.message_dict
    empty.refresh_from_db()
    assert empty.state == State.DRAFT


def test_submitting_twice_is_refused(project, clerk):
    handover = submitted(project, clerk, [project_asset(project)])
    with pytest.raises(TransitionNotAllowed):
        hs.submit_handover(handover=handover, actor=clerk)


def test_withdrawing_writes_an_event_on_every_card(project, clerk):
    asset = project_asset(project)
    handover = submitted(project, clerk, [asset])
    hs.withdraw_handover(handover=handover, actor=clerk, reason="清单有误")
    handover.refresh_from_db()
    assert handover.state == State.WITHDRAWN and handover.withdrawn_at
    assert asset.events.filter(kind=AssetEvent.Kind.HANDOVER_WITHDRAWN, handover=handover).exists()
    assert not handover.items.filter(is_open=True).exists()


def test_a_decided_handover_cannot_be_withdrawn(project, clerk, receiver):
    asset = project_asset(project)
    handover = submitted(project, clerk, [asset])
    hs.decide_handover(handover=handover, actor=receiver, decisions=[accept(asset)])
    with pytest.raises(TransitionNotAllowed):
        hs.withdraw_handover(handover=handover, actor=clerk)


def test_the_receiver_cannot_withdraw(project, clerk, receiver):
    handover = submitted(project, clerk, [project_asset(project)])
    with pytest.raises(PermissionDenied):
        hs.withdraw_handover(handover=handover, actor=receiver)


@pytest.mark.parametrize("source", list(State))
@pytest.mark.parametrize("target", list(State))
def test_the_guard_allows_exactly_the_declared_transitions(source, target):
    handover = Handover(number="N", state=source)
    allowed = target in hs.HANDOVER_TRANSITIONS[source]
    if allowed:
        hs._guard(handover, target)
    else:
        with pytest.raises(TransitionNotAllowed):
            hs._guard(handover, target)


# ----------------------------------------------------------------------------- deciding


def test_accepting_moves_ownership_and_confirms_it(project, clerk, receiver, other_bureau):
    asset = project_asset(project)
    handover = submitted(project, clerk, [asset])
    handover = hs.decide_handover(
        handover=handover,
        actor=receiver,
        decisions=[accept(asset, custodian="王医生", using_department=other_bureau)],
        comment="已逐项核对",
    )
    asset.refresh_from_db()
    assert handover.state == State.ACCEPTED and handover.decided_by == receiver
    assert asset.owner_department == other_bureau and asset.ownership_confirmed
    assert asset.using_department == other_bureau and asset.custodian == "王医生"
    event = asset.events.get(kind=AssetEvent.Kind.HANDOVER_ACCEPTED)
    assert event.handover == handover
    assert event.changes["owner_department"] == ["BDC", "HEALTH"]


def test_a_partial_decision_leaves_rejected_cards_with_the_builder_flagged(
    project, clerk, receiver, centre, other_bureau
):
    good, bad = project_asset(project), project_asset(project)
    handover = submitted(project, clerk, [good, bad])
    handover = hs.decide_handover(
        handover=handover, actor=receiver, decisions=[accept(good), reject(bad)]
    )
    good.refresh_from_db()
    bad.refresh_from_db()
    assert handover.state == State.PARTIALLY_ACCEPTED
    assert good.owner_department == other_bureau and good.ownership_confirmed
    assert bad.owner_department == centre and not bad.ownership_confirmed
    event = bad.events.get(kind=AssetEvent.Kind.HANDOVER_REJECTED)
    assert event.handover == handover and event.note == "型号与合同不符"
    assert handover.items.get(asset=bad).reason == "型号与合同不符"


def test_rejecting_everything_rejects_the_handover(project, clerk, receiver):
    asset = project_asset(project)
    handover = submitted(project, clerk, [asset])
    handover = hs.decide_handover(handover=handover, actor=receiver, decisions=[reject(asset)])
    assert handover.state == State.REJECTED
    assert not handover.items.filter(is_open=True).exists()


def test_a_blank_result_is_refused_naming_the_item_and_nothing_changes(project, clerk, receiver):
    one, two = project_asset(project), project_asset(project)
    handover = submitted(project, clerk, [one, two])
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        hs.decide_handover(handover=handover, actor=receiver, decisions=[accept(one)])
    assert two.tag in str(error.value) and one.tag not in str(error.value)
    assert snapshot() == before


def test_a_vague_result_is_refused(project, clerk, receiver):
    asset = project_asset(project)
    handover = submitted(project, clerk, [asset])
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        hs.decide_handover(
            handover=handover,
            actor=receiver,
            decisions=[hs.ItemDecision(tag=asset.tag, result="pending")],
        )
    assert asset.tag in str(error.value)
    assert snapshot() == before


def test_a_rejection_without_a_reason_is_refused_naming_the_item(project, clerk, receiver):
    one, two = project_asset(project), project_asset(project)
    handover = submitted(project, clerk, [one, two])
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        hs.decide_handover(
            handover=handover, actor=receiver, decisions=[accept(one), reject(two, reason="  ")]
        )
    assert two.tag in str(error.value)
    assert snapshot() == before


def test_a_result_for_a_card_not_in_the_handover_is_refused(project, clerk, receiver):
    asset, stranger = project_asset(project), project_asset(project)
    handover = submitted(project, clerk, [asset])
    with pytest.raises(ValidationError) as error:
        hs.decide_handover(
            handover=handover, actor=receiver, decisions=[accept(asset), accept(stranger)]
        )
    assert stranger.tag in str(error.value)


def test_deciding_twice_is_refused(project, clerk, receiver):
    asset = project_asset(project)
    handover = submitted(project, clerk, [asset])
    hs.decide_handover(handover=handover, actor=receiver, decisions=[accept(asset)])
    before = snapshot()
    with pytest.raises(TransitionNotAllowed):
        hs.decide_handover(handover=handover, actor=receiver, decisions=[reject(asset)])
    assert snapshot() == before


def test_a_draft_cannot_be_decided(project, clerk, receiver):
    asset = project_asset(project)
    handover = hs.create_handover(actor=clerk, project=project, assets=[asset])
    with pytest.raises(TransitionNotAllowed):
        hs.decide_handover(handover=handover, actor=receiver, decisions=[accept(asset)])


@pytest.mark.parametrize("who", ["clerk", "wrong_receiver", "auditor", "admin_user"])
def test_only_a_receiver_of_the_receiving_department_decides(project, clerk, who, request):
    asset = project_asset(project)
    handover = submitted(project, clerk, [asset])
    with pytest.raises(PermissionDenied):
        hs.decide_handover(
            handover=handover, actor=request.getfixturevalue(who), decisions=[accept(asset)]
        )
    handover.refresh_from_db()
    assert handover.state == State.SUBMITTED


def test_a_new_location_moves_the_host_and_its_embedded_components(project, clerk, receiver):
    room_a = LocationFactory(code="BDC-101")
    room_b = LocationFactory(code="HEALTH-201", department=project.owner_department)
    kiosk = project_asset(project, location=room_a)
    terminal = project_asset(project, parent=kiosk, embedded=True)
    handover = submitted(project, clerk, [kiosk])
    hs.decide_handover(
        handover=handover,
        actor=receiver,
        decisions=[accept(kiosk, location=room_b), accept(terminal)],
    )
    for asset in (kiosk, terminal):
        asset.refresh_from_db()
        assert asset.location == room_b
        assert asset.owner_department == handover.to_department
        assert asset.events.get(kind=AssetEvent.Kind.MOVED).handover == handover


def test_an_embedded_component_cannot_be_accepted_when_its_host_is_rejected(
    project, clerk, receiver
):
    kiosk = project_asset(project)
    terminal = project_asset(project, parent=kiosk, embedded=True)
    handover = submitted(project, clerk, [kiosk])
    with pytest.raises(ValidationError) as error:
        hs.decide_handover(
            handover=handover, actor=receiver, decisions=[reject(kiosk), accept(terminal)]
        )
    assert terminal.tag in str(error.value)


def test_the_decision_stores_the_certificate_once_with_its_hash(project, clerk, receiver):
    import hashlib

    asset = project_asset(project)
    handover = submitted(project, clerk, [asset])
    handover = hs.decide_handover(handover=handover, actor=receiver, decisions=[accept(asset)])
    content = hs.certificate_path(handover).read_bytes()
    assert content.startswith(b"%PDF")
    assert hashlib.sha256(content).hexdigest() == handover.certificate_sha256


# ----------------------------------------------------------------------- final accounts


def test_approving_final_accounts_revalues_listed_provisional_cards(project, clerk):
    asset = project_asset(project, original_value=Decimal("10000.00"))
    other = project_asset(project, original_value=Decimal("500.00"))
    results = hs.approve_final_accounts(
        project=project,
        actor=clerk,
        approved_on=date(2024, 9, 1),
        reference="财决〔2024〕12号",
        values=[hs.FinalValue(tag=asset.tag, value=Decimal("9600.00"))],
    )
    asset.refresh_from_db()
    other.refresh_from_db()
    project.refresh_from_db()
    assert [r.asset.pk for r in results] == [asset.pk]
    assert asset.original_value == Decimal("9600.00")
    assert asset.value_type == Asset.ValueType.FINAL
    event = asset.events.get(kind=AssetEvent.Kind.REVALUED)
    assert event.changes["original_value"] == ["10000.00", "9600.00"]
    assert project.final_accounts_state == DelegatedProject.FinalAccountsState.APPROVED
    assert other.value_type == Asset.ValueType.PROVISIONAL
    assert list(selectors.provisional_assets(project=project)) == [other]


def test_confirming_unlisted_cards_keeps_their_value_as_final(project, clerk):
    asset = project_asset(project, original_value=Decimal("800.00"))
    hs.approve_final_accounts(
        project=project,
        actor=clerk,
        approved_on=date(2024, 9, 1),
        reference="R",
        confirm_unlisted=True,
    )
    asset.refresh_from_db()
    assert asset.value_type == Asset.ValueType.FINAL
    assert asset.original_value == Decimal("800.00")


def test_a_final_value_for_a_card_outside_the_project_is_refused(project, clerk, centre):
    outsider = make_asset(owner=centre, value_type=Asset.ValueType.PROVISIONAL)
    with pytest.raises(ValidationError) as error:
        hs.approve_final_accounts(
            project=project,
            actor=clerk,
            approved_on=date(2024, 9, 1),
            reference="R",
            values=[hs.FinalValue(tag=outsider.tag, value=Decimal("1"))],
        )
    assert outsider.tag in str(error.value)
    project.refresh_from_db()
    assert project.final_accounts_state == DelegatedProject.FinalAccountsState.PENDING


def test_final_accounts_are_approved_once(project, clerk):
    hs.approve_final_accounts(
        project=project, actor=clerk, approved_on=date(2024, 9, 1), reference="R"
    )
    with pytest.raises(TransitionNotAllowed):
        hs.approve_final_accounts(
            project=project, actor=clerk, approved_on=date(2024, 9, 2), reference="R2"
        )


def test_revaluing_before_approval_is_refused(project, clerk):
    asset = project_asset(project)
    with pytest.raises(TransitionNotAllowed):
        hs.revalue_project_assets(
            project=project, actor=clerk, values=[hs.FinalValue(asset.tag, Decimal("1"))]
        )


# -------------------------------------------------------------------------- overdue view


def test_projects_past_their_due_date_with_builder_cards_are_overdue(
    project, clerk, receiver, auditor
):
    asset = project_asset(project)
    assert list(selectors.overdue_handover_projects(user=auditor, today=date(2024, 7, 1))) == [
        project
    ]
    assert not selectors.overdue_handover_projects(user=auditor, today=date(2024, 6, 1)).exists()
    handover = submitted(project, clerk, [asset])
    hs.decide_handover(handover=handover, actor=receiver, decisions=[accept(asset)])
    assert not selectors.overdue_handover_projects(user=auditor, today=date(2024, 7, 1)).exists()


def test_projects_without_final_accounts_a_year_after_acceptance_are_listed(project, auditor):
    listed = selectors.final_accounts_overdue_projects(user=auditor, today=date(2025, 3, 16))
    assert list(listed) == [project]
    early = selectors.final_accounts_overdue_projects(user=auditor, today=date(2025, 3, 1))
    assert not early.exists()
