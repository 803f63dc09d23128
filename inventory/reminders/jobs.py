"""Reminder services (催办): who must act, on what, and sending it exactly once.

Each job (`JOBS`) is a function that lists the reminders due on `today`; `run_job` sends each of
them through `send_reminder`, which in ONE transaction inserts the ledger row
(`ReminderLog`, unique on kind, recipient, subject and period), writes the inbox notification and
queues the e-mail through the outbox. A second insert of the same key (a job run twice, retried,
or started by two beats by mistake) hits the unique constraint and sends nothing: the inbox
message is exactly once.

E-mail delivery is AT-LEAST-ONCE, narrowed to one crash window: `deliver_reminder_mail` locks the
ledger row, sends only while its state is `pending`, and flips it to `sent` in the same
transaction. A refused send (SMTP error) rolls nothing forward and is retried with backoff until
`max_retries`; a retry or redelivery after success finds `sent` and sends nothing. Only a worker
killed after the SMTP server accepted the message but before the commit can send it twice. We
accept that rather than at-most-once (mark, then send), because a lost reminder is the failure
this feature exists to prevent, and the inbox copy is exactly once either way.

Jobs take `today` (and rules) as inputs, so the schedule rules are tested with a frozen clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assets import permissions
from assets.custody import selectors as custody
from assets.maintenance import selectors as upkeep
from assets.models import Department, Handover, User
from inventory.models import Notification, ReminderKind, ReminderLog
from inventory.reminders import channels, selectors
from inventory.reminders.outbox import enqueue_task

MAX_ITEMS = 50
# The task that e-mails one reminder (`tasks.send_reminder_mail`), queued by name: the tasks
# module runs these services, so they never import it.
SEND_MAIL = "inventory.send_reminder_mail"


@dataclass(frozen=True)
class ReminderRules:
    """The knobs of the schedule rules (settings `YIKA_REMIND_*`), passed in so tests set them."""

    days_before_due: int = 7
    escalate_after_days: int = 3
    handover_after_days: int = 7
    stocktake_start_by: tuple[int, int] = (11, 1)  # month, day
    # Custody and upkeep (issue 18)
    receipt_after_days: int = 3
    contract_days_before_end: int = 30

    @classmethod
    def from_settings(cls) -> ReminderRules:
        month, day = (int(part) for part in settings.YIKA_STOCKTAKE_START_BY.split("-"))
        return cls(
            days_before_due=settings.YIKA_REMIND_DAYS_BEFORE_DUE,
            escalate_after_days=settings.YIKA_REMIND_ESCALATE_AFTER_DAYS,
            handover_after_days=settings.YIKA_REMIND_HANDOVER_AFTER_DAYS,
            stocktake_start_by=(month, day),
            receipt_after_days=settings.YIKA_REMIND_RECEIPT_AFTER_DAYS,
            contract_days_before_end=settings.YIKA_REMIND_CONTRACT_DAYS_BEFORE_END,
        )


@dataclass(frozen=True)
class Reminder:
    """One message due to one person. `facts` feed the message text; `items` are its lines."""

    kind: str
    recipient: User
    subject: str
    period: str
    link: str
    facts: dict = field(default_factory=dict)
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outcome:
    reminder: Reminder
    title: str
    sent: bool
    status: str  # "sent", "already sent" or "would send" (dry run)


def week(today: date) -> str:
    year, number, _weekday = today.isocalendar()
    return f"{year}-W{number:02d}"


def _url(name: str, *args, fallback: str) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return fallback


def _capped(lines: list[str]) -> tuple[str, ...]:
    if len(lines) <= MAX_ITEMS:
        return tuple(lines)
    rest = len(lines) - MAX_ITEMS
    return (
        *lines[:MAX_ITEMS],
        ngettext("… and %(count)s more", "… and %(count)s more", rest) % {"count": rest},
    )


def _place(location) -> str:
    return f"{location.name} ({location.code})" if location else _("No location recorded")


# Job 1: stocktakes


def _campaign_link(campaign) -> str:
    return _url(
        "inventory:campaign-detail",
        campaign.pk,
        fallback=f"/api/v1/stocktakes/{campaign.pk}/lines/?result=pending",
    )


def _lines_by_location(lines) -> list[str]:
    out: list[str] = []
    current = object()
    for line in lines:
        if line.location_id != current:
            current = line.location_id
            out.append(f"[{_place(line.location)}]")
        out.append(f"  {line.tag} {line.name}")
    return out


def stocktake_reminders(*, today: date, rules: ReminderRules) -> Iterator[Reminder]:
    """For each active campaign: counters get their pending lines (grouped by location) once
    when the due date is `days_before_due` days away or less, then daily once overdue; department
    heads get their department's progress in the same window, and an escalation (who still has
    lines pending) weekly from `escalate_after_days` days after the due date."""
    for campaign in selectors.active_campaigns():
        due_soon = campaign.due_on - timedelta(days=rules.days_before_due) <= today
        overdue = today > campaign.due_on
        if not due_soon:
            continue
        subject = f"campaign:{campaign.pk}"
        link = _campaign_link(campaign)
        facts = {"campaign": str(campaign), "due_on": campaign.due_on.isoformat()}
        pending_by_counter: list[tuple[User, int]] = []
        for counter in selectors.campaign_counters(campaign):
            lines = list(selectors.pending_lines(campaign, counter))
            if not lines:
                continue
            pending_by_counter.append((counter, len(lines)))
            yield Reminder(
                kind=ReminderKind.STOCKTAKE_OVERDUE if overdue else ReminderKind.STOCKTAKE_DUE,
                recipient=counter,
                subject=subject,
                period=today.isoformat() if overdue else "due-soon",
                link=link,
                facts={**facts, "count": len(lines)},
                items=_capped(_lines_by_location(lines)),
            )
        progress = [row for row in selectors.department_progress(campaign) if row["pending"]]
        by_head: dict[int, tuple[User, list[dict]]] = {}
        for row in progress:
            head = selectors.head_of(row["department"])
            if head is not None:
                by_head.setdefault(head.pk, (head, []))[1].append(row)
        if not overdue:
            for head, rows in by_head.values():
                yield Reminder(
                    kind=ReminderKind.STOCKTAKE_PROGRESS,
                    recipient=head,
                    subject=subject,
                    period="due-soon",
                    link=link,
                    facts={**facts, "pending": sum(row["pending"] for row in rows)},
                    items=_capped([_progress_line(row) for row in rows]),
                )
        elif today >= campaign.due_on + timedelta(days=rules.escalate_after_days):
            counters = [f"{user} ({user.username}): {count}" for user, count in pending_by_counter]
            for head, rows in by_head.values():
                yield Reminder(
                    kind=ReminderKind.STOCKTAKE_ESCALATION,
                    recipient=head,
                    subject=subject,
                    period=week(today),
                    link=link,
                    facts={
                        **facts,
                        "pending": sum(row["pending"] for row in rows),
                        "days": (today - campaign.due_on).days,
                    },
                    items=_capped([_progress_line(row) for row in rows] + counters),
                )


def _progress_line(row: dict) -> str:
    department = row["department"]
    return _("%(name)s (%(code)s): %(done)s of %(total)s counted, %(pending)s pending") % {
        "name": department.name,
        "code": department.code,
        "done": row["done"],
        "total": row["total"],
        "pending": row["pending"],
    }


# Job 2: handovers and delegated-build projects


def handover_reminders(*, today: date, rules: ReminderRules) -> Iterator[Reminder]:
    """Receivers of handovers submitted `handover_after_days` ago and still undecided (weekly;
    their department head too after twice as long); builders' clerks of projects past
    `handover_due_on` with cards still theirs (weekly); a year after completion acceptance
    without approved final accounts (决算), the builders' clerks and head (monthly)."""
    days = rules.handover_after_days
    for handover in selectors.undecided_handovers(submitted_before=selectors.days_ago(today, days)):
        waited = (today - timezone.localdate(handover.submitted_at)).days
        recipients = selectors.role_holders(handover.to_department, permissions.RECEIVER)
        head = selectors.head_of(handover.to_department)
        if waited >= 2 * days and head is not None and head not in recipients:
            recipients.append(head)
        for recipient in recipients:
            yield Reminder(
                kind=ReminderKind.HANDOVER_UNDECIDED,
                recipient=recipient,
                subject=f"handover:{handover.number}",
                period=week(today),
                link=_url(
                    "assets:handover-review",
                    handover.number,
                    fallback=f"/api/v1/handovers/{handover.pk}/",
                ),
                facts={
                    "number": handover.number,
                    "project": str(handover.project),
                    "builder": handover.from_department.name,
                    "days": waited,
                    "pending": handover.pending_count,
                },
            )
    for project in selectors.overdue_handover_projects(today=today):
        assets = list(selectors.builder_assets(project))
        for recipient in selectors.role_holders(project.builder_department, permissions.CLERK):
            yield Reminder(
                kind=ReminderKind.HANDOVER_OVERDUE,
                recipient=recipient,
                subject=f"project:{project.code}",
                period=week(today),
                link=_url("assets:handover-create", fallback="/api/v1/handovers/"),
                facts={
                    "project": str(project),
                    "owner": project.owner_department.name,
                    "due_on": project.handover_due_on.isoformat(),
                    "count": len(assets),
                },
                items=_capped([f"{asset.tag} {asset.name}" for asset in assets]),
            )
    for project in selectors.final_accounts_overdue_projects(today=today):
        recipients = selectors.role_holders(project.builder_department, permissions.CLERK)
        head = selectors.head_of(project.builder_department)
        if head is not None and head not in recipients:
            recipients.append(head)
        for recipient in recipients:
            yield Reminder(
                kind=ReminderKind.FINAL_ACCOUNTS_OVERDUE,
                recipient=recipient,
                subject=f"project:{project.code}",
                period=today.strftime("%Y-%m"),
                link=_url("assets:project-overdue", fallback=f"/api/v1/projects/{project.code}/"),
                facts={
                    "project": str(project),
                    "accepted_on": project.accepted_on.isoformat(),
                    "state": project.get_final_accounts_state_display(),
                },
            )


