"""Counting: scans (one and in batches), manual counts, embedded components, surplus finds.

Views, serializers, admin actions and tasks call these; none of them saves a line or a count.
"""

from __future__ import annotations

import enum
import re
import uuid
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from assets import permissions as asset_permissions
from assets.errors import DomainError, TransitionNotAllowed
from assets.models import Asset, Category, Location
from inventory import permissions, sql
from inventory.models import (
    OPEN_RESULTS,
    LineResult,
    StocktakeCampaign,
    StocktakeLine,
    StocktakeScan,
    VerifyMethod,
)
from inventory.services.handed_over import handed_over_message
from labels import qr
from labels.models import Label

State = StocktakeCampaign.State
Answer = StocktakeScan.Answer
# A phone's clock may run a little fast or slow; a scan time further ahead of now, or further
# before the campaign's activation, is refused.
CLOCK_SKEW = timedelta(minutes=10)
# The answer to an unknown code past a batch's surplus allowance
# (settings.YIKA_STOCKTAKE_SURPLUS_PER_BATCH): nothing recorded, not logged, send it again.
SURPLUS_LIMIT = "surplus_limit"
PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_TYPES = {b"\xff\xd8\xff": "jpg", b"\x89PNG\r\n\x1a\n": "png"}


# ------------------------------------------------------------------------------------ counting


@dataclass
class ScanOutcome:
    """What one scan answers. Card fields are present only for lines in the counter's scope."""

    answer: str
    message: str
    tag: str = ""
    line: StocktakeLine | None = None
    components: list[dict] = field(default_factory=list)
    client_key: str = ""
    # Why, when the answer word alone would mislead: `retired` (not_in_scope), `superseded_label`
    # (duplicate: counted already, and this label was replaced).
    reason: str = ""
    # True when this scan created a surplus line (a batch counts them against its allowance).
    surplus_created: bool = False


def _require_counting(campaign: StocktakeCampaign, actor) -> None:
    """Only counters change a count (the API's roles, checked here for every caller), and only
    while the campaign is counting."""
    permissions.require_counter(actor)
    if campaign.state != State.ACTIVE:
        raise TransitionNotAllowed(
            _("The campaign is “%(state)s”; scans are accepted only while it is counting.")
            % {"state": State(campaign.state).label},
            code="campaign_not_active",
        )


def _check_scanned_at(campaign: StocktakeCampaign, scanned_at: datetime | None) -> datetime:
    """When the scan happened: now, or the phone's time (an offline scan) inside the campaign's
    counting period, give or take `CLOCK_SKEW` for a phone's clock."""
    now = timezone.now()
    if scanned_at is None:
        return now
    if timezone.is_naive(scanned_at):
        scanned_at = timezone.make_aware(scanned_at)
    if scanned_at > now + CLOCK_SKEW:
        raise ValidationError(
            {"scanned_at": _("The scan time is in the future; check the phone's clock.")}
        )
    if campaign.activated_at is not None and scanned_at < campaign.activated_at - CLOCK_SKEW:
        raise ValidationError(
            {
                "scanned_at": _(
                    "The scan time is before the count started (%(start)s); check the phone's "
                    "clock."
                )
                % {"start": timezone.localtime(campaign.activated_at).strftime("%Y-%m-%d %H:%M")}
            }
        )
    return scanned_at


class LabelSeen(enum.Enum):
    """What a scan tells about the card's label (the label-missing rate counts NONE and OLD)."""

    ACTIVE = "active"  # its active label was scanned
    OLD = "old"  # a superseded or voided label was scanned
    NONE = "none"  # the tag was typed and the card has no active label (never labelled, or
    # its last one was replaced or voided)
    UNSEEN = "unseen"  # the tag was typed; the card has an active label nobody scanned
    UNKNOWN = "unknown"  # a label serial Yika never issued for the card


