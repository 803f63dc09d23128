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

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from assets import permissions
from assets.custody import selectors as custody
from assets.maintenance import selectors as upkeep
from assets.models import Department, DisposalCase, Handover, User, name_and_code
from config.formatting import money
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
    # Disposal cases (issue 17)
    disposal_approval_after_days: int = 5
    disposal_execution_after_days: int = 5

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
            disposal_approval_after_days=settings.YIKA_REMIND_DISPOSAL_APPROVAL_AFTER_DAYS,
            disposal_execution_after_days=settings.YIKA_REMIND_DISPOSAL_EXECUTION_AFTER_DAYS,
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
    return name_and_code(location.name, location.code) if location else _("No location recorded")


def _each(recipients, **fields) -> Iterator[Reminder]:
    """The same reminder to each of `recipients` (a rule names who; the message is one)."""
    for recipient in recipients:
        yield Reminder(recipient=recipient, **fields)


def _and_head(recipients: list[User], department) -> list[User]:
    """`recipients` and the department's head (or the nearest ancestor's), once."""
    head = selectors.head_of(department)
    if head is not None and head not in recipients:
        recipients.append(head)
    return recipients


def _clerks_and_head(department) -> list[User]:
    return _and_head(selectors.role_holders(department, permissions.CLERK), department)


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
        # Heads: their departments' progress before the due date; after the grace days, weekly,
        # the escalation, which also names the counters still pending.
        if not overdue:
            kind, period, extra, counters = ReminderKind.STOCKTAKE_PROGRESS, "due-soon", {}, []
        elif today >= campaign.due_on + timedelta(days=rules.escalate_after_days):
            kind, period = ReminderKind.STOCKTAKE_ESCALATION, week(today)
            extra = {"days": (today - campaign.due_on).days}
            counters = [f"{user} ({user.username}): {count}" for user, count in pending_by_counter]
        else:
            continue
        for head, rows in by_head.values():
            yield Reminder(
                kind=kind,
                recipient=head,
                subject=subject,
                period=period,
                link=link,
                facts={**facts, "pending": sum(row["pending"] for row in rows), **extra},
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
    # Every submitted handover, a delegated-build project's or a transfer's (无偿划转, issue 17:
    # the disposal job leaves an executed transfer's handover to this one).
    for handover in selectors.undecided_handovers(submitted_before=selectors.days_ago(today, days)):
        waited = (today - timezone.localdate(handover.submitted_at)).days
        recipients = selectors.role_holders(handover.to_department, permissions.RECEIVER)
        if waited >= 2 * days:
            recipients = _and_head(recipients, handover.to_department)
        yield from _each(
            recipients,
            kind=ReminderKind.HANDOVER_UNDECIDED,
            subject=f"handover:{handover.number}",
            period=week(today),
            link=_handover_link(handover, "assets:handover-review"),
            facts={**_handover_facts(handover), "days": waited, "pending": handover.pending_count},
        )
    for project in selectors.overdue_handover_projects(today=today):
        assets = list(selectors.builder_assets(project))
        yield from _each(
            selectors.role_holders(project.builder_department, permissions.CLERK),
            kind=ReminderKind.HANDOVER_OVERDUE,
            subject=f"project:{project.code}",
            period=week(today),
            link=_url("assets:handover-create", fallback="/api/v1/handovers/"),
            facts={
                "project": str(project),
                "owner": project.owner_department.name,
                "due_on": project.handover_due_on.isoformat(),
                "count": len(assets),
            },
            items=_capped([_card_line(asset) for asset in assets]),
        )
    for project in selectors.final_accounts_overdue_projects(today=today):
        yield from _each(
            _clerks_and_head(project.builder_department),
            kind=ReminderKind.FINAL_ACCOUNTS_OVERDUE,
            subject=f"project:{project.code}",
            period=today.strftime("%Y-%m"),
            link=_url("assets:project-overdue", fallback=f"/api/v1/projects/{project.code}/"),
            facts={
                "project": str(project),
                "accepted_on": project.accepted_on.isoformat(),
                "state": project.get_final_accounts_state_display(),
            },
        )


def _handover_link(handover, name: str) -> str:
    return _url(name, handover.number, fallback=f"/api/v1/handovers/{handover.pk}/")


def _handover_facts(handover) -> dict:
    """What a handover's messages say of it: a transfer (no project) is named by its number."""
    return {
        "number": handover.number,
        "project": str(handover.project) if handover.project_id else handover.number,
        "builder": handover.from_department.name,
    }


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
        yield from _each(
            _clerks_and_head(department),
            kind=ReminderKind.STOCKTAKE_NOT_STARTED,
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
        items = [_card_line(asset) for asset in missing]
        if strategy:
            items.append(_("Embedded devices without a label strategy:"))
            items += [_card_line(asset) for asset in strategy]
        yield from _each(
            selectors.role_holders(department, permissions.CLERK),
            kind=ReminderKind.LABEL_COMPLIANCE,
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
    yield from _to_holders(ReminderKind.CUSTODY_OVERDUE, by_holder, period, due=True)
    for records in by_department.values():
        department = records[0].asset.owner_department
        lines = [
            _card_line(r.asset, r.due_on) + f" · {r.holder or r.counterparty}" for r in records
        ]
        yield from _each(
            selectors.role_holders(department, permissions.CLERK),
            kind=ReminderKind.CUSTODY_OVERDUE,
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
    yield from _to_holders(ReminderKind.RECEIPT_UNCONFIRMED, pending, period, due=False)


def _to_holders(kind: str, by_holder: dict[int, list], period: str, *, due: bool):
    """One reminder per holder of custody records, listing their cards (with the due date)."""
    link = _url("assets:my-assets", fallback="/api/v1/me/assets/")
    for records in by_holder.values():
        holder = records[0].holder
        yield Reminder(
            kind=kind,
            recipient=holder,
            subject=f"holder:{holder.username}",
            period=period,
            link=link,
            facts={"count": len(records)},
            items=_capped([_card_line(r.asset, r.due_on if due else None) for r in records]),
        )


def contract_reminders(*, today: date, rules: ReminderRules) -> Iterator[Reminder]:
    """Once per contract and end date: the clerks of the contracting department, when a
    maintenance contract ends within `contract_days_before_end` days."""
    link = _url("assets:upkeep-lists", fallback="/api/v1/contracts/")
    for contract in upkeep.contracts_ending(within_days=rules.contract_days_before_end, on=today):
        covered = list(contract.assets.order_by("tag")[: MAX_ITEMS + 1])
        yield from _each(
            selectors.role_holders(contract.department, permissions.CLERK),
            kind=ReminderKind.CONTRACT_ENDING,
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


# Job 6: disposal cases (issue 17)


def disposal_reminders(*, today: date, rules: ReminderRules) -> Iterator[Reminder]:
    """Weekly: those who may approve a case submitted `disposal_approval_after_days` ago and
    still undecided; the disposing department's clerks of a case approved
    `disposal_execution_after_days` ago and not executed. An executed transfer's handover is
    the handover job's (`handover_undecided`), not reminded here a second time."""
    period = week(today)
    waiting = selectors.disposals_waiting(
        state="submitted", since=selectors.days_ago(today, rules.disposal_approval_after_days)
    )
    for case in waiting:
        approvers = [
            user
            for user in selectors.role_holders(case.department, case.approver_role)
            if permissions.can_approve_disposal(user, case)
        ]
        yield from _each(
            approvers,
            **_disposal_fields(case, ReminderKind.DISPOSAL_AWAITING_APPROVAL, period, today),
        )
    approved = selectors.disposals_waiting(
        state="approved", since=selectors.days_ago(today, rules.disposal_execution_after_days)
    )
    for case in approved:
        yield from _each(
            selectors.role_holders(case.department, permissions.CLERK),
            **_disposal_fields(case, ReminderKind.DISPOSAL_NOT_EXECUTED, period, today),
        )


def _disposal_fields(case, kind: str, period: str, today: date) -> dict:
    since = (
        case.submitted_at if kind == ReminderKind.DISPOSAL_AWAITING_APPROVAL else case.decided_at
    )
    return {
        "kind": kind,
        "subject": f"disposal:{case.number}",
        "period": period,
        "link": _url("assets:disposal-detail", case.number, fallback="/api/v1/disposals/"),
        "facts": {
            "number": case.number,
            "method_code": case.method,
            "body": case.approving_body,
            "count": case.item_count,
            "total": money(case.total_original_value),
            "days": (today - timezone.localdate(since)).days,
        },
    }


JOBS: dict[str, Callable[..., Iterator[Reminder]]] = {
    "stocktake": stocktake_reminders,
    "handovers": handover_reminders,
    "stocktake_start": stocktake_start_reminders,
    "labels": label_reminders,
    # Custody and upkeep (issue 18)
    "custody": custody_reminders,
    "contracts": contract_reminders,
    # Disposal cases (issue 17)
    "disposals": disposal_reminders,
}


# Messages, in the recipient's language: (title, what to do) per kind, filled with the facts.

MESSAGES: dict[str, tuple[Promise, Promise]] = {
    ReminderKind.STOCKTAKE_DUE: (
        _lazy("Stocktake %(campaign)s: %(count)s items to count by %(due_on)s"),
        _lazy(
            "Scan the labels of the items below, room by room, before %(due_on)s. "
            "Items you cannot find: record them on the campaign page."
        ),
    ),
    ReminderKind.STOCKTAKE_OVERDUE: (
        _lazy("Overdue: stocktake %(campaign)s, %(count)s items still to count"),
        _lazy(
            "The stocktake was due on %(due_on)s. Scan the labels of the items below today, "
            "or record them as missing on the campaign page."
        ),
    ),
    ReminderKind.STOCKTAKE_PROGRESS: (
        _lazy("Stocktake %(campaign)s: %(pending)s items pending in your department"),
        _lazy(
            "The stocktake is due on %(due_on)s. Check your department's progress below and "
            "ask the counters to finish."
        ),
    ),
    ReminderKind.STOCKTAKE_ESCALATION: (
        _lazy("Escalation: stocktake %(campaign)s is %(days)s days overdue"),
        _lazy(
            "%(pending)s items of your department are still not counted. The counters below "
            "have items pending: make sure they finish, or reassign their share."
        ),
    ),
    ReminderKind.STOCKTAKE_NOT_STARTED: (
        _lazy("The %(year)s stocktake of %(department)s has not started"),
        _lazy(
            "No stocktake campaign of %(year)s covers %(department)s, and it was due to start "
            "by %(start_by)s. Create and activate a campaign for it."
        ),
    ),
    ReminderKind.HANDOVER_UNDECIDED: (
        _lazy("Handover %(number)s awaits your decision (%(days)s days)"),
        _lazy(
            "%(builder)s handed over the assets of %(project)s. Review the %(pending)s "
            "items, accept or reject each, and sign the decision."
        ),
    ),
    ReminderKind.HANDOVER_OVERDUE: (
        _lazy("Handover of %(project)s overdue since %(due_on)s"),
        _lazy(
            "%(count)s cards of this project are still held by your department. Hand them "
            "over to %(owner)s: create and submit a handover."
        ),
    ),
    ReminderKind.FINAL_ACCOUNTS_OVERDUE: (
        _lazy("Final accounts of %(project)s overdue"),
        _lazy(
            "The project was accepted on %(accepted_on)s, more than a year ago, and its final "
            "accounts are: %(state)s. Have them approved, then revalue its cards."
        ),
    ),
    ReminderKind.LABEL_COMPLIANCE: (
        _lazy("%(department)s: %(unlabelled)s cards without a label"),
        _lazy(
            "One item, one card: print and attach a label for each card below; for embedded "
            "devices (%(embedded)s), choose a label strategy on the card."
        ),
    ),
    ReminderKind.HANDOVER_SUBMITTED: (
        _lazy("Handover %(number)s submitted to you for acceptance"),
        _lazy(
            "%(builder)s handed over %(count)s items of %(project)s. Review them, accept or "
            "reject each, and sign the decision."
        ),
    ),
    ReminderKind.HANDOVER_DECIDED: (
        _lazy("Handover %(number)s decided: %(state)s"),
        _lazy(
            "%(receiver)s decided the handover of %(project)s: %(accepted)s accepted, "
            "%(rejected)s rejected. The certificate is on the handover's page."
        ),
    ),
    # Custody and upkeep (issue 18)
    ReminderKind.CUSTODY_OVERDUE: (
        _lazy("%(count)s asset(s) past their due date"),
        _lazy(
            "The assets below were due back and are not checked in. Return them to the "
            "asset office, or ask it for a new due date."
        ),
    ),
    ReminderKind.RECEIPT_UNCONFIRMED: (
        _lazy("Confirm receipt of %(count)s asset(s)"),
        _lazy(
            "The assets below were checked out to you. Open “My assets” and confirm that "
            "you received them, or tell the asset office if you did not."
        ),
    ),
    ReminderKind.CONTRACT_ENDING: (
        _lazy("Maintenance contract %(number)s ends on %(ends_on)s"),
        _lazy(
            "The contract with %(vendor)s covers the assets below. Renew it or record a new "
            "contract before it ends, or they are left without maintenance."
        ),
    ),
    ReminderKind.LEAVER_CARDS: (
        _lazy("%(user)s left and still holds %(count)s card(s)"),
        _lazy(
            "The account of %(user)s was deactivated. Check in the cards below or check them "
            "out to someone else; the list of cards held by inactive users shows them all."
        ),
    ),
    ReminderKind.FAULT_REPORTED: (
        _lazy("Fault reported on %(tag)s %(name)s"),
        _lazy(
            "%(reporter)s reported a fault: %(fault)s. Record the repair on the card's repairs "
            "page; the reported fault is filled in there."
        ),
    ),
    # Disposal cases (issue 17)
    ReminderKind.DISPOSAL_AWAITING_APPROVAL: (
        _lazy("Disposal case %(number)s awaits your approval (%(days)s days)"),
        _lazy(
            "%(method)s of %(count)s card(s), original value %(total)s, approved by %(body)s. "
            "Approve it with the approval number and date, or reject it with a reason."
        ),
    ),
    ReminderKind.DISPOSAL_NOT_EXECUTED: (
        _lazy("Disposal case %(number)s approved %(days)s days ago, not executed"),
        _lazy(
            "%(method)s of %(count)s card(s), original value %(total)s. Carry it out on the "
            "case's page: until then the cards stay pending disposal."
        ),
    ),
}

HANDOVER_NOTHING_ACCEPTED = _lazy(
    "%(receiver)s decided the handover of %(project)s: nothing accepted, "
    "%(rejected)s rejected. The reasons are on the handover's page."
)


def _with_method_word(facts: dict) -> dict:
    return {**facts, "method": str(DisposalCase.Method(facts["method_code"]).label)}


# Facts worded when the message is rendered, in the recipient's language (the ledger keeps codes).
WORDED_FACTS: dict[str, Callable[[dict], dict]] = {
    ReminderKind.HANDOVER_DECIDED: lambda f: {
        **f,
        "state": str(Handover.State(f["state_code"]).label),
    },
    ReminderKind.DISPOSAL_AWAITING_APPROVAL: lambda f: _with_method_word(f),
    ReminderKind.DISPOSAL_NOT_EXECUTED: lambda f: _with_method_word(f),
}


def _message(kind: str, facts: dict) -> tuple[str, str]:
    """(title, what to do) for a reminder of `kind` saying `facts`, in the active language."""
    if kind not in MESSAGES:
        raise ValueError(kind)
    title, todo = MESSAGES[kind]
    facts = WORDED_FACTS.get(kind, dict)(facts)
    if kind == ReminderKind.HANDOVER_DECIDED and not facts.get("accepted"):
        # Nothing changed owner: no acceptance certificate to point at.
        todo = HANDOVER_NOTHING_ACCEPTED
    return str(title) % facts, str(todo) % facts


def compose(*, kind: str, facts: dict, items: Sequence[str] = ()) -> tuple[str, str]:
    """(title, body) of a reminder in the active language: what to do, then the items. The one
    renderer of the ledger's reminders and of the inbox's stored notifications."""
    title, todo = _message(kind, facts)
    body = "\n".join([todo, *(["", *items] if items else [])])
    return title[:200], body


def render(reminder: Reminder) -> tuple[str, str]:
    """Title and body of a reminder in its recipient's language."""
    with translation.override(reminder.recipient.language or settings.LANGUAGE_CODE):
        return compose(kind=reminder.kind, facts=reminder.facts, items=reminder.items)


def shown_text(notification: Notification) -> tuple[str, str]:
    """Title and body of an inbox notification in the active (reader's) language, from its
    stored facts; as written for one stored before facts were kept."""
    if not notification.facts:
        return notification.title, notification.body
    try:
        return compose(
            kind=notification.kind, facts=notification.facts, items=notification.items or ()
        )
    except (KeyError, TypeError, ValueError):
        return notification.title, notification.body


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
        return list(
            _each(
                selectors.role_holders(handover.to_department, permissions.RECEIVER),
                kind=ReminderKind.HANDOVER_SUBMITTED,
                subject=subject,
                period="submitted",
                link=_handover_link(handover, "assets:handover-review"),
                facts={**_handover_facts(handover), "count": handover.items.count()},
            )
        )
    if step == "decided" and handover.submitted_by_id is not None:
        results = list(handover.items.values_list("result", flat=True))
        facts = _handover_facts(handover)
        return list(
            _each(
                [handover.submitted_by],
                kind=ReminderKind.HANDOVER_DECIDED,
                subject=subject,
                period="decided",
                link=_handover_link(handover, "assets:handover-detail"),
                facts={
                    **facts,
                    "receiver": handover.to_department.name,
                    "state_code": handover.state,
                    "accepted": sum(1 for result in results if result == "accepted"),
                    "rejected": sum(1 for result in results if result == "rejected"),
                },
            )
        )
    return []


def notify_handover_step(*, step: str, handover) -> None:
    """Send the step's notifications (exactly once: `send_reminder`'s ledger key)."""
    for reminder in handover_step_reminders(step=step, handover=handover):
        send_reminder(reminder=reminder)


# A leaver's list (assets.custody.services.announce_leaver calls this inside `save_user`'s
# transaction; registered in InventoryConfig.ready): the clerks of each card's department get
# the cards the deactivated user still holds. Once per leaver and day: the ledger key.


def leaver_reminders(*, user, assets) -> list[Reminder]:
    """One message per clerk with every card of theirs the leaver held (a clerk answering for
    several departments gets them in one: the ledger key names the leaver, not the department)."""
    by_department: dict[int, list] = {}
    for asset in assets:
        by_department.setdefault(asset.owner_department_id, []).append(asset)
    to_clerk: dict[int, tuple[User, list]] = {}
    for cards in by_department.values():
        for clerk in selectors.role_holders(cards[0].owner_department, permissions.CLERK):
            to_clerk.setdefault(clerk.pk, (clerk, []))[1].extend(cards)
    link = _url("assets:custody-leavers", fallback="/custody/leavers/")
    period = f"left:{timezone.localdate().isoformat()}"
    return [
        Reminder(
            kind=ReminderKind.LEAVER_CARDS,
            recipient=clerk,
            subject=f"leaver:{user.username}",
            period=period,
            link=link,
            facts={"user": str(user), "count": len(cards)},
            items=_capped([_card_line(asset) for asset in cards]),
        )
        for clerk, cards in to_clerk.values()
    ]


def notify_leaver(*, user, assets) -> None:
    for reminder in leaver_reminders(user=user, assets=assets):
        send_reminder(reminder=reminder)


# A fault report (报修) reaches the inbox of the card's clerks at once (registered from
# InventoryConfig.ready); once per report: the ledger key is the repair record.


def fault_reported_reminders(*, repair) -> list[Reminder]:
    """The clerks of the card's managing and owning departments, with a link to its repairs."""
    asset = repair.asset
    recipients: dict[int, User] = {}
    for department in (asset.managing_department, asset.owner_department):
        if department is not None:
            for user in selectors.role_holders(department, permissions.CLERK):
                recipients.setdefault(user.pk, user)
    reporter = repair.reported_by
    facts = {
        "tag": asset.tag,
        "name": asset.name,
        "fault": repair.fault[:200],
        "reporter": str(reporter) if reporter else "—",
    }
    link = _url("assets:asset-repairs", asset.tag, fallback=f"/api/v1/assets/{asset.tag}/repairs/")
    return [
        Reminder(
            kind=ReminderKind.FAULT_REPORTED,
            recipient=user,
            subject=f"repair:{repair.pk}",
            period="reported",
            link=link,
            facts=facts,
        )
        for user in recipients.values()
        if reporter is None or user.pk != reporter.pk
    ]


def notify_fault_reported(*, repair) -> None:
    """Send the fault report's notifications (exactly once: `send_reminder`'s ledger key)."""
    for reminder in fault_reported_reminders(repair=repair):
        send_reminder(reminder=reminder)