# Job 3: annual stocktake not started


def stocktake_start_reminders(*, today: date, rules: ReminderRules) -> Iterator[Reminder]:
    """From the configured date (`stocktake_start_by`, month and day) on, weekly: the head and
    clerks of each department owning live cards that no started campaign of this year covers."""
    month, day = rules.stocktake_start_by
    start_by = date(today.year, month, day)
    if today < start_by:
        return
    link = _url("inventory:campaign-list", fallback="/api/v1/stocktakes/")
    for department in selectors.departments_without_campaign(year=today.year):
        recipients = selectors.role_holders(department, permissions.CLERK)
        head = selectors.head_of(department)
        if head is not None and head not in recipients:
            recipients.append(head)
        for recipient in recipients:
            yield Reminder(
                kind=ReminderKind.STOCKTAKE_NOT_STARTED,
                recipient=recipient,
                subject=f"department:{department.code}:{today.year}",
                period=week(today),
                link=link,
                facts={
                    "department": department.name,
                    "year": today.year,
                    "start_by": start_by.isoformat(),
                },
            )


# Job 4: 一物一卡 compliance


def label_reminders(*, today: date, rules: ReminderRules) -> Iterator[Reminder]:
    """Weekly, to each department's clerks: its live cards without an active label, and its
    embedded devices without a label strategy."""
    unlabelled = selectors.by_department(selectors.unlabelled_assets())
    embedded = selectors.by_department(selectors.embedded_without_strategy())
    departments = Department.objects.in_bulk(set(unlabelled) | set(embedded))
    link = _url("labels:queue", fallback=_url("assets:asset-list", fallback="/"))
    for department_id in sorted(departments, key=lambda pk: departments[pk].code):
        department = departments[department_id]
        missing = unlabelled.get(department_id, [])
        strategy = embedded.get(department_id, [])
        items = [f"{asset.tag} {asset.name}" for asset in missing]
        if strategy:
            items.append(_("Embedded devices without a label strategy:"))
            items += [f"{asset.tag} {asset.name}" for asset in strategy]
        for recipient in selectors.role_holders(department, permissions.CLERK):
            yield Reminder(
                kind=ReminderKind.LABEL_COMPLIANCE,
                recipient=recipient,
                subject=f"department:{department.code}",
                period=week(today),
                link=link,
                facts={
                    "department": department.name,
                    "unlabelled": len(missing),
                    "embedded": len(strategy),
                },
                items=_capped(items),
            )