def _label_state(line: StocktakeLine, serial: int | None) -> LabelSeen:
    """How the scanned code relates to the card's labels. A typed tag (no `?l=` serial) is no
    label seen: only a scanned label serial shows a label on the card. `sql.scan_line` brings
    the card's active and last label serials; another line asks the labels table."""
    if hasattr(line, "active_label_serial"):
        active, last = line.active_label_serial, line.last_label_serial
    else:
        labels = Label.objects.filter(asset_id=line.asset_id)
        active = (
            labels.filter(superseded_at__isnull=True, voided_at__isnull=True)
            .values_list("serial", flat=True)
            .first()
        )
        last = labels.aggregate(last=Max("serial"))["last"]
    if serial is None:
        return LabelSeen.UNSEEN if active is not None else LabelSeen.NONE
    if active is not None and serial == active:
        return LabelSeen.ACTIVE
    if last is not None and 1 <= serial <= last:
        return LabelSeen.OLD
    return LabelSeen.UNKNOWN


def _count(
    *,
    campaign: StocktakeCampaign,
    line: StocktakeLine,
    actor,
    at: datetime,
    method: str,
    result: str,
    location: Location | None,
    label_ok: bool | None,
    reprint: bool = False,
    manual_reason: str = "",
) -> bool:
    """Count `line` once (`sql.count_line`); False when someone counted it first (nothing
    changes then)."""
    count, changes = _count_writes(
        campaign=campaign,
        line=line,
        actor=actor,
        at=at,
        method=method,
        result=result,
        location=location,
        label_ok=label_ok,
        reprint=reprint,
        manual_reason=manual_reason,
    )
    if not sql.count_line(count=count, changes=changes):
        return False
    _set_fields(line, changes)
    return True


def _count_writes(
    *,
    campaign: StocktakeCampaign,
    line: StocktakeLine,
    actor,
    at: datetime,
    method: str,
    result: str,
    location: Location | None,
    label_ok: bool | None,
    reprint: bool = False,
    manual_reason: str = "",
) -> tuple[dict, dict[str, Any]]:
    """What counting `line` writes: its one count (StocktakeCount's fields) and the line's
    changes, for `sql.count_line` and `sql.log_scan` alike."""
    count = {
        "campaign": campaign.pk,
        "asset": line.asset_id,
        "line": line.pk,
        "counted_by": actor.pk if actor else None,
        "counted_at": at,
        "verify_method": str(method),
    }
    changes: dict[str, Any] = {
        "result": result,
        "counted_quantity": 1,
        "verify_method": method,
        "counted_at": at,
        "counted_by": actor,
        "counted_location": location or line.location,
        "label_ok": label_ok,
    }
    if reprint:
        changes["reprint_requested"] = True
    if manual_reason:
        changes["manual_reason"] = manual_reason
    return count, changes


def _set_fields(line: StocktakeLine, changes: dict[str, Any]) -> None:
    """The line as the database now holds it, without reading it again."""
    for name, value in changes.items():
        setattr(line, name, value)


def _component_lines(campaign: StocktakeCampaign, host: StocktakeLine):
    return (
        StocktakeLine.objects.filter(campaign=campaign, parent_id=host.asset_id, embedded=True)
        .select_related("category")
        .order_by("tag")
    )


def _count_components(
    *, campaign, host: StocktakeLine, actor, at: datetime, result: str
) -> list[dict]:
    """Embedded devices of a counted host: `via_host` ones count at once, the others wait for an
    SN match or a photo. Returns the list the scan page shows for confirmation."""
    listed = []
    for child in _component_lines(campaign, host):
        policy = child.category.embedded_verify_policy if child.category else "via_host"
        if child.result == LineResult.PENDING:
            if policy == Category.VerifyPolicy.VIA_HOST:
                _count(
                    campaign=campaign,
                    line=child,
                    actor=actor,
                    at=at,
                    method=VerifyMethod.VIA_HOST,
                    result=result,
                    location=host.counted_location,
                    label_ok=True,
                )
            else:
                StocktakeLine.objects.filter(pk=child.pk, result=LineResult.PENDING).update(
                    result=LineResult.AWAITING
                )
                child.result = LineResult.AWAITING
        listed.append(
            {
                "tag": child.tag,
                "name": child.name,
                "model": child.model,
                "serial_number": child.serial_number,
                "result": child.result,
                "verify_policy": policy,
            }
        )
    return listed


