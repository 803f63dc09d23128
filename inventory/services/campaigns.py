"""A stocktake campaign's life: plan, activate (the book snapshot), close, archive.

Views, serializers, admin actions and tasks call these; none of them saves a campaign or a line.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    DecimalField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear, Greatest, Least, Round
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from assets import history
from assets.errors import Conflict, TransitionNotAllowed
from assets.maintenance import selectors as upkeep
from assets.models import Asset, AssetEvent
from inventory import permissions, selectors, sql
from inventory.models import (
    COUNTED_RESULTS,
    OPEN_RESULTS,
    CounterAssignment,
    Difference,
    LineResult,
    ProgressTally,
    StocktakeCampaign,
    StocktakeLine,
    VerifyMethod,
)
from inventory.services import holders

State = StocktakeCampaign.State

# The campaign's life (DESIGN.md invariant 5; DOMAIN.md §4). Nothing else assigns `state`.
CAMPAIGN_TRANSITIONS: dict[str, set[str]] = {
    State.DRAFT: {State.ACTIVE},
    State.ACTIVE: {State.CLOSED},
    State.CLOSED: {State.ARCHIVED},
    State.ARCHIVED: set(),
}


def _guard(campaign: StocktakeCampaign, target: str) -> None:
    if target not in CAMPAIGN_TRANSITIONS.get(campaign.state, set()):
        raise TransitionNotAllowed(
            _("A campaign cannot go from “%(old)s” to “%(new)s”.")
            % {"old": State(campaign.state).label, "new": State(target).label},
            code="campaign_transition_not_allowed",
        )


def _lock_campaign(campaign: StocktakeCampaign) -> StocktakeCampaign:
    return StocktakeCampaign.objects.select_for_update().get(pk=campaign.pk)


# ------------------------------------------------------------------------------------ planning


@transaction.atomic
def create_campaign(
    *,
    actor,
    name: str,
    year: int,
    due_on: date,
    reference_date: date | None = None,
    departments=(),
    locations=(),
    categories=(),
    assignments=(),
    note: str = "",
) -> StocktakeCampaign:
    """Plan a campaign (盘点方案). Empty scope lists mean the whole register (admins only).

    `assignments` is a list of `(counter, department, location)`; without any, the counters are the
    clerks of the in-scope departments (DESIGN.md). Without a `reference_date` (清查基准日) the
    book values are taken at 12-31 of `year`.
    """
    permissions.require_may_plan(actor)
    errors: dict[str, str] = {}
    if not (name or "").strip():
        errors["name"] = _("The name is required.")
    if not 2000 <= year <= 2200:
        errors["year"] = _("Give a year between 2000 and 2200.")
    elif reference_date is None:
        reference_date = date(year, 12, 31)
    elif reference_date.year != year:
        # The year's count (年度清查) values the books at a date of that year (清查基准日).
        errors["year"] = _(
            "The year %(year)s does not match the reference date %(date)s: the reference date "
            "falls in the campaign's year."
        ) % {"year": year, "date": reference_date.isoformat()}
    if reference_date is not None and due_on < reference_date:
        errors["due_on"] = _("The due date cannot be before the reference date.")
    for category in categories:
        if category.code_system != "GBT14885-2022":
            errors["categories"] = _("Use GB/T 14885-2022 category codes.")
    if not departments and not permissions.may_plan_whole_register(actor):
        errors["departments"] = _(
            "Only an administrator may plan a campaign over the whole register; name your "
            "departments."
        )
    elif not all(permissions.may_plan_over(actor, department) for department in departments):
        errors["departments"] = _("A department is outside your department scope.")
    for counter, department, location in assignments:
        if not permissions.can_count(counter):
            errors["assignments"] = _("%(user)s is not a clerk and cannot count.") % {
                "user": counter.username
            }
        elif not permissions.can_assign_counters(actor, department=department, location=location):
            outside = (
                department
                if department is not None
                and not permissions.can_assign_counters(actor, department=department)
                else location
            )
            errors["assignments"] = _(
                "%(target)s is outside your department scope: you cannot send counters there."
            ) % {"target": outside.name}
    if errors:
        raise ValidationError(errors)
    if StocktakeCampaign.objects.filter(year=year, name=name.strip()).exists():
        raise ValidationError({"name": _("A campaign with this name exists for that year.")})
    campaign = StocktakeCampaign.objects.create(
        name=name.strip(),
        year=year,
        reference_date=reference_date,
        due_on=due_on,
        note=note or "",
        created_by=actor,
    )
    campaign.departments.set(departments)
    campaign.locations.set(locations)
    campaign.categories.set(categories)
    for counter, department, location in assignments:
        if department is None and location is None:
            raise ValidationError(
                {"assignments": _("Assign each counter a department or a location.")}
            )
        CounterAssignment.objects.get_or_create(
            campaign=campaign, counter=counter, department=department, location=location
        )
    return campaign


def _snapshot_select(campaign: StocktakeCampaign, now: datetime):
    """The SELECT that yields one book line per in-scope card, values as of the reference date.

    Depreciation mirrors `Asset.accumulated_depreciation` (straight line, monthly, the month of
    entry into service counts, never above the original value) in SQL, so 100,000 cards are one
    statement.
    """
    ref = campaign.reference_date
    money = DecimalField(max_digits=14, decimal_places=2)
    months_raw = (
        Value(ref.year * 12 + ref.month)
        - ExtractYear("in_service_on") * 12
        - ExtractMonth("in_service_on")
        + 1
    )
    months = Case(
        When(Q(depreciate=False) | Q(in_service_on__isnull=True), then=Value(0)),
        default=Least(Greatest(months_raw, Value(0)), F("useful_life_months")),
        output_field=IntegerField(),
    )
    accumulated = Least(
        Round(
            F("original_value") * Value(Decimal("1.00")) * months / F("useful_life_months"),
            precision=2,
            output_field=money,
        ),
        F("original_value"),
        output_field=money,
    )
    columns = {
        "campaign_id": Value(campaign.pk),
        "kind": Value(StocktakeLine.Kind.BOOK),
        "asset_id": F("pk"),
        "tag": F("tag"),
        "name": F("name"),
        "model": F("model"),
        "serial_number": F("serial_number"),
        "category_id": F("category_id"),
        "department_id": Coalesce("using_department_id", "owner_department_id"),
        "owner_department_id": F("owner_department_id"),
        "location_id": F("location_id"),
        "custodian": F("custodian"),
        "status": F("status"),
        "parent_id": F("parent_id"),
        "embedded": Case(
            When(install_mode=Asset.InstallMode.EMBEDDED, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        "hosts_embedded": Value(False),  # set by mark_embedded_hosts once the lines exist
        "book_quantity": Value(1),
        "original_value": F("original_value"),
        "accumulated_depreciation": accumulated,
        "net_value": F("original_value") - accumulated,
        "result": Value(LineResult.PENDING),
        "counted_quantity": Value(0),
        "verify_method": Value(""),
        "reprint_requested": Value(False),
        "manual_reason": Value(""),
        "scanned_code": Value(""),
        "note": Value(""),
        "photo": Value(""),
        "created_at": Value(now),
    }
    aliases = {f"_c{i}": expression for i, expression in enumerate(columns.values())}
    queryset = (
        selectors.scope_assets(campaign=campaign)
        .order_by()
        .annotate(**aliases)
        .values_list(*aliases.keys())
    )
    return list(columns.keys()), queryset


def mark_embedded_hosts(lines) -> int:
    """Flag the `lines` whose card hosts embedded devices with lines of the same campaign."""
    components = StocktakeLine.objects.filter(
        campaign=OuterRef("campaign"), parent_id=OuterRef("asset_id"), embedded=True
    )
    return lines.filter(Exists(components)).update(hosts_embedded=True)


def overlap_message(overlaps: list[tuple[StocktakeCampaign, int]]) -> str:
    """Why activation is refused: the (largest) other active campaign, by name, and how many of
    the cards it already counts; "" when there is none."""
    if not overlaps:
        return ""
    other, cards = overlaps[0]
    message = ngettext(
        "%(count)s card of this campaign is already being counted in the active campaign "
        "“%(name)s” (%(year)s).",
        "%(count)s cards of this campaign are already being counted in the active campaign "
        "“%(name)s” (%(year)s).",
        cards,
    ) % {"count": cards, "name": other.name, "year": other.year}
    if len(overlaps) > 1:
        message = ngettext(
            "%(overlap)s %(more)s other active campaign counts some of them too.",
            "%(overlap)s %(more)s other active campaigns count some of them too.",
            len(overlaps) - 1,
        ) % {"overlap": message, "more": len(overlaps) - 1}
    return _(
        "%(overlap)s A card counted in two campaigns at once becomes a shortage in the one it "
        "was not scanned in: close that campaign first, or narrow this one's scope."
    ) % {"overlap": message}


def _refuse_overlap(campaign: StocktakeCampaign) -> None:
    message = overlap_message(selectors.overlapping_campaigns(campaign=campaign))
    if message:
        raise Conflict(message, code="campaigns_overlap")


@transaction.atomic
def activate_campaign(*, campaign: StocktakeCampaign, actor) -> StocktakeCampaign:
    """Start counting: freeze the book snapshot, one expected line per in-scope card.

    Refused while another active campaign already counts some of those cards (walk2-2)."""
    permissions.require_manager(actor, campaign)
    campaign = _lock_campaign(campaign)
    _guard(campaign, State.ACTIVE)
    _refuse_overlap(campaign)
    now = timezone.now()
    columns, select = _snapshot_select(campaign, now)
    sql.insert_from_select(StocktakeLine, columns, select)
    # Fresh statistics before the lines are read back, so marking the hosts, the scans and the
    # progress use the campaign indexes from the first minute. Without them the planner takes
    # a new campaign for one line: marking its hosts compared every line with every line (over
    # 15 minutes for a second campaign of 100,000 cards; 0.1 s with them).
    sql.analyze(StocktakeLine)
    # The same for the progress tally the insert filled (`selectors.progress`): unanalysed, the
    # planner takes a campaign's thousands of tally rows for one.
    sql.analyze(ProgressTally)
    mark_embedded_hosts(StocktakeLine.objects.filter(campaign=campaign))
    campaign.state = State.ACTIVE
    campaign.activated_at = now
    campaign.activated_by = actor
    campaign.save(update_fields=["state", "activated_at", "activated_by"])
    return campaign


# --------------------------------------------------------------------------------------- close


DIFFERENCE_KIND = {
    LineResult.MISSING: Difference.Kind.SHORTAGE,
    LineResult.SURPLUS: Difference.Kind.SURPLUS,
    LineResult.FOUND_ELSEWHERE: Difference.Kind.MISMATCH,
    LineResult.MISMATCH: Difference.Kind.MISMATCH,
    LineResult.DAMAGED: Difference.Kind.DAMAGED,
}


# The note of a closed campaign's history rows, said in each reader's language (the key is
# registered with assets' history in InventoryConfig.ready).
NOTE_MESSAGES = {"stocktake": _lazy("Stocktake %(name)s (%(year)s)")}


def _flag_shortages_and_record_counts(*, campaign: StocktakeCampaign, actor, at: datetime) -> None:
    """Set 疑似盘亏 (`suspected_shortage`) on missing cards and clear it on counted ones, and
    write the cards' history: `shortage_flagged` (by `actor`, at `at`) on each card flagged,
    `counted` (by the counter, when they counted it) on each counted card, carrying the cleared
    flag where the count cleared one. Three set-based statements (`history.record_events`).

    The counted events are written here, at close, and not by each scan: a scan is the hot path
    (bench/stocktake.py), and an extra INSERT per scan costs every clerk's phone a write, while
    the close writes 100,000 of them in two set-based statements. A card's history shows its
    count once the campaign is closed.
    """
    book = Q(stocktake_lines__campaign=campaign, stocktake_lines__kind=StocktakeLine.Kind.BOOK)
    counted = Asset.objects.filter(book, stocktake_lines__result__in=list(COUNTED_RESULTS))
    missing = Asset.objects.filter(book, stocktake_lines__result=LineResult.MISSING)
    by_counter = {"actor": F("stocktake_lines__counted_by"), "at": F("stocktake_lines__counted_at")}
    same = {
        "note_code": "stocktake",
        "note_params": {"name": campaign.name, "year": campaign.year},
        "campaign_id": campaign.pk,
    }
    # The cards counted with no flag to clear first, before the second statement clears some.
    history.record_events(
        assets=counted.filter(suspected_shortage=False),
        kind=AssetEvent.Kind.COUNTED,
        **by_counter,
        **same,
    )
    history.record_events(
        assets=counted.filter(suspected_shortage=True),
        kind=AssetEvent.Kind.COUNTED,
        changes={"suspected_shortage": (True, False)},
        apply=True,
        **by_counter,
        **same,
    )
    history.record_events(
        assets=missing.filter(suspected_shortage=False),
        kind=AssetEvent.Kind.SHORTAGE_FLAGGED,
        changes={"suspected_shortage": (False, True)},
        apply=True,
        actor=actor,
        at=at,
        **same,
    )


@transaction.atomic
def close_campaign(*, campaign: StocktakeCampaign, actor) -> StocktakeCampaign:
    """Close the count: open lines become shortages (盘亏) unless their holder confirmed them
    (`holders`), missing cards are flagged 疑似盘亏
    and counted cards get their `counted` event (by whom, when), each naming the campaign; each
    difference is raised, and the result is frozen with its SHA-256."""
    permissions.require_manager(actor, campaign)
    campaign = _lock_campaign(campaign)
    _guard(campaign, State.CLOSED)
    now = timezone.now()
    # Custody and upkeep (issue 18): a card away for repair is counted elsewhere, not missing;
    # its repair record is the evidence (the verify method, said in each reader's language),
    # its repairer the line's place, and the difference is reviewed like any other.
    StocktakeLine.objects.filter(
        selectors.AWAY_FOR_REPAIR, campaign=campaign, result__in=OPEN_RESULTS
    ).update(
        result=LineResult.FOUND_ELSEWHERE,
        counted_quantity=1,
        counted_at=now,
        verify_method=VerifyMethod.REPAIR_RECORD,
        away_at=upkeep.repairer_under_way(OuterRef("asset_id")),
    )
    # A card its holder confirmed holding ("my assets") and no scan counted is found by them.
    holders.count_confirmed_open_lines(campaign=campaign)
    StocktakeLine.objects.filter(campaign=campaign, result__in=OPEN_RESULTS).update(
        result=LineResult.MISSING
    )
    _flag_shortages_and_record_counts(
        campaign=campaign,
        actor=actor,
        at=now,
    )
    difference_kind = Case(
        *[When(result=result, then=Value(kind)) for result, kind in DIFFERENCE_KIND.items()],
        output_field=CharField(),
    )
    columns = {
        "campaign_id": Value(campaign.pk),
        "line_id": F("pk"),
        "kind": difference_kind,
        "state": Value(Difference.State.RAISED),
        "reason": Value(""),
        "responsible": Value(""),
        "treatment": Value(""),
        "write_back": Value(False),
    }
    aliases = {f"_c{i}": expression for i, expression in enumerate(columns.values())}
    select = (
        StocktakeLine.objects.filter(campaign=campaign, result__in=list(DIFFERENCE_KIND))
        .order_by()
        .annotate(**aliases)
        .values_list(*aliases.keys())
    )
    sql.insert_from_select(Difference, list(columns), select)
    campaign.state = State.CLOSED
    campaign.closed_at = now
    campaign.closed_by = actor
    report = selectors.compute_result(campaign=campaign)
    campaign.result = report
    campaign.result_sha256 = selectors.result_digest(report)
    campaign.save(update_fields=["state", "closed_at", "closed_by", "result", "result_sha256"])
    return campaign


@transaction.atomic
def archive_campaign(*, campaign: StocktakeCampaign, actor) -> StocktakeCampaign:
    """Archive a closed campaign once every difference is posted (入账/核销): an archived
    campaign can no longer be treated, so it must not leave a difference open."""
    permissions.require_may_archive(actor, campaign)
    campaign = _lock_campaign(campaign)
    _guard(campaign, State.ARCHIVED)
    _require_differences_posted(campaign)
    campaign.state = State.ARCHIVED
    campaign.archived_at = timezone.now()
    campaign.save(update_fields=["state", "archived_at"])
    return campaign


def _require_differences_posted(campaign: StocktakeCampaign) -> None:
    # The campaign row is locked and closed: no difference is raised or posted meanwhile.
    summary = selectors.count_summary(campaign=campaign)
    message = open_differences_message(summary)
    if message:
        raise TransitionNotAllowed(message, code="differences_open")


def open_differences_message(summary: dict) -> str:
    """Why the campaign cannot be archived yet ('' when it can), from `count_summary`."""
    unposted, undisposed = summary["unposted_differences"], summary["undisposed_differences"]
    if unposted:
        return ngettext(
            "%(count)s difference is not posted yet: treat it before archiving.",
            "%(count)s differences are not posted yet: treat them before archiving.",
            unposted,
        ) % {"count": unposted}
    if undisposed:
        return ngettext(
            "%(count)s posted difference waits for its disposal case to be executed: archive "
            "once the card is written off.",
            "%(count)s posted differences wait for their disposal cases to be executed: archive "
            "once the cards are written off.",
            undisposed,
        ) % {"count": undisposed}
    return ""
