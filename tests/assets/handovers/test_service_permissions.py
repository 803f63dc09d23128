"""The project and handover services check who acts themselves (issue 16): called directly, as a
management command or an admin action would, by a user who may not, they refuse with
`PermissionDenied` and change nothing. Handovers have no system path."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from assets import permissions
from assets import services as asset_services
from assets.handovers import services as hs
from assets.models import Asset, AssetEvent, DelegatedProject, Handover, HandoverArchive
from tests.factories import LocationFactory, make_asset

pytestmark = pytest.mark.django_db


def project_asset(project, **fields):
    fields.setdefault("owner", project.builder_department)
    fields.setdefault("value_type", Asset.ValueType.PROVISIONAL)
    return make_asset(project=project, **fields)


def submitted(project, clerk, assets):
    handover = hs.create_handover(actor=clerk, project=project, assets=assets)
    return hs.submit_handover(handover=handover, actor=clerk)


def state():
    """What a refused change must leave as it was."""
    return (
        list(Asset.objects.order_by("pk").values()),
        AssetEvent.objects.count(),
        list(DelegatedProject.objects.order_by("pk").values()),
        list(Handover.objects.order_by("pk").values()),
        HandoverArchive.objects.count(),
    )


# --- projects ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["receiver", "auditor"])
def test_save_project_refuses_to_create_for_a_role_that_prepares_no_handovers(
    who, request, other_bureau, bureau
):
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        hs.save_project(
            actor=actor,
            fields={
                "code": "P-NEW",
                "name": "新项目",
                "builder_department": actor.department,
                "owner_department": bureau if actor.department != bureau else other_bureau,
            },
        )
    assert not DelegatedProject.objects.filter(code="P-NEW").exists()


@pytest.mark.parametrize("who", ["other_clerk", "receiver", "auditor"])
def test_save_project_refuses_to_edit_for_who_may_not_change_it(project, who, request):
    before = state()
    with pytest.raises(PermissionDenied):
        hs.save_project(
            actor=request.getfixturevalue(who), project=project, fields={"name": "改名"}
        )
    assert state() == before


@pytest.mark.parametrize("who", ["other_clerk", "receiver", "auditor"])
def test_final_accounts_refuse_who_may_not_change_the_project(project, who, request):
    project_asset(project)
    before = state()
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        hs.submit_final_accounts(project=project, actor=actor)
    with pytest.raises(PermissionDenied):
        hs.approve_final_accounts(
            project=project,
            actor=actor,
            approved_on=date(2024, 9, 1),
            reference="R",
            confirm_unlisted=True,
        )
    assert state() == before


def test_final_accounts_revalue_cards_handed_over_already(project, clerk, receiver):
    # The builder's clerk changes the project, not the card the owner accepted: the project's
    # final accounts still revalue it (`permissions.may_revalue_card`).
    asset = project_asset(project, original_value=Decimal("1000.00"))
    handover = submitted(project, clerk, [asset])
    hs.decide_handover(
        handover=handover,
        actor=receiver,
        decisions=[hs.ItemDecision(tag=asset.tag, result="accepted")],
    )
    asset.refresh_from_db()
    assert not permissions.may_change_card(clerk, asset)
    hs.approve_final_accounts(
        project=project,
        actor=clerk,
        approved_on=date(2024, 9, 1),
        reference="R",
        values=[hs.FinalValue(tag=asset.tag, value=Decimal("900.00"))],
    )
    asset.refresh_from_db()
    assert asset.original_value == Decimal("900.00")


# --- handovers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["other_clerk", "receiver", "auditor"])
def test_submit_refuses_who_does_not_prepare_it(project, clerk, who, request):
    handover = hs.create_handover(actor=clerk, project=project, assets=[project_asset(project)])
    before = state()
    with pytest.raises(PermissionDenied):
        hs.submit_handover(handover=handover, actor=request.getfixturevalue(who))
    assert state() == before


@pytest.mark.parametrize("who", ["other_clerk", "receiver", "auditor"])
def test_archives_refuse_who_does_not_prepare_it(project, clerk, who, request):
    handover = hs.create_handover(actor=clerk, project=project, assets=[project_asset(project)])
    before = state()
    with pytest.raises(PermissionDenied):
        hs.add_handover_archive(
            handover=handover,
            actor=request.getfixturevalue(who),
            line=hs.ArchiveLine(kind="engineering", title="竣工资料"),
        )
    assert state() == before


def test_handovers_have_no_system_path(project, clerk):
    asset = project_asset(project)
    with pytest.raises(PermissionDenied):
        hs.create_handover(actor=permissions.SYSTEM, project=project, assets=[asset])
    handover = submitted(project, clerk, [asset])
    before = state()
    with pytest.raises(PermissionDenied):
        hs.decide_handover(
            handover=handover,
            actor=permissions.SYSTEM,
            decisions=[hs.ItemDecision(tag=asset.tag, result="accepted")],
        )
    assert state() == before


# --- placing accepted cards --------------------------------------------------------------------


def test_a_handover_move_is_the_deciding_receivers_only(project, clerk, wrong_receiver):
    asset = project_asset(project)
    handover = submitted(project, clerk, [asset])
    before = state()
    with pytest.raises(PermissionDenied):
        asset_services.move_asset(
            asset=asset,
            actor=wrong_receiver,
            location=LocationFactory(code="R9"),
            handover=handover,
        )
    assert state() == before


def test_a_handover_move_places_only_the_cards_it_hands_over(
    project, clerk, receiver, other_bureau
):
    asset = project_asset(project)
    handover = submitted(project, clerk, [asset])
    elsewhere = make_asset(owner=other_bureau)
    before = state()
    with pytest.raises(PermissionDenied):
        asset_services.move_asset(
            asset=elsewhere,
            actor=receiver,
            location=LocationFactory(code="R9"),
            handover=handover,
        )
    assert state() == before