def _surplus_department(*, campaign, actor, location: Location | None):
    """The department a new surplus find is booked to: the place's, which must be in the
    counter's share (`permissions.may_book_surplus_at`), else the counter's own."""
    if not permissions.may_book_surplus_at(actor, campaign, location):
        raise ValidationError(
            {
                "location": _(
                    "This place is outside your count: a surplus find there is reported by the "
                    "counters of its own department."
                )
            }
        )
    if location is not None and location.department_id:
        return location.department
    return actor.department


def _surplus_line(
    *, campaign, actor, code: str, location: Location | None, note: str = ""
) -> tuple[StocktakeLine, bool]:
    """The surplus line of `code`, created (booked inside the counter's share) when new."""
    existing = StocktakeLine.objects.filter(
        campaign=campaign, kind=StocktakeLine.Kind.SURPLUS, scanned_code=code
    ).first()
    if existing is not None:
        return existing, False
    department = _surplus_department(campaign=campaign, actor=actor, location=location)
    return StocktakeLine.objects.get_or_create(
        campaign=campaign,
        kind=StocktakeLine.Kind.SURPLUS,
        scanned_code=code,
        defaults={
            "result": LineResult.SURPLUS,
            "department": department,
            "counted_location": location,
            "counted_at": timezone.now(),
            "counted_by": actor,
            "counted_quantity": 1,
            "note": note,
        },
    )


def record_scan(
    *,
    campaign: StocktakeCampaign,
    actor,
    code: str,
    location: Location | None = None,
    client_key: uuid.UUID | None = None,
    scanned_at: datetime | None = None,
    damaged: bool = False,
    allow_new_surplus: bool = True,
) -> ScanOutcome:
    """Record one scan in the log and count the card once (DESIGN.md invariant 5).

    The same `client_key` again, or a second scan of a counted card, answers `duplicate` and
    changes nothing. Tags outside the counter's scope answer a status word only. An unknown code
    becomes a surplus find booked inside the counter's share; with `allow_new_surplus` False (a
    batch past its allowance) it answers `surplus_limit` and nothing is recorded. The card's
    history gets its `counted` event at close (`campaigns._flag_shortages_and_record_counts`
    says why).
    """
    _require_counting(campaign, actor)
    at = _check_scanned_at(campaign, scanned_at)
    scanned = _parse_code(code)
    key = client_key or uuid.uuid4()
    line = sql.scan_line(
        campaign=campaign, tag=scanned.tag, trees=permissions.counter_scope(actor, campaign)
    )
    # The log row, but its line and answer. A resent key is refused by the log's unique key, in
    # the statement or transaction that writes the scan, which then rolls back: no query to
    # look for it first.
    scan = {
        "campaign": campaign.pk,
        "client_key": key,
        "code": code[:512],
        "tag": scanned.tag,
        "label_serial": scanned.label_serial,
        "location": location,
        "scanned_by": actor.pk,
        "scanned_at": at,
        "received_at": timezone.now(),
    }
    try:
        outcome = _apply_scan(
            campaign=campaign,
            actor=actor,
            scanned=scanned,
            line=line,
            scan=scan,
            location=location,
            damaged=damaged,
            allow_new_surplus=allow_new_surplus,
        )
    except IntegrityError:
        # The same client key arrived before, or concurrently: that request recorded it.
        return _received_already(scanned.tag, key)
    outcome.client_key = str(key)
    return outcome


def _writes(*, several: bool):
    """One statement is atomic by itself; several need a transaction. Inside a caller's
    transaction a savepoint keeps a refused statement (a resent client key) from breaking it."""
    return transaction.atomic() if several or connection.in_atomic_block else nullcontext()


def _logged(outcome: ScanOutcome, scan: dict) -> ScanOutcome:
    """Log a scan that counts nothing, with what the counter was told."""
    line = outcome.line.pk if outcome.line is not None else None
    sql.log_scan(scan={**scan, "line": line}, answer=outcome.answer)
    return outcome