# Job 5: custody and upkeep (issue 18)


def _card_line(asset, due_on=None) -> str:
    if due_on is None:
        return f"{asset.tag} {asset.name}"
    return _("%(tag)s %(name)s, due back %(due_on)s") % {
        "tag": asset.tag,
        "name": asset.name,
        "due_on": due_on.isoformat(),
    }


def custody_reminders(*, today: date, rules: ReminderRules) -> Iterator[Reminder]:
    """Weekly: a holder gets the cards checked out to them past their due date; from
    `escalate_after_days` days after the due date the clerks of the card's department get them
    too (a loan outside the unit goes to the clerks at once). Holders are also reminded of
    check-outs whose receipt they have not confirmed after `receipt_after_days` days."""
    period = week(today)
    overdue = (
        custody.open_records()
        .filter(due_on__lt=today)
        .select_related("asset", "asset__owner_department", "holder")
        .order_by("due_on", "asset__tag")
    )
    by_holder: dict[int, list] = {}
    by_department: dict[int, list] = {}
    for record in overdue:
        if record.holder_id and record.holder.is_active:
            by_holder.setdefault(record.holder_id, []).append(record)
        if not record.holder_id or today >= record.due_on + timedelta(
            days=rules.escalate_after_days
        ):
            by_department.setdefault(record.asset.owner_department_id, []).append(record)
    holder_link = _url("assets:my-assets", fallback="/api/v1/me/assets/")
    for records in by_holder.values():
        holder = records[0].holder
        yield Reminder(
            kind=ReminderKind.CUSTODY_OVERDUE,
            recipient=holder,
            subject=f"holder:{holder.username}",
            period=period,
            link=holder_link,
            facts={"count": len(records)},
            items=_capped([_card_line(r.asset, r.due_on) for r in records]),
        )
    for records in by_department.values():
        department = records[0].asset.owner_department
        lines = [
            _card_line(r.asset, r.due_on) + f" · {r.holder or r.counterparty}" for r in records
        ]
        for clerk in selectors.role_holders(department, permissions.CLERK):
            yield Reminder(
                kind=ReminderKind.CUSTODY_OVERDUE,
                recipient=clerk,
                subject=f"department:{department.code}",
                period=period,
                link=_url("assets:asset-list", fallback="/"),
                facts={"count": len(records)},
                items=_capped(lines),
            )
    cutoff = timezone.make_aware(
        datetime.combine(today - timedelta(days=rules.receipt_after_days), time.max)
    )
    unconfirmed = (
        custody.open_records()
        .filter(kind="checkout", confirmed_at__isnull=True, opened_at__lte=cutoff)
        .select_related("asset", "holder")
        .order_by("asset__tag")
    )
    pending: dict[int, list] = {}
    for record in unconfirmed:
        if record.holder.is_active:
            pending.setdefault(record.holder_id, []).append(record)
    for records in pending.values():
        holder = records[0].holder
        yield Reminder(
            kind=ReminderKind.RECEIPT_UNCONFIRMED,
            recipient=holder,
            subject=f"holder:{holder.username}",
            period=period,
            link=holder_link,
            facts={"count": len(records)},
            items=_capped([_card_line(r.asset) for r in records]),
        )


