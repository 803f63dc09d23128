"""Custody and upkeep reminders through the ledger: loans past due (holder, then clerk),
receipts unconfirmed after N days, contracts ending within N days; each once per period."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from assets.custody import services as cs
from assets.maintenance import services as ms
from assets.models import CustodyRecord
from inventory.models import Notification, ReminderKind, ReminderLog
from inventory.reminders.jobs import ReminderRules, run_job
from tests.factories import UserFactory, make_asset

pytestmark = pytest.mark.django_db
RULES = ReminderRules(escalate_after_days=3, receipt_after_days=3, contract_days_before_end=30)


@pytest.fixture
def holder(centre):
    return UserFactory(username="zhangsan", display_name="张三", department=centre, roles=["staff"])


def _checked_out(centre, clerk, holder, *, due_in_days: int):
    asset = make_asset(owner=centre, name="笔记本电脑")
    today = timezone.localdate()
    cs.checkout_asset(
        asset=asset, actor=clerk, holder=holder, due_on=today + timedelta(days=due_in_days)
    )
    return asset


def test_an_overdue_checkout_reminds_the_holder_then_the_clerk(centre, clerk, holder):
    asset = _checked_out(centre, clerk, holder, due_in_days=1)
    due = CustodyRecord.objects.get().due_on
    first = run_job(job="custody", today=due + timedelta(days=1), rules=RULES)
    overdue = [o for o in first if o.reminder.kind == ReminderKind.CUSTODY_OVERDUE]
    assert [o.reminder.recipient for o in overdue] == [holder]
    assert asset.tag in "\n".join(overdue[0].reminder.items)
    later = run_job(job="custody", today=due + timedelta(days=8), rules=RULES)
    recipients = {o.reminder.recipient for o in later if o.reminder.kind == "custody_overdue"}
    assert recipients == {holder, clerk}


def test_the_same_week_sends_once(centre, clerk, holder):
    _checked_out(centre, clerk, holder, due_in_days=1)
    due = CustodyRecord.objects.get().due_on
    day = due + timedelta(days=1)
    run_job(job="custody", today=day, rules=RULES)
    again = run_job(job="custody", today=day, rules=RULES)
    assert all(not outcome.sent for outcome in again)
    assert ReminderLog.objects.filter(kind="custody_overdue", recipient=holder).count() == 1
    assert Notification.objects.filter(recipient=holder, kind="custody_overdue").count() == 1


def test_an_unconfirmed_receipt_reminds_the_holder_after_n_days(centre, clerk, holder):
    asset = _checked_out(centre, clerk, holder, due_in_days=60)
    today = timezone.localdate()
    early = run_job(job="custody", today=today + timedelta(days=1), rules=RULES)
    assert not [o for o in early if o.reminder.kind == "receipt_unconfirmed"]
    late = run_job(job="custody", today=today + timedelta(days=3), rules=RULES)
    receipts = [o for o in late if o.reminder.kind == ReminderKind.RECEIPT_UNCONFIRMED]
    assert [o.reminder.recipient for o in receipts] == [holder]
    cs.confirm_receipt(asset=asset, actor=holder)
    after = run_job(job="custody", today=today + timedelta(days=12), rules=RULES)
    assert not [o for o in after if o.reminder.kind == "receipt_unconfirmed"]


def test_a_contract_ending_soon_reminds_the_clerks_once(centre, clerk):
    host = make_asset(owner=centre, name="服务器")
    ms.save_contract(
        actor=clerk,
        fields={
            "number": "WB-2025-01",
            "vendor": "浪潮",
            "department": centre,
            "starts_on": date(2024, 1, 1),
            "ends_on": date(2026, 6, 30),
            "assets": [host],
        },
    )
    assert not run_job(job="contracts", today=date(2026, 5, 1), rules=RULES)
    sent = run_job(job="contracts", today=date(2026, 6, 5), rules=RULES)
    assert [o.reminder.recipient for o in sent] == [clerk] and sent[0].sent
    assert host.tag in "\n".join(sent[0].reminder.items)
    again = run_job(job="contracts", today=date(2026, 6, 20), rules=RULES)
    assert [o.sent for o in again] == [False]
