"""Upkeep services: faults, repairs moving the card in and out of `under_repair`, contracts."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from assets import services as asset_services
from assets.custody import services as cs
from assets.errors import Conflict, TransitionNotAllowed
from assets.maintenance import selectors
from assets.maintenance import services as ms
from assets.models import Asset, AssetEvent, RepairRecord
from tests.factories import make_asset

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def test_a_holder_reports_a_fault_and_the_card_keeps_its_status(centre, clerk, holder):
    asset = make_asset(owner=centre)
    cs.checkout_asset(asset=asset, actor=clerk, holder=holder)
    repair = ms.report_fault(asset=asset, actor=holder, fault="屏幕不亮")
    asset.refresh_from_db()
    assert repair.reported_by == holder and repair.reported_on == TODAY()
    assert asset.status == Asset.Status.IN_USE
    assert asset.events.get(kind=AssetEvent.Kind.FAULT_REPORTED).note == "屏幕不亮"


def test_an_auditor_may_not_report_a_fault(centre, auditor):
    asset = make_asset(owner=centre)
    with pytest.raises(PermissionDenied):
        ms.report_fault(asset=asset, actor=auditor, fault="坏了")
    assert not RepairRecord.objects.exists()


def test_an_empty_fault_is_refused(centre, clerk):
    asset = make_asset(owner=centre)
    with pytest.raises(ValidationError) as error:
        ms.report_fault(asset=asset, actor=clerk, fault="  ")
    assert "fault" in error.value.message_dict


def test_a_repair_is_under_repair_from_start_to_finish_and_returns_to_its_status(centre, clerk):
    asset = make_asset(owner=centre, status=Asset.Status.IN_STOCK)
    repair = ms.record_repair(
        asset=asset,
        actor=clerk,
        fields={"fault": "电源故障", "vendor": "联想服务站", "started_on": TODAY()},
    )
    asset.refresh_from_db()
    assert asset.status == Asset.Status.UNDER_REPAIR
    started = asset.events.get(kind=AssetEvent.Kind.REPAIR_STARTED)
    assert started.changes["status"] == ["in_stock", "under_repair"]
    ms.update_repair(
        repair=repair,
        actor=clerk,
        fields={"finished_on": TODAY(), "cost": Decimal("850.00"), "outcome": "更换电源"},
    )
    asset.refresh_from_db()
    assert asset.status == Asset.Status.IN_STOCK
    finished = asset.events.get(kind=AssetEvent.Kind.REPAIR_FINISHED)
    assert finished.changes["status"] == ["under_repair", "in_stock"]
    assert finished.changes["cost"] == [None, "850.00"]


def test_a_card_under_repair_cannot_change_status_by_hand(centre, clerk):
    asset = make_asset(owner=centre)
    ms.record_repair(asset=asset, actor=clerk, fields={"fault": "x", "started_on": TODAY()})
    with pytest.raises(TransitionNotAllowed) as error:
        asset_services.change_status(asset=asset, actor=clerk, status=Asset.Status.IDLE)
    assert error.value.code == "use_repairs"


def test_a_second_repair_under_way_is_refused(centre, clerk):
    asset = make_asset(owner=centre)
    ms.record_repair(asset=asset, actor=clerk, fields={"fault": "x", "started_on": TODAY()})
    with pytest.raises((TransitionNotAllowed, Conflict)):
        ms.record_repair(asset=asset, actor=clerk, fields={"fault": "y", "started_on": TODAY()})
    assert RepairRecord.objects.count() == 1


def test_the_database_keeps_one_repair_under_way_per_card(centre):
    asset = make_asset(owner=centre)
    RepairRecord.objects.create(asset=asset, reported_on=TODAY(), fault="x", started_on=TODAY())
    with pytest.raises(IntegrityError), transaction.atomic():
        RepairRecord.objects.create(asset=asset, reported_on=TODAY(), fault="y", started_on=TODAY())


def test_bad_repair_dates_and_costs_are_refused(centre, clerk):
    asset = make_asset(owner=centre)
    with pytest.raises(ValidationError) as error:
        ms.record_repair(
            asset=asset,
            actor=clerk,
            fields={
                "fault": "x",
                "started_on": TODAY(),
                "finished_on": TODAY() - timedelta(days=2),
            },
        )
    assert "finished_on" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        ms.record_repair(asset=asset, actor=clerk, fields={"fault": "x", "cost": "-1"})
    assert "cost" in error.value.message_dict
    asset.refresh_from_db()
    assert asset.status == Asset.Status.IN_USE and not RepairRecord.objects.exists()


def test_repairs_beyond_the_net_value_flag_the_card(centre, clerk):
    old = make_asset(
        owner=centre,
        original_value=Decimal("6000.00"),
        in_service_on=date(2015, 1, 1),
        useful_life_months=72,
    )
    fine = make_asset(owner=centre, original_value=Decimal("60000.00"))
    for card in (old, fine):
        ms.record_repair(
            asset=card,
            actor=clerk,
            fields={
                "fault": "x",
                "started_on": TODAY(),
                "finished_on": TODAY(),
                "cost": "1200",
            },
        )
    assert [a.tag for a in selectors.costly_to_repair(user=clerk)] == [old.tag]


def test_a_hosts_contract_covers_its_embedded_components(centre, clerk):
    host = make_asset(owner=centre, name="服务器")
    inside = make_asset(owner=centre, parent=host, embedded=True, name="网卡")
    own = make_asset(owner=centre, parent=host, embedded=True, name="加密卡")
    ms.save_contract(
        actor=clerk,
        fields={
            "number": "WB-2025-01",
            "vendor": "浪潮",
            "department": centre,
            "starts_on": date(2025, 1, 1),
            "ends_on": date(2027, 12, 31),
            "assets": [host],
        },
    )
    ms.save_contract(
        actor=clerk,
        fields={
            "number": "WB-2025-02",
            "vendor": "卫士通",
            "department": centre,
            "starts_on": date(2025, 1, 1),
            "ends_on": date(2026, 6, 30),
            "assets": [own],
        },
    )
    ends = selectors.contract_ends([host.pk, inside.pk, own.pk])
    assert ends == {
        host.pk: date(2027, 12, 31),
        inside.pk: date(2027, 12, 31),
        own.pk: date(2026, 6, 30),
    }


def test_cards_out_of_warranty_without_a_contract_are_listed(centre, clerk):
    lapsed = make_asset(owner=centre, warranty_until=TODAY() - timedelta(days=1))
    covered = make_asset(owner=centre, warranty_until=TODAY() - timedelta(days=1))
    make_asset(owner=centre, warranty_until=TODAY() + timedelta(days=100))
    ms.save_contract(
        actor=clerk,
        fields={
            "number": "WB-1",
            "vendor": "v",
            "department": centre,
            "starts_on": TODAY() - timedelta(days=10),
            "ends_on": TODAY() + timedelta(days=10),
            "assets": [covered],
        },
    )
    assert [a.tag for a in selectors.uncovered_after_warranty(user=clerk)] == [lapsed.tag]


def test_a_contract_over_another_departments_card_is_refused(centre, other_bureau, clerk):
    theirs = make_asset(owner=other_bureau)
    with pytest.raises(ValidationError) as error:
        ms.save_contract(
            actor=clerk,
            fields={
                "number": "WB-9",
                "vendor": "v",
                "department": centre,
                "starts_on": TODAY(),
                "ends_on": TODAY(),
                "assets": [theirs],
            },
        )
    assert "assets" in error.value.message_dict
