"""The disposal job (issue 17): a case waiting for its approver N days, an approved case not
executed N days, weekly through the ledger; an executed transfer's undecided handover is the
handover job's, reminded once, not by both jobs."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from assets.disposals import services as ds
from assets.models import ApprovalTier, DisposalCase
from inventory.models import Notification, ReminderKind, ReminderLog
from inventory.reminders import jobs as reminders
from tests.factories import UserFactory, make_asset

pytestmark = pytest.mark.django_db

RULES = reminders.ReminderRules(disposal_approval_after_days=5, disposal_execution_after_days=5)
TODAY = timezone.localdate()


@pytest.fixture
def approver(bureau):
    ApprovalTier.objects.create(up_to=None, approver_role="approver", body="单位负责人")
    return UserFactory(username="approver", department=bureau, roles=["approver"])


@pytest.fixture
def submitted(clerk, centre, approver):
    cards = [make_asset(owner=centre, in_service_on=date(2012, 1, 1)) for _ in range(2)]
    case = ds.create_disposal(
        actor=clerk,
        fields={"method": "scrap", "grounds": "obsolete"},
        tags=[card.tag for card in cards],
    )
    return ds.submit_disposal(case=case, actor=clerk)


def run(job, today=TODAY):
    return reminders.run_job(job=job, today=today, rules=RULES)


def days_back(case, field, days):
    DisposalCase.objects.filter(pk=case.pk).update(**{field: timezone.now() - timedelta(days=days)})


def kinds_of(user):
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_a_case_waiting_n_days_reminds_its_approver_once_a_week(submitted, approver, clerk):
    days_back(submitted, "submitted_at", 4)
    assert run("disposals") == []
    days_back(submitted, "submitted_at", 6)
    run("disposals")
    assert kinds_of(approver) == [ReminderKind.DISPOSAL_AWAITING_APPROVAL]
    assert kinds_of(clerk) == []  # who prepared it is not who approves it
    note = Notification.objects.get(recipient=approver)
    assert submitted.number in note.title and "6" in note.title
    assert "报废" in note.body and "¥12,000.00" in note.body and "单位负责人" in note.body
    assert all(outcome.status == "already sent" for outcome in run("disposals"))
    run("disposals", today=TODAY + timedelta(days=7))
    assert len(kinds_of(approver)) == 2


def test_an_approved_case_not_executed_reminds_the_clerks(submitted, approver, clerk):
    case = ds.approve_disposal(
        case=submitted, actor=approver, approval_no="批〔2026〕9号", approved_on=TODAY
    )
    days_back(case, "submitted_at", 9)
    run("disposals")
    assert kinds_of(clerk) == [] and kinds_of(approver) == []
    days_back(case, "decided_at", 5)
    run("disposals")
    assert kinds_of(clerk) == [ReminderKind.DISPOSAL_NOT_EXECUTED]
    assert kinds_of(approver) == []
    ds.execute_disposal(case=case, actor=clerk)
    run("disposals", today=TODAY + timedelta(days=7))
    assert kinds_of(clerk) == [ReminderKind.DISPOSAL_NOT_EXECUTED]


def test_an_executed_transfers_undecided_handover_is_reminded_once(
    clerk, centre, other_bureau, approver, receiver
):
    card = make_asset(owner=centre, in_service_on=date(2012, 1, 1))
    case = ds.create_disposal(
        actor=clerk,
        fields={"method": "transfer", "grounds": "reorganisation", "to_department": other_bureau},
        tags=[card.tag],
    )
    case = ds.submit_disposal(case=case, actor=clerk)
    case = ds.approve_disposal(
        case=case, actor=approver, approval_no="批〔2026〕10号", approved_on=TODAY
    )
    case = ds.execute_disposal(case=case, actor=clerk)
    handover = case.handover
    type(handover).objects.filter(pk=handover.pk).update(
        submitted_at=timezone.now() - timedelta(days=8)
    )
    for job in reminders.JOBS:
        run(job)
    undecided = ReminderLog.objects.filter(recipient=receiver, kind=ReminderKind.HANDOVER_UNDECIDED)
    assert undecided.count() == 1
    assert not ReminderLog.objects.filter(subject=f"disposal:{case.number}").exists()
    title = Notification.objects.get(reminder=undecided.get()).body
    assert "None" not in title and handover.number in title