def contract_reminders(*, today: date, rules: ReminderRules) -> Iterator[Reminder]:
    """Once per contract and end date: the clerks of the contracting department, when a
    maintenance contract ends within `contract_days_before_end` days."""
    link = _url("assets:upkeep-lists", fallback="/api/v1/contracts/")
    for contract in upkeep.contracts_ending(within_days=rules.contract_days_before_end, on=today):
        covered = list(contract.assets.order_by("tag")[: MAX_ITEMS + 1])
        for clerk in selectors.role_holders(contract.department, permissions.CLERK):
            yield Reminder(
                kind=ReminderKind.CONTRACT_ENDING,
                recipient=clerk,
                subject=f"contract:{contract.number}",
                period=f"ends:{contract.ends_on.isoformat()}",
                link=link,
                facts={
                    "number": contract.number,
                    "vendor": contract.vendor,
                    "ends_on": contract.ends_on.isoformat(),
                },
                items=_capped([_card_line(asset) for asset in covered]),
            )


JOBS: dict[str, Callable[..., Iterator[Reminder]]] = {
    "stocktake": stocktake_reminders,
    "handovers": handover_reminders,
    "stocktake_start": stocktake_start_reminders,
    "labels": label_reminders,
    # Custody and upkeep (issue 18)
    "custody": custody_reminders,
    "contracts": contract_reminders,
}


# Messages, in the recipient's language