def _apply_scan(
    *,
    campaign: StocktakeCampaign,
    actor,
    scanned,
    line: StocktakeLine | None,
    scan: dict,
    location: Location | None,
    damaged: bool,
    allow_new_surplus: bool,
) -> ScanOutcome:
    """What the scan answers, and its writes: the log, and the count when it counts the line.

    A plain count (no embedded devices) is one statement with its log (`sql.log_scan`), as is a
    scan that counts nothing; a host's count with its components and a new surplus find are one
    transaction each.
    """
    tag = scanned.tag
    if line is None:
        if Asset.objects.filter(tag=tag).exists():
            with _writes(several=False):
                return _logged(_not_on_the_books(campaign, actor, tag), scan)
        with _writes(several=True):
            outcome = _unknown_scan(campaign, actor, tag, location, allow_new_surplus)
            if outcome.answer == SURPLUS_LIMIT:
                # Not received: the phone sends it again, and its client key must still be free.
                return outcome
            return _logged(outcome, scan)
    if not line.in_scope:
        outcome = ScanOutcome(
            Answer.NOT_IN_SCOPE, _("%(tag)s is not in your count.") % {"tag": tag}, tag
        )
        with _writes(several=False):
            return _logged(outcome, scan)
    if line.result == LineResult.HANDED_OVER:
        with _writes(several=False):
            return _logged(_handed_over(line), scan)
    if line.result not in OPEN_RESULTS:
        with _writes(several=False):
            return _logged(_counted_already(line, scanned), scan)
    count = _scan_count(line, scanned, location, damaged)
    counted, changes = _count_writes(
        campaign=campaign,
        line=line,
        actor=actor,
        at=scan["scanned_at"],
        method=count.method,
        result=count.result,
        location=location,
        label_ok=count.label_ok,
        reprint=count.reprint,
    )
    with _writes(several=line.hosts_embedded):
        logged = sql.log_scan(
            scan={**scan, "line": line.pk},
            answer=count.answer,
            count=counted,
            changes=changes,
            duplicate=Answer.DUPLICATE,
        )
        if logged == Answer.DUPLICATE:
            # Someone counted the card between the lookup and this statement.
            return _counted_already(line, scanned)
        _set_fields(line, changes)
        components = (
            _count_components(
                campaign=campaign,
                host=line,
                actor=actor,
                at=scan["scanned_at"],
                result=LineResult.FOUND_ELSEWHERE if count.elsewhere else LineResult.FOUND,
            )
            if line.hosts_embedded
            else []
        )
    outcome = ScanOutcome(count.answer, count.message, tag, line=line, components=components)
    return _recorded_missing(outcome, line)


def _recorded_missing(outcome: ScanOutcome, line: StocktakeLine) -> ScanOutcome:
    """walk4-6: a card an earlier count recorded missing (疑似盘亏), perhaps in a loss case by
    now, is counted: the answer says so and whom to tell, so it is not written off while it is
    here (reason `recorded_missing`; the answer word stays the count's)."""
    # `scan_line` read the flag with the line: the other scans pay no query for this.
    if not line.asset_id or not getattr(line, "asset_suspected_shortage", False):
        return outcome
    flagged = (
        Asset.objects.filter(pk=line.asset_id)
        .values_list("owner_department__name", flat=True)
        .first()
    )
    from assets.disposals import selectors as disposal_selectors

    case = disposal_selectors.open_cases_of(asset_ids=[line.asset_id]).get(line.asset_id)
    words = {"tag": line.tag, "department": flagged, "case": case.number if case else ""}
    note = (
        _(
            "%(tag)s was recorded missing by an earlier count and is in the disposal case "
            "%(case)s: tell the asset clerk of %(department)s, so it is taken out of the case."
        )
        if case
        else _(
            "%(tag)s was recorded missing (suspected shortage) by an earlier count: tell the "
            "asset clerk of %(department)s."
        )
    ) % words
    outcome.message = f"{outcome.message} {note}"
    outcome.reason = "recorded_missing"
    return outcome


