"""Reminder services: the schedule rules with a frozen clock (`today=`), the ledger's exactly-once,
mail retries and languages. Tasks run in process (settings_test); the live-worker versions are
in test_live.py."""

from datetime import date, datetime, timedelta
from smtplib import SMTPException

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from assets.handovers import services as handover_services
from assets.models import Asset, Department
from inventory.models import Notification, ReminderKind, ReminderLog, TaskOutbox
from inventory.reminders import jobs as reminders
from inventory.services import scanning
from tests.factories import DepartmentFactory, UserFactory, make_asset

pytestmark = pytest.mark.django_db

DUE = date(2026, 1, 31)  # the `active` campaign's due date (tests/inventory/conftest.py)
RULES = reminders.ReminderRules(
    days_before_due=7, escalate_after_days=3, handover_after_days=7, stocktake_start_by=(11, 1)
)


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run a job on `today` and its after-commit work (the mail tasks), as a worker would."""

    def run(job: str, today: date) -> list[reminders.Outcome]:
        with django_capture_on_commit_callbacks(execute=True):
            return reminders.run_job(job=job, today=today, rules=RULES)

    return run


def inbox(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user).order_by("id"))


def make_head(department: Department, username: str = "head", **fields):
    head = UserFactory(username=username, department=department, roles=[], **fields)
    Department.objects.filter(pk=department.pk).update(head=head)
    return head


# Job 1: stocktakes — due in N days, overdue, escalation


def test_counter_gets_pending_lines_by_location_n_days_before_due(active, pc, clerk, run):
    run("stocktake", DUE - timedelta(days=7))
    [notification] = inbox(clerk)
    assert notification.kind == ReminderKind.STOCKTAKE_DUE
    assert "[101机房（R101）]" in notification.body
    assert pc.tag in notification.body
    assert notification.link == f"/stocktakes/{active.pk}/"


def test_no_stocktake_reminder_before_the_window(active, clerk, run):
    assert run("stocktake", DUE - timedelta(days=8)) == []
    assert inbox(clerk) == []


def test_due_soon_reminder_is_sent_once_in_the_window(active, clerk, run):
    run("stocktake", DUE - timedelta(days=7))
    run("stocktake", DUE - timedelta(days=3))
    run("stocktake", DUE)
    assert len(inbox(clerk)) == 1


def test_overdue_counter_is_reminded_daily(active, clerk, run):
    run("stocktake", DUE + timedelta(days=1))
    run("stocktake", DUE + timedelta(days=1))
    run("stocktake", DUE + timedelta(days=2))
    kinds = [n.kind for n in inbox(clerk)]
    assert kinds == [ReminderKind.STOCKTAKE_OVERDUE, ReminderKind.STOCKTAKE_OVERDUE]


def test_counter_with_everything_counted_gets_nothing(active, pc, clerk, run):
    scanning.record_scan(campaign=active, actor=clerk, code=pc.tag)
    assert run("stocktake", DUE + timedelta(days=1)) == []


def test_named_counters_replace_the_department_clerks(active, clerk, centre, admin_user, run):
    from inventory.models import CounterAssignment

    counter = UserFactory(username="counter", department=centre, roles=["clerk"])
    CounterAssignment.objects.create(campaign=active, counter=counter, department=centre)
    run("stocktake", DUE - timedelta(days=1))
    assert len(inbox(counter)) == 1
    assert inbox(clerk) == []


def test_department_head_gets_progress_in_the_window(active, centre, run):
    head = make_head(centre)
    run("stocktake", DUE - timedelta(days=5))
    [notification] = inbox(head)
    assert notification.kind == ReminderKind.STOCKTAKE_PROGRESS
    assert "0 of 1 counted, 1 pending" in notification.body or "0 / 1" in notification.body


def test_escalation_reaches_the_head_only_after_the_grace_days(active, centre, clerk, run):
    head = make_head(centre, language="en")
    run("stocktake", DUE + timedelta(days=2))
    assert inbox(head) == []
    run("stocktake", DUE + timedelta(days=3))
    [notification] = inbox(head)
    assert notification.kind == ReminderKind.STOCKTAKE_ESCALATION
    assert "3 days overdue" in notification.title
    assert "clerk" in notification.body  # names the counter who has not finished


def test_escalation_repeats_weekly_not_daily(active, centre, run):
    head = make_head(centre)
    for offset in range(3, 10):
        run("stocktake", DUE + timedelta(days=offset))
    # due + 3 .. due + 9 spans two ISO weeks (2026-02-03 is a Tuesday).
    assert len(inbox(head)) == 2


def test_head_of_a_parent_department_stands_in(active, bureau, run):
    head = make_head(bureau, username="bureauhead")
    run("stocktake", DUE - timedelta(days=1))
    assert [n.kind for n in inbox(head)] == [ReminderKind.STOCKTAKE_PROGRESS]


# Exactly once


def test_running_a_job_twice_sends_nothing_new(active, clerk, centre, run):
    make_head(centre)
    first = run("stocktake", DUE - timedelta(days=2))
    mails = len(mail.outbox)
    second = run("stocktake", DUE - timedelta(days=2))
    assert [o.sent for o in first] == [True, True]
    assert [o.status for o in second] == ["already sent", "already sent"]
    assert Notification.objects.count() == 2
    assert len(mail.outbox) == mails == 2


def test_every_job_twice_sends_nothing_new(reminder_world, run):
    today = reminder_world["today"]
    for job in reminders.JOBS:
        run(job, today)
    counts = (Notification.objects.count(), ReminderLog.objects.count(), len(mail.outbox))
    assert counts[0] >= 6
    for job in reminders.JOBS:
        assert not any(o.sent for o in run(job, today))
    assert (Notification.objects.count(), ReminderLog.objects.count(), len(mail.outbox)) == counts


def test_a_second_ledger_insert_of_the_same_key_sends_nothing(
    active, clerk, django_capture_on_commit_callbacks
):
    [outcome] = reminders.run_job(job="stocktake", today=DUE, rules=RULES, dry_run=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_reminder(reminder=outcome.reminder) is not None
        assert reminders.send_reminder(reminder=outcome.reminder) is None
    assert len(inbox(clerk)) == 1
    assert len(mail.outbox) == 1


def test_user_without_email_still_gets_the_inbox_message(active, clerk, run):
    clerk.email = ""
    clerk.save()
    run("stocktake", DUE)
    assert len(inbox(clerk)) == 1
    assert mail.outbox == []
    assert ReminderLog.objects.get().mail_state == ReminderLog.MailState.NONE
    assert TaskOutbox.objects.count() == 0


def test_inactive_users_are_not_reminded(active, clerk, run):
    clerk.is_active = False
    clerk.save()
    assert run("stocktake", DUE) == []


# Mail: link, language, retries


def test_mail_lists_what_to_do_and_links_to_the_page(active, pc, clerk, settings, run):
    run("stocktake", DUE)
    [message] = mail.outbox
    assert message.to == ["clerk@example.org"]
    assert pc.tag in message.body
    assert f"{settings.SITE_URL}/stocktakes/{active.pk}/" in message.body
    html = message.alternatives[0][0]
    assert f'href="{settings.SITE_URL}/stocktakes/{active.pk}/"' in html


def test_mail_is_in_the_recipients_language(active, clerk, centre, run):
    english = UserFactory(username="english", department=centre, roles=["clerk"], language="en")
    run("stocktake", DUE)
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert by_recipient[english.email].subject.startswith("[Yika] Stocktake")
    assert "盘点" in by_recipient[clerk.email].subject
    assert "Scan the labels" in by_recipient[english.email].body
    assert "扫描" in by_recipient[clerk.email].body


class FlakyBackend:
    """An SMTP server that refuses the first `failures` messages, then accepts (locmem)."""

    failures = 1
    calls = 0

    def __init__(self, *args, **kwargs):
        from django.core.mail.backends.locmem import EmailBackend

        self.backend = EmailBackend(*args, **kwargs)

    def send_messages(self, messages):
        type(self).calls += 1
        if type(self).calls <= type(self).failures:
            raise SMTPException("421 try again later")
        return self.backend.send_messages(messages)


@pytest.fixture
def flaky_smtp(settings):
    settings.EMAIL_BACKEND = f"{__name__}.FlakyBackend"
    FlakyBackend.calls = 0
    FlakyBackend.failures = 1
    return FlakyBackend


def test_a_retried_mail_failure_sends_once(active, clerk, flaky_smtp, run):
    run("stocktake", DUE)
    assert len(mail.outbox) == 1
    log = ReminderLog.objects.get()
    assert (log.mail_state, log.mail_attempts) == (ReminderLog.MailState.SENT, 2)


def test_a_redelivered_mail_task_sends_nothing(active, clerk, run):
    from inventory.reminders.tasks import send_reminder_mail

    run("stocktake", DUE)
    log = ReminderLog.objects.get()
    assert send_reminder_mail.apply(kwargs={"log_id": log.pk}).get() is False
    assert len(mail.outbox) == 1


def test_retries_stop_at_max_retries_and_the_ledger_says_failed(active, clerk, flaky_smtp, run):
    from inventory.reminders.tasks import MAIL_MAX_RETRIES

    flaky_smtp.failures = 100
    run("stocktake", DUE)
    log = ReminderLog.objects.get()
    assert log.mail_state == ReminderLog.MailState.FAILED
    assert log.mail_attempts == MAIL_MAX_RETRIES + 1
    assert mail.outbox == []
    assert len(inbox(clerk)) == 1  # the inbox has it all the same


def test_user_text_is_escaped_in_the_html_mail(centre, clerk, run):
    make_asset(owner=centre, actor=clerk, name='<script>alert(1)</script>"><img src=x>')
    run("labels", date(2026, 3, 2))
    html = mail.outbox[0].alternatives[0][0]
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<script>alert(1)</script>" in mail.outbox[0].body  # plain text stays literal


# Job 2: handovers


@pytest.fixture
def submitted(project, centre, clerk):
    asset = make_asset(owner=centre, actor=clerk, project=project, name="政务云服务器")
    handover = handover_services.create_handover(
        actor=clerk, project=project, to_department=project.owner_department, assets=[asset]
    )
    return handover_services.submit_handover(handover=handover, actor=clerk)


def _submitted_on(handover, day: date):
    from assets.models import Handover

    at = timezone.make_aware(datetime(day.year, day.month, day.day, 10))
    Handover.objects.filter(pk=handover.pk).update(submitted_at=at)


def test_receivers_are_reminded_of_a_handover_undecided_for_n_days(submitted, receiver, run):
    _submitted_on(submitted, date(2026, 3, 1))
    run("handovers", date(2026, 3, 7))
    assert inbox(receiver) == []
    run("handovers", date(2026, 3, 8))
    [notification] = inbox(receiver)
    assert notification.kind == ReminderKind.HANDOVER_UNDECIDED
    assert submitted.number in notification.title
    assert notification.link == f"/handovers/{submitted.number}/review/"


def test_receiving_head_joins_after_twice_the_wait(submitted, receiver, other_bureau, run):
    head = make_head(other_bureau, username="healthhead")
    _submitted_on(submitted, date(2026, 3, 1))
    run("handovers", date(2026, 3, 9))
    assert inbox(head) == []
    run("handovers", date(2026, 3, 16))
    assert len(inbox(head)) == 1
    assert len(inbox(receiver)) == 2  # weekly


def test_builders_clerks_hear_of_an_overdue_handover(project, centre, clerk, run):
    asset = make_asset(owner=centre, actor=clerk, project=project, name="政务云服务器")
    run("handovers", date(2024, 6, 15))
    assert inbox(clerk) == []
    run("handovers", date(2024, 6, 16))
    [notification] = inbox(clerk)
    assert notification.kind == ReminderKind.HANDOVER_OVERDUE
    assert asset.tag in notification.body


def test_final_accounts_warning_a_year_after_acceptance(project, centre, clerk, run):
    head = make_head(centre)
    kinds = {n.kind for n in Notification.objects.all()}
    run("handovers", date(2025, 3, 15))
    assert ReminderKind.FINAL_ACCOUNTS_OVERDUE not in kinds
    run("handovers", date(2025, 3, 16))
    assert ReminderKind.FINAL_ACCOUNTS_OVERDUE in {n.kind for n in inbox(clerk)}
    assert [n.kind for n in inbox(head)] == [ReminderKind.FINAL_ACCOUNTS_OVERDUE]


# Job 3: annual stocktake not started


def test_department_without_a_started_campaign_is_reminded_from_the_date(centre, clerk, run):
    head = make_head(centre)
    make_asset(owner=centre, actor=clerk)
    assert run("stocktake_start", date(2026, 10, 31)) == []
    run("stocktake_start", date(2026, 11, 2))
    assert [n.kind for n in inbox(clerk)] == [ReminderKind.STOCKTAKE_NOT_STARTED]
    assert len(inbox(head)) == 1


def test_a_started_campaign_of_the_year_silences_it(active, clerk, run):
    # `active` is the 2025 campaign over the centre.
    assert run("stocktake_start", date(2025, 11, 3)) == []
    assert len(run("stocktake_start", date(2026, 11, 2))) == 1


# Job 4: 一物一卡 compliance


def test_clerks_get_their_unlabelled_and_strategy_less_embedded_assets(centre, clerk, run):
    host = make_asset(owner=centre, actor=clerk, name="服务器")
    nic = make_asset(owner=centre, actor=clerk, name="网卡", parent=host, embedded=True)
    make_asset(owner=centre, actor=clerk, name="虚拟机", label_mode=Asset.LabelMode.VIRTUAL)
    run("labels", date(2026, 3, 2))
    [notification] = inbox(clerk)
    assert notification.kind == ReminderKind.LABEL_COMPLIANCE
    assert host.tag in notification.body and nic.tag in notification.body
    assert "虚拟机" not in notification.body


def test_labelled_assets_are_compliant(centre, clerk, run):
    from labels.models import Label

    asset = make_asset(owner=centre, actor=clerk)
    Label.objects.create(asset=asset, serial=1)
    assert run("labels", date(2026, 3, 2)) == []


# The operator's command


def test_remind_dry_run_prints_and_sends_nothing(active, clerk, capsys):
    call_command("remind", "--job", "stocktake", "--dry-run")
    out = capsys.readouterr().out
    assert "would send" in out and "clerk <clerk@example.org>" in out
    assert Notification.objects.count() == 0 and ReminderLog.objects.count() == 0


def test_remind_obeys_the_same_ledger(active, clerk, capsys, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("remind", "--job", "stocktake")
        call_command("remind", "--job", "stocktake")
    out = capsys.readouterr().out
    assert "1 reminders sent." in out and "0 reminders sent." in out
    assert len(inbox(clerk)) == 1


@pytest.fixture
def reminder_world(active, pc, centre, clerk, project, receiver, other_bureau):
    """Reminders due from several jobs on one day (2026-02-09)."""
    today = date(2026, 2, 9)
    make_head(centre)
    make_head(other_bureau, username="healthhead")
    make_asset(owner=centre, actor=clerk, project=project, name="未移交服务器")
    asset = make_asset(owner=centre, actor=clerk, project=project, name="待移交服务器")
    handover = handover_services.create_handover(
        actor=clerk, project=project, to_department=other_bureau, assets=[asset]
    )
    handover_services.submit_handover(handover=handover, actor=clerk)
    _submitted_on(handover, date(2026, 1, 20))
    DepartmentFactory(code="IT", name="信息科", parent=other_bureau)
    make_asset(owner=other_bureau, name="卫健委电脑")
    return {"today": today}