def _message(reminder: Reminder) -> tuple[str, str]:
    """(title, what to do) for a reminder, in the active language."""
    f = reminder.facts
    kind = reminder.kind
    if kind == ReminderKind.STOCKTAKE_DUE:
        return (
            _("Stocktake %(campaign)s: %(count)s items to count by %(due_on)s") % f,
            _(
                "Scan the labels of the items below, room by room, before %(due_on)s. "
                "Items you cannot find: record them on the campaign page."
            )
            % f,
        )
    if kind == ReminderKind.STOCKTAKE_OVERDUE:
        return (
            _("Overdue: stocktake %(campaign)s, %(count)s items still to count") % f,
            _(
                "The stocktake was due on %(due_on)s. Scan the labels of the items below today, "
                "or record them as missing on the campaign page."
            )
            % f,
        )
    if kind == ReminderKind.STOCKTAKE_PROGRESS:
        return (
            _("Stocktake %(campaign)s: %(pending)s items pending in your department") % f,
            _(
                "The stocktake is due on %(due_on)s. Check your department's progress below and "
                "ask the counters to finish."
            )
            % f,
        )
    if kind == ReminderKind.STOCKTAKE_ESCALATION:
        return (
            _("Escalation: stocktake %(campaign)s is %(days)s days overdue") % f,
            _(
                "%(pending)s items of your department are still not counted. The counters below "
                "have items pending: make sure they finish, or reassign their share."
            )
            % f,
        )
    if kind == ReminderKind.STOCKTAKE_NOT_STARTED:
        return (
            _("The %(year)s stocktake of %(department)s has not started") % f,
            _(
                "No stocktake campaign of %(year)s covers %(department)s, and it was due to start "
                "by %(start_by)s. Create and activate a campaign for it."
            )
            % f,
        )
    if kind == ReminderKind.HANDOVER_UNDECIDED:
        return (
            _("Handover %(number)s awaits your decision (%(days)s days)") % f,
            _(
                "%(builder)s handed over the assets of %(project)s. Review the %(pending)s "
                "items, accept or reject each, and sign the decision."
            )
            % f,
        )
    if kind == ReminderKind.HANDOVER_OVERDUE:
        return (
            _("Handover of %(project)s overdue since %(due_on)s") % f,
            _(
                "%(count)s cards of this project are still held by your department. Hand them "
                "over to %(owner)s: create and submit a handover."
            )
            % f,
        )
    if kind == ReminderKind.FINAL_ACCOUNTS_OVERDUE:
        return (
            _("Final accounts of %(project)s overdue") % f,
            _(
                "The project was accepted on %(accepted_on)s, more than a year ago, and its final "
                "accounts are: %(state)s. Have them approved, then revalue its cards."
            )
            % f,
        )
    if kind == ReminderKind.LABEL_COMPLIANCE:
        return (
            _("%(department)s: %(unlabelled)s cards without a label") % f,
            _(
                "One item, one card: print and attach a label for each card below; for embedded "
                "devices (%(embedded)s), choose a label strategy on the card."
            )
            % f,
        )
    if kind == ReminderKind.HANDOVER_SUBMITTED:
        return (
            _("Handover %(number)s submitted to you for acceptance") % f,
            _(
                "%(builder)s handed over %(count)s items of %(project)s. Review them, accept or "
                "reject each, and sign the decision."
            )
            % f,
        )
    if kind == ReminderKind.HANDOVER_DECIDED:
        # The result as a word in the recipient's language (render's active language).
        f = {**f, "state": str(Handover.State(f["state_code"]).label)}
        if not f["accepted"]:
            # Nothing changed owner: no acceptance certificate to point at.
            todo = _(
                "%(receiver)s decided the handover of %(project)s: nothing accepted, "
                "%(rejected)s rejected. The reasons are on the handover's page."
            )
        else:
            todo = _(
                "%(receiver)s decided the handover of %(project)s: %(accepted)s accepted, "
                "%(rejected)s rejected. The certificate is on the handover's page."
            )
        return (_("Handover %(number)s decided: %(state)s") % f, todo % f)
    # Custody and upkeep (issue 18)
    if kind == ReminderKind.CUSTODY_OVERDUE:
        return (
            _("%(count)s asset(s) past their due date") % f,
            _(
                "The assets below were due back and are not checked in. Return them to the "
                "asset office, or ask it for a new due date."
            ),
        )
    if kind == ReminderKind.RECEIPT_UNCONFIRMED:
        return (
            _("Confirm receipt of %(count)s asset(s)") % f,
            _(
                "The assets below were checked out to you. Open “My assets” and confirm that "
                "you received them, or tell the asset office if you did not."
            ),
        )
    if kind == ReminderKind.CONTRACT_ENDING:
        return (
            _("Maintenance contract %(number)s ends on %(ends_on)s") % f,
            _(
                "The contract with %(vendor)s covers the assets below. Renew it or record a new "
                "contract before it ends, or they are left without maintenance."
            )
            % f,
        )
    raise ValueError(kind)


