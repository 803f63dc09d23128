"""Custody services: check-out, receipt, check-in, loans outside the unit, holding confirmations."""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from assets import permissions
from assets.custody import services as cs
from assets.errors import Conflict, NotInScope, TransitionNotAllowed
from assets.models import Asset, AssetEvent, CustodyRecord, HoldingConfirmation
from tests.factories import UserFactory, make_asset

pytestmark = pytest.mark.django_db


def test_checkout_names_the_holder_and_writes_an_event(centre, clerk, holder):
    asset = make_asset(owner=centre, status=Asset.Status.IN_STOCK)
    due = timezone.localdate() + timedelta(days=30)
    record = cs.checkout_asset(asset=asset, actor=clerk, holder=holder, due_on=due, note="出差用")
    asset.refresh_from_db()
    assert asset.custodian_user == holder
    assert asset.custodian == "张三"
    assert asset.status == Asset.Status.IN_USE
    assert record.state == CustodyRecord.State.OPEN and record.due_on == due
    event = asset.events.get(kind=AssetEvent.Kind.CHECKED_OUT)
    assert event.changes["custodian_user"] == [None, "zhangsan"]
    assert event.changes["status"] == ["in_stock", "in_use"]
    assert event.actor == clerk


def test_checkout_to_a_user_outside_the_cards_departments_is_refused(centre, admin_user, outsider):
    asset = make_asset(owner=centre)
    with pytest.raises(ValidationError) as error:
        cs.checkout_asset(asset=asset, actor=admin_user, holder=outsider)
    assert "user" in error.value.message_dict
    asset.refresh_from_db()
    assert asset.custodian_user is None
    assert not CustodyRecord.objects.exists()
    assert not asset.events.filter(kind=AssetEvent.Kind.CHECKED_OUT).exists()


def test_a_clerk_cannot_name_a_holder_outside_their_scope(centre, bureau, clerk):
    # The bureau's account is above the centre: the card (owned by the bureau, used by the
    # centre) could be held there, but the centre's clerk does not name bureau accounts.
    head_office = UserFactory(username="wangwu", department=bureau, roles=["staff"])
    asset = make_asset(owner=bureau, using_department=centre)
    with pytest.raises(ValidationError) as error:
        cs.checkout_asset(asset=asset, actor=clerk, holder=head_office)
    assert "user" in error.value.message_dict


def test_checkout_with_a_due_date_in_the_past_is_refused(centre, clerk, holder):
    asset = make_asset(owner=centre)
    with pytest.raises(ValidationError) as error:
        cs.checkout_asset(
            asset=asset, actor=clerk, holder=holder, due_on=timezone.localdate() - timedelta(1)
        )
    assert "due_on" in error.value.message_dict
    assert not CustodyRecord.objects.exists()


def test_a_card_checked_out_twice_is_refused(centre, clerk, holder):
    asset = make_asset(owner=centre)
    cs.checkout_asset(asset=asset, actor=clerk, holder=holder)
    with pytest.raises(TransitionNotAllowed):
        cs.checkout_asset(asset=asset, actor=clerk, holder=holder)
    assert CustodyRecord.objects.filter(asset=asset).count() == 1


def test_the_database_keeps_one_open_record_per_card(centre, holder):
    asset = make_asset(owner=centre)
    CustodyRecord.objects.create(asset=asset, kind="checkout", holder=holder)
    with pytest.raises(IntegrityError), transaction.atomic():
        CustodyRecord.objects.create(asset=asset, kind="checkout", holder=holder)


def test_only_clerks_of_the_card_check_it_out(centre, holder, other_clerk, auditor):
    asset = make_asset(owner=centre)
    with pytest.raises(NotInScope):
        cs.checkout_asset(asset=asset, actor=other_clerk, holder=holder)
    with pytest.raises(PermissionDenied):
        cs.checkout_asset(asset=asset, actor=auditor, holder=holder)
    with pytest.raises(NotInScope):
        cs.checkout_asset(asset=asset, actor=holder, holder=holder)


def test_only_the_holder_confirms_receipt(centre, clerk, holder):
    asset = make_asset(owner=centre)
    cs.checkout_asset(asset=asset, actor=clerk, holder=holder)
    with pytest.raises(PermissionDenied):
        cs.confirm_receipt(asset=asset, actor=clerk)
    record = cs.confirm_receipt(asset=asset, actor=holder)
    assert record.confirmed_at is not None
    again = cs.confirm_receipt(asset=asset, actor=holder)
    assert again.confirmed_at == record.confirmed_at
    assert asset.events.filter(kind=AssetEvent.Kind.RECEIPT_CONFIRMED).count() == 1