def _shortened(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _parse_code(code: str):
    """The scanned tag and label serial; a 400 that says what was wrong with the code.

    A tag is a prefix, a year and a sequence number (ten digits in a row) and a check
    character: a text without those digits is no tag at all, not a mistyped one."""
    from assets import tags

    try:
        return qr.parse(code)
    except qr.QRPayloadError as error:
        text = str(code or "")
        if "://" not in text and not re.search(rf"\d{{{4 + tags.SEQUENCE_DIGITS}}}", text):
            raise ValidationError(
                {
                    "code": ValidationError(
                        _("“%(code)s” is not an asset tag or a Yika label.")
                        % {"code": _shortened(text.strip())},
                        code="not_a_tag",
                    )
                }
            ) from error
        raise ValidationError({"code": str(error.message)}) from error


@dataclass
class _ScanCount:
    """How a scan counts an open line: its result and what the counter is told."""

    result: str
    label_state: LabelSeen
    elsewhere: bool
    answer: str
    message: str

    @property
    def label_ok(self) -> bool | None:
        """A readable active label: seen (True), not on the card or an old one (False), or a
        typed tag of a labelled card (None: nobody saw the label, so it is not counted either
        way)."""
        if self.label_state in (LabelSeen.OLD, LabelSeen.NONE):
            return False
        if self.label_state == LabelSeen.ACTIVE:
            return True
        return None

    @property
    def reprint(self) -> bool:
        """A superseded label was scanned: the card needs a new one."""
        return self.label_state == LabelSeen.OLD

    @property
    def method(self) -> str:
        """A typed tag is not a scanned label (扫描本身标签)."""
        if self.label_state in (LabelSeen.NONE, LabelSeen.UNSEEN):
            return VerifyMethod.TYPED_TAG
        return VerifyMethod.SCAN_OWN_LABEL


def _scan_count(line: StocktakeLine, scanned, location, damaged: bool) -> _ScanCount:
    tag = line.tag
    # The answer names the asset, so a clerk holding the phone knows which card it counted.
    named = {"tag": tag, "name": line.name}
    label_state = _label_state(line, scanned.label_serial)
    elsewhere = location is not None and location.pk != line.location_id
    result = (
        LineResult.DAMAGED
        if damaged
        else (LineResult.FOUND_ELSEWHERE if elsewhere else LineResult.FOUND)
    )
    if label_state == LabelSeen.OLD:
        answer = Answer.SUPERSEDED_LABEL
        message = _("%(tag)s (%(name)s) counted, but this label was replaced: remove it.") % named
    elif elsewhere:
        answer = Answer.FOUND_ELSEWHERE
        message = (
            _(
                "%(tag)s (%(name)s) counted; the books place it elsewhere, and it has no label: "
                "print one."
            )
            if label_state == LabelSeen.NONE
            else _("%(tag)s (%(name)s) counted; the books place it elsewhere.")
        ) % named
    else:
        answer = Answer.FOUND
        message = (
            _("%(tag)s (%(name)s) counted; it has no label: print one.")
            if label_state == LabelSeen.NONE
            else _("%(tag)s (%(name)s) counted.")
        ) % named
    return _ScanCount(result, label_state, elsewhere, answer, message)


def _received_already(tag: str, key) -> ScanOutcome:
    """The answer to a scan whose client key was recorded before (a phone resending it)."""
    return ScanOutcome(
        Answer.DUPLICATE, _("This scan was received already."), tag, client_key=str(key)
    )


def _counted_already(line: StocktakeLine, scanned=None) -> ScanOutcome:
    tag = line.tag
    named = {"tag": tag, "name": line.name}
    if scanned is not None and _label_state(line, scanned.label_serial) == LabelSeen.OLD:
        return ScanOutcome(
            Answer.DUPLICATE,
            _("%(tag)s (%(name)s) is counted already, but this label was replaced: remove it.")
            % named,
            tag,
            line=line,
            reason=Answer.SUPERSEDED_LABEL,
        )
    return ScanOutcome(
        Answer.DUPLICATE, _("%(tag)s (%(name)s) is counted already.") % named, tag, line=line
    )


def _handed_over(line: StocktakeLine) -> ScanOutcome:
    """A card that left this count when it was handed over to another unit (walk 5)."""
    return ScanOutcome(
        Answer.NOT_IN_SCOPE,
        handed_over_message(line),
        line.tag,
        line=line,
        reason="handed_over",
    )


def _not_on_the_books(campaign, actor, tag: str) -> ScanOutcome:
    """A card that exists but has no line: a retired card of the counter's own scope says so;
    any other answers the status word only (SECURITY.md: no fields outside the scope)."""
    retired = asset_permissions.visible_assets(
        actor, Asset.objects.filter(tag=tag, status=Asset.Status.RETIRED)
    ).exists()
    if retired:
        return ScanOutcome(
            Answer.NOT_IN_SCOPE,
            _("%(tag)s is a retired card: it left the books and is not counted.") % {"tag": tag},
            tag,
            reason="retired",
        )
    # A card of the counter's own scope registered once the book snapshot was frozen has no line
    # by design (walk2-14): "not in your scope" would send them looking for a scope problem.
    registered = (
        asset_permissions.visible_assets(
            actor,
            Asset.objects.filter(tag=tag, created_at__gt=campaign.activated_at).exclude(
                status__in=[Asset.Status.RETIRED, Asset.Status.DRAFT]
            ),
        ).exists()
        if campaign.activated_at
        else False
    )
    if registered:
        return ScanOutcome(
            Answer.NOT_IN_SCOPE,
            _(
                "%(tag)s was registered after this count started on %(started)s: it is not in "
                "this count."
            )
            % {
                "tag": tag,
                "started": f"{timezone.localtime(campaign.activated_at):%Y-%m-%d %H:%M}",
            },
            tag,
            reason="registered_later",
        )
    return ScanOutcome(Answer.NOT_IN_SCOPE, _("%(tag)s is not in your count.") % {"tag": tag}, tag)


def _unknown_scan(campaign, actor, tag: str, location, allow_new_surplus: bool) -> ScanOutcome:
    """A well-formed tag that is on nobody's books: a surplus find in the counter's share. A code
    another department reported already is left as it is; past a batch's surplus allowance
    nothing is recorded (`SURPLUS_LIMIT`)."""
    existing = StocktakeLine.objects.filter(
        campaign=campaign, kind=StocktakeLine.Kind.SURPLUS, scanned_code=tag
    ).first()
    if existing is not None and not permissions.may_change_surplus(actor, existing):
        return ScanOutcome(
            Answer.UNKNOWN,
            _("%(tag)s is not on the books; it was reported as a surplus find already.")
            % {"tag": tag},
            tag,
        )
    if existing is None and not allow_new_surplus:
        return ScanOutcome(
            SURPLUS_LIMIT,
            _(
                "%(tag)s is not on the books and was not recorded: this batch holds too many "
                "unknown codes. Check them, then send them again."
            )
            % {"tag": tag},
            tag,
        )
    surplus, created = _surplus_line(campaign=campaign, actor=actor, code=tag, location=location)
    return ScanOutcome(
        Answer.UNKNOWN,
        _("%(tag)s is not on the books: recorded as a surplus find.") % {"tag": tag},
        tag,
        line=surplus,
        surplus_created=created,
    )


def batch_too_large_message(limit: int) -> str:
    return _(
        "Send at most %(max)s scans at once; split the rest into further batches. Nothing of "
        "this batch was recorded."
    ) % {"max": limit}


@dataclass
class BatchEntry:
    index: int
    outcome: ScanOutcome | None = None
    errors: dict | None = None


def record_scan_batch(
    *, campaign: StocktakeCampaign, actor, entries: list[dict]
) -> list[BatchEntry]:
    """Apply an offline batch: each entry on its own, in its own transaction.

    A failing entry is reported with its index; the others apply exactly once. Replaying the batch
    in any order answers `duplicate` for each entry and changes nothing. At most
    `settings.YIKA_STOCKTAKE_SURPLUS_PER_BATCH` unknown codes become surplus lines; the rest answer
    `surplus_limit` and are not recorded.
    """
    _require_counting(campaign, actor)
    limit = settings.YIKA_STOCKTAKE_SCAN_BATCH_MAX
    if len(entries) > limit:
        raise ValidationError({"non_field_errors": batch_too_large_message(limit)})
    results = []
    surplus_left = settings.YIKA_STOCKTAKE_SURPLUS_PER_BATCH
    for index, entry in enumerate(entries):
        try:
            outcome = record_scan(
                campaign=campaign, actor=actor, allow_new_surplus=surplus_left > 0, **entry
            )
            surplus_left -= outcome.surplus_created
            results.append(BatchEntry(index, outcome=outcome))
        except ValidationError as error:
            results.append(BatchEntry(index, errors=error.message_dict))
        except DomainError as error:
            results.append(BatchEntry(index, errors={"detail": [str(error.message)]}))
    return results


def _open_line_in_scope(campaign, actor, tag: str) -> StocktakeLine:
    from assets import tags as tag_codec

    line = (
        permissions.countable_lines(actor, campaign)
        .filter(tag=tag_codec.normalise(tag or ""))
        .select_related("location", "category")
        .first()
    )
    if line is None:
        raise ValidationError({"tag": _("No line with this tag in your count.")})
    if line.result == LineResult.HANDED_OVER:
        raise DomainError(handed_over_message(line), code="handed_over")
    if line.result not in OPEN_RESULTS:
        raise DomainError(_("%(tag)s is counted already.") % {"tag": line.tag}, code="duplicate")
    return line


@transaction.atomic
def manual_count(
    *,
    campaign: StocktakeCampaign,
    actor,
    tag: str,
    reason: str,
    location: Location | None = None,
) -> StocktakeLine:
    """Count a card whose label cannot be read (damaged, lost), with a reason; the card is queued
    for a label reprint."""
    _require_counting(campaign, actor)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the label could not be scanned.")})
    line = _open_line_in_scope(campaign, actor, tag)
    elsewhere = location is not None and location.pk != line.location_id
    result = LineResult.FOUND_ELSEWHERE if elsewhere else LineResult.FOUND
    if not _count(
        campaign=campaign,
        line=line,
        actor=actor,
        at=timezone.now(),
        method=VerifyMethod.MANUAL,
        result=result,
        location=location,
        label_ok=False,
        reprint=True,
        manual_reason=reason.strip(),
    ):
        raise DomainError(_("%(tag)s is counted already.") % {"tag": line.tag}, code="duplicate")
    _queue_reprint(line=line, actor=actor)
    _count_components(campaign=campaign, host=line, actor=actor, at=line.counted_at, result=result)
    return line


def _queue_reprint(*, line: StocktakeLine, actor) -> None:
    """Ask the labels app for a reprint when it offers one; the request stays on the line anyway."""
    try:
        from labels import services as label_services
    except ImportError:
        return
    request_reprint = getattr(label_services, "request_reprint", None)
    if request_reprint is not None:
        request_reprint(asset=line.asset, actor=actor, reason=line.manual_reason)


def _check_photo(photo) -> None:
    """A count photo: at most 5 MB, a real JPEG or PNG by its first bytes (400 on `photo`)."""
    if photo.size > PHOTO_MAX_BYTES:
        raise ValidationError({"photo": _("The photo is larger than 5 MB.")})
    head = photo.read(8)
    photo.seek(0)
    if not any(head.startswith(magic) for magic in PHOTO_TYPES):
        raise ValidationError({"photo": _("Send the photo as a JPEG or PNG image.")})


def _attach_photo(*, line: StocktakeLine, actor, photo) -> None:
    """Keep a checked count photo as evidence on its line (`stocktake_line:ID`): stored once by
    SHA-256 and served with the attachments' checks, like every other file."""
    from assets.attachments import services as attachments

    try:
        attachments.add_attachment(
            actor=actor,
            subject=f"stocktake_line:{line.pk}",
            kind="photo",
            upload=photo,
            file_name=getattr(photo, "name", "") or f"photo-{line.pk}",
        )
    except ValidationError as error:
        # The attachments' checks name their field `file`; here it is the `photo`.
        errors = error.message_dict
        raise ValidationError({"photo": errors.pop("file", [])} | errors) from None


@transaction.atomic
def confirm_component(
    *,
    campaign: StocktakeCampaign,
    actor,
    tag: str,
    method: str,
    serial_number: str = "",
    photo=None,
) -> StocktakeLine:
    """Confirm an embedded device awaiting verification: by serial number match or a photo."""
    _require_counting(campaign, actor)
    line = _open_line_in_scope(campaign, actor, tag)
    if not line.embedded:
        raise ValidationError({"tag": _("%(tag)s is not an embedded device.") % {"tag": line.tag}})
    if method == VerifyMethod.SN_MATCH:
        given = "".join((serial_number or "").split()).upper()
        if not line.serial_number or given != "".join(line.serial_number.split()).upper():
            raise ValidationError(
                {"serial_number": _("The serial number does not match the card.")}
            )
    elif method == VerifyMethod.PHOTO:
        if photo is None:
            raise ValidationError({"photo": _("Attach a photo of the device in its host.")})
        _check_photo(photo)
    else:
        raise ValidationError({"method": _("Choose sn_match or photo.")})
    host = StocktakeLine.objects.filter(campaign=campaign, asset_id=line.parent_id).first()
    result = (
        host.result
        if host and host.result in (LineResult.FOUND, LineResult.FOUND_ELSEWHERE)
        else LineResult.FOUND
    )
    if not _count(
        campaign=campaign,
        line=line,
        actor=actor,
        at=timezone.now(),
        method=method,
        result=result,
        location=host.counted_location if host else None,
        label_ok=True,
    ):
        raise DomainError(_("%(tag)s is counted already.") % {"tag": line.tag}, code="duplicate")
    if photo is not None and method == VerifyMethod.PHOTO:
        _attach_photo(line=line, actor=actor, photo=photo)
    return line


@transaction.atomic
def record_surplus(
    *,
    campaign: StocktakeCampaign,
    actor,
    note: str,
    code: str = "",
    location: Location | None = None,
    photo=None,
) -> StocktakeLine:
    """Record a surplus find (盘盈): an unknown code or an unlabelled asset, with a note and an
    optional photo. A second report of the same code adds to the first."""
    _require_counting(campaign, actor)
    if not (note or "").strip():
        raise ValidationError({"note": _("Describe what was found.")})
    code = (code or "").strip()[:512]
    if code:
        try:
            code = qr.parse(code).tag
        except qr.QRPayloadError as error:
            raise ValidationError({"code": str(error.message)})
        if Asset.objects.filter(tag=code).exists():
            raise ValidationError({"code": _("This tag is on the books; scan it instead.")})
    if code:
        existing = (
            StocktakeLine.objects.select_for_update()
            .filter(campaign=campaign, kind=StocktakeLine.Kind.SURPLUS, scanned_code=code)
            .first()
        )
        if existing is not None and not permissions.may_change_surplus(actor, existing):
            raise ValidationError(
                {
                    "code": _(
                        "This code was reported as a surplus find by another department; the "
                        "asset office reconciles the two reports."
                    )
                }
            )
    department = _surplus_department(campaign=campaign, actor=actor, location=location)
    if photo is not None:
        _check_photo(photo)
    if code:
        line, _created = _surplus_line(campaign=campaign, actor=actor, code=code, location=location)
        line = StocktakeLine.objects.select_for_update().get(pk=line.pk)
        line.note = note.strip()
        if location is not None:
            line.counted_location = location
        line.save(update_fields=["note", "counted_location"])
    else:
        line = StocktakeLine.objects.create(
            campaign=campaign,
            kind=StocktakeLine.Kind.SURPLUS,
            result=LineResult.SURPLUS,
            department=department,
            counted_location=location,
            counted_at=timezone.now(),
            counted_by=actor,
            counted_quantity=1,
            note=note.strip(),
        )
    if photo is not None:
        # One transaction with the line: a refused file leaves no surplus find half recorded.
        _attach_photo(line=line, actor=actor, photo=photo)
    return line