def render(reminder: Reminder) -> tuple[str, str]:
    """Title and body of a reminder in its recipient's language."""
    with translation.override(reminder.recipient.language or settings.LANGUAGE_CODE):
        title, todo = _message(reminder)
        body = "\n".join([todo, *(["", *reminder.items] if reminder.items else [])])
    return title[:200], body


def shown_text(notification: Notification) -> tuple[str, str]:
    """Title and body of an inbox notification in the active (reader's) language, from its
    stored facts; as written for one stored before facts were kept."""
    if not notification.facts:
        return notification.title, notification.body
    reminder = Reminder(
        kind=notification.kind,
        recipient=notification.recipient,
        subject="",
        period="",
        link=notification.link,
        facts=notification.facts,
        items=tuple(notification.items or ()),
    )
    try:
        title, todo = _message(reminder)
    except (KeyError, TypeError, ValueError):
        return notification.title, notification.body
    body = "\n".join([todo, *(["", *reminder.items] if reminder.items else [])])
    return title[:200], body


def send_reminder(*, reminder: Reminder) -> ReminderLog | None:
    """Claim the ledger key, write the inbox notification and queue the e-mail, in one
    transaction; None when this reminder was already sent for the period."""
    recipient = reminder.recipient
    title, body = render(reminder)
    with transaction.atomic():
        try:
            with transaction.atomic():
                log = ReminderLog.objects.create(
                    kind=reminder.kind,
                    recipient=recipient,
                    subject=reminder.subject,
                    period=reminder.period,
                    mail_to=recipient.email,
                    mail_state=(
                        ReminderLog.MailState.PENDING
                        if recipient.email
                        else ReminderLog.MailState.NONE
                    ),
                )
        except IntegrityError:
            return None
        Notification.objects.create(
            recipient=recipient,
            kind=reminder.kind,
            title=title,
            body=body,
            link=reminder.link,
            facts=reminder.facts,
            items=list(reminder.items),
            reminder=log,
        )
        if recipient.email:
            enqueue_task(task=SEND_MAIL, kwargs={"log_id": log.pk})
        # Reminder channels: the recipient's and their department's robots and webhooks.
        channels.queue_deliveries(log=log)
    return log


def _already_sent(reminder: Reminder) -> bool:
    return ReminderLog.objects.filter(
        kind=reminder.kind,
        recipient=reminder.recipient,
        subject=reminder.subject,
        period=reminder.period,
    ).exists()


def run_job(
    *,
    job: str,
    today: date | None = None,
    rules: ReminderRules | None = None,
    dry_run: bool = False,
) -> list[Outcome]:
    """Run one job for `today`: send every reminder not yet sent for its period. With
    `dry_run`, write nothing and report what would be sent."""
    if job not in JOBS:
        raise ValueError(job)
    today = today or timezone.localdate()
    rules = rules or ReminderRules.from_settings()
    outcomes = []
    for reminder in JOBS[job](today=today, rules=rules):
        title, _body = render(reminder)
        if dry_run:
            sent = False
            status = "already sent" if _already_sent(reminder) else "would send"
        else:
            sent = send_reminder(reminder=reminder) is not None
            status = "sent" if sent else "already sent"
        outcomes.append(Outcome(reminder=reminder, title=title, sent=sent, status=status))
    return outcomes


# E-mail


def _absolute(link: str) -> str:
    return link if link.startswith(("http://", "https://")) else f"{settings.SITE_URL}{link}"