def test_checkin_clears_the_holder_and_returns_a_stock_card_to_stock(centre, clerk, holder):
    asset = make_asset(owner=centre, status=Asset.Status.IN_STOCK)
    cs.checkout_asset(asset=asset, actor=clerk, holder=holder)
    record = cs.checkin_asset(asset=asset, actor=clerk, note="离职归还")
    asset.refresh_from_db()
    assert record.state == CustodyRecord.State.CLOSED and record.closed_at
    assert asset.custodian_user is None and asset.custodian == ""
    assert asset.status == Asset.Status.IN_STOCK
    event = asset.events.get(kind=AssetEvent.Kind.CHECKED_IN)
    assert event.changes["custodian_user"] == ["zhangsan", None]
    assert event.note == "离职归还"


def test_checking_in_a_card_not_checked_out_is_refused(centre, clerk):
    asset = make_asset(owner=centre)
    with pytest.raises(TransitionNotAllowed) as error:
        cs.checkin_asset(asset=asset, actor=clerk)
    assert error.value.code == "not_checked_out"
    assert not asset.events.filter(kind=AssetEvent.Kind.CHECKED_IN).exists()


def test_a_loan_outside_the_unit_needs_borrower_due_date_and_approval(centre, clerk):
    asset = make_asset(owner=centre)
    with pytest.raises(ValidationError) as error:
        cs.lend_asset(asset=asset, actor=clerk, counterparty="", due_on=None, approval_ref="")
    assert {"counterparty", "approval_ref"} <= set(error.value.message_dict)
    with pytest.raises(ValidationError) as error:
        cs.lend_asset(
            asset=asset, actor=clerk, counterparty="市档案馆", due_on=None, approval_ref="批 1 号"
        )
    assert "due_on" in error.value.message_dict
    asset.refresh_from_db()
    assert asset.status == Asset.Status.IN_USE and not CustodyRecord.objects.exists()


def test_a_loan_makes_the_card_lent_and_checkin_brings_it_back(centre, clerk):
    asset = make_asset(owner=centre)
    Asset.objects.filter(pk=asset.pk).update(status=Asset.Status.IDLE)
    due = timezone.localdate() + timedelta(days=14)
    record = cs.lend_asset(
        asset=asset,
        actor=clerk,
        counterparty="市档案馆",
        due_on=due,
        approval_ref="数据局批〔2025〕3号",
    )
    asset.refresh_from_db()
    assert asset.status == Asset.Status.LENT and asset.lent_to == "市档案馆"
    assert record.kind == CustodyRecord.Kind.LOAN and record.approval_ref == "数据局批〔2025〕3号"
    event = asset.events.get(kind=AssetEvent.Kind.LENT_OUT)
    assert event.changes["status"] == ["idle", "lent"]
    cs.checkin_asset(asset=asset, actor=clerk)
    asset.refresh_from_db()
    assert asset.status == Asset.Status.IDLE and asset.lent_to == ""


def test_a_staff_holder_reads_only_the_cards_they_hold(centre, clerk, holder):
    held = make_asset(owner=centre, name="笔记本电脑")
    other = make_asset(owner=centre, name="打印机")
    cs.checkout_asset(asset=held, actor=clerk, holder=holder)
    held.refresh_from_db()
    assert list(permissions.visible_assets(holder)) == [held]
    assert permissions.may_read_card(holder, held)
    assert not permissions.may_read_card(holder, other)
    assert not permissions.may_change_card(holder, held)
    assert permissions.department_scope_ids(holder) == set()


def test_confirm_all_records_one_confirmation_per_card_and_year(centre, clerk, holder):
    first, second = make_asset(owner=centre), make_asset(owner=centre)
    make_asset(owner=centre)  # not held
    for asset in (first, second):
        cs.checkout_asset(asset=asset, actor=clerk, holder=holder)
    created = cs.confirm_holdings(actor=holder, year=2025)
    assert {c.asset_id for c in created} == {first.pk, second.pk}
    assert cs.confirm_holdings(actor=holder, year=2025) == []
    assert HoldingConfirmation.objects.filter(holder=holder, year=2025).count() == 2
    assert AssetEvent.objects.filter(kind=AssetEvent.Kind.HOLDING_CONFIRMED).count() == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_clerks_checking_out_one_card_at_once_yield_one_checkout(centre, clerk, holder):
    second_clerk = UserFactory(username="clerk2", department=centre, roles=["clerk"])
    second_holder = UserFactory(username="holder2", department=centre, roles=["staff"])
    asset = make_asset(owner=centre)
    barrier = threading.Barrier(2)
    outcomes = {}

    def checkout(actor, to):
        try:
            barrier.wait()
            cs.checkout_asset(asset=asset, actor=actor, holder=to)
            outcomes[actor.username] = "won"
        except (TransitionNotAllowed, Conflict):
            outcomes[actor.username] = "409"
        except Exception as error:  # anything else is a bug the test must show
            outcomes[actor.username] = repr(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=checkout, args=(clerk, holder)),
        threading.Thread(target=checkout, args=(second_clerk, second_holder)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes.values()) == ["409", "won"], outcomes
    assert CustodyRecord.objects.filter(asset=asset, state="open").count() == 1
    assert AssetEvent.objects.filter(asset=asset, kind=AssetEvent.Kind.CHECKED_OUT).count() == 1