def build_mail(*, log: ReminderLog) -> EmailMultiAlternatives:
    """The e-mail of a reminder: the inbox text plus the link, in the recipient's language."""
    notification = log.notification
    recipient = log.recipient
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        context = {
            "recipient": recipient,
            "title": notification.title,
            "lines": notification.body.split("\n"),
            "link": _absolute(notification.link) if notification.link else "",
            "SITE_URL": settings.SITE_URL,
        }
        subject = _("[Yika] %(title)s") % {"title": notification.title}
        # Plain text is assembled here, not by a template: autoescaping would turn "R&D" into
        # "R&amp;D" in a text mail. The HTML part is a template, autoescaped.
        text = "\n".join(
            [
                _("Hello %(name)s,") % {"name": recipient},
                "",
                notification.title,
                "",
                *context["lines"],
                *(["", _("Open: %(link)s") % {"link": context["link"]}] if context["link"] else []),
                "",
                _("This reminder comes from Yika, the asset register (%(site)s).")
                % {"site": settings.SITE_URL},
            ]
        )
        html = render_to_string("inventory/mail/reminder.html", context)
    message = EmailMultiAlternatives(
        subject=subject.replace("\n", " "),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[log.mail_to],
    )
    message.attach_alternative(html, "text/html")
    return message


def deliver_reminder_mail(*, log_id: int) -> bool:
    """Send a reminder's e-mail unless it was sent already; True when this call sent it.

    The ledger row is locked while sending, so a redelivered task waits and then finds it sent.
    A refused send records the attempt and re-raises for the task's retry.
    """
    error: Exception | None = None
    with transaction.atomic():
        log = (
            ReminderLog.objects.select_for_update(of=("self",))
            .select_related("recipient", "notification")
            .get(pk=log_id)
        )
        if log.mail_state != ReminderLog.MailState.PENDING:
            return False
        log.mail_attempts += 1
        try:
            build_mail(log=log).send()
        except Exception as exc:  # SMTPException, socket errors: any refusal is retried
            log.mail_error = str(exc)[:2000] or exc.__class__.__name__
            log.save(update_fields=["mail_attempts", "mail_error"])
            error = exc
        else:
            log.mail_state = ReminderLog.MailState.SENT
            log.mailed_at = timezone.now()
            log.mail_error = ""
            log.save(update_fields=["mail_attempts", "mail_state", "mailed_at", "mail_error"])
    if error is not None:
        raise error
    return True


def mark_mail_failed(*, log_id: int, error: str) -> None:
    """After the last retry: the mail stays unsent and the ledger says so (the inbox has it)."""
    with transaction.atomic():
        log = ReminderLog.objects.select_for_update().get(pk=log_id)
        if log.mail_state == ReminderLog.MailState.PENDING:
            log.mail_state = ReminderLog.MailState.FAILED
            log.mail_error = error[:2000]
            log.save(update_fields=["mail_state", "mail_error"])


# A handover's steps (assets.handovers.services calls this inside its transaction; registered in
# InventoryConfig.ready): the receiving department's receivers on submit, the sender on the
# decision. Once each: the ledger key is the handover and its step.


def handover_step_reminders(*, step: str, handover) -> list[Reminder]:
    """Who hears of `handover`'s `step` ("submitted" or "decided"), with a link to where they act."""
    subject = f"handover:{handover.number}"
    if step == "submitted":
        link = _url(
            "assets:handover-review",
            handover.number,
            fallback=f"/api/v1/handovers/{handover.pk}/",
        )
        facts = {
            "number": handover.number,
            "project": str(handover.project) if handover.project_id else handover.number,
            "builder": handover.from_department.name,
            "count": handover.items.count(),
        }
        return [
            Reminder(
                kind=ReminderKind.HANDOVER_SUBMITTED,
                recipient=recipient,
                subject=subject,
                period="submitted",
                link=link,
                facts=facts,
            )
            for recipient in selectors.role_holders(handover.to_department, permissions.RECEIVER)
        ]
    if step == "decided" and handover.submitted_by_id is not None:
        results = list(handover.items.values_list("result", flat=True))
        return [
            Reminder(
                kind=ReminderKind.HANDOVER_DECIDED,
                recipient=handover.submitted_by,
                subject=subject,
                period="decided",
                link=_url(
                    "assets:handover-detail",
                    handover.number,
                    fallback=f"/api/v1/handovers/{handover.pk}/",
                ),
                facts={
                    "number": handover.number,
                    "project": str(handover.project) if handover.project_id else handover.number,
                    "receiver": handover.to_department.name,
                    "state_code": handover.state,
                    "accepted": sum(1 for result in results if result == "accepted"),
                    "rejected": sum(1 for result in results if result == "rejected"),
                },
            )
        ]
    return []


def notify_handover_step(*, step: str, handover) -> None:
    """Send the step's notifications (exactly once: `send_reminder`'s ledger key)."""
    for reminder in handover_step_reminders(step=step, handover=handover):
        send_reminder(reminder=reminder)
