"""Read queries shared by the stocktake API, pages, exports and reports.

Progress and totals are aggregate queries grouped in the database, never a loop over lines.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from assets import permissions as asset_permissions
from assets.models import Asset, Category, Department, Location
from inventory import permissions, sql
from inventory.models import (
    COUNTED_RESULTS,
    OPEN_RESULTS,
    Difference,
    LineResult,
    ProgressTally,
    StocktakeCampaign,
    StocktakeLine,
    VerifyMethod,
)

# Every read of a campaign's content (lines, differences, progress, the report in every format, the
# dashboard) starts from `lines_visible_to`: a clerk reads their share, auditors and admins all.

ZERO = Value(Decimal("0.00"), output_field=DecimalField(max_digits=16, decimal_places=2))
# A line handed over to another unit while uncounted left the count (`services.handed_over`): it
# is in no book figure, counted, short or pending, and is reported on its own (`HANDED_OVER`).
HANDED_OVER = Q(result=LineResult.HANDED_OVER)
BOOK = Q(kind=StocktakeLine.Kind.BOOK) & ~HANDED_OVER
DONE = ~Q(result__in=list(OPEN_RESULTS))
COUNTED = Q(result__in=list(COUNTED_RESULTS))
PENDING = Q(result__in=list(OPEN_RESULTS))
SHORTAGE = Q(result=LineResult.MISSING)
# A line its holder confirmed ("my assets") and no scan counted yet: found, by its holder, when
# the campaign closes (`services.holders`); the figures count it so already.
HELD = PENDING & Q(holder_confirmed_at__isnull=False)
BY_HOLDER = HELD | Q(verify_method=VerifyMethod.CUSTODIAN)
COUNTED_OR_HELD = COUNTED | HELD
UNCONFIRMED = PENDING & Q(holder_confirmed_at__isnull=True)
# A card away for repair (issue 18) is counted elsewhere at close, its repair record the
# evidence: never a shortage (`campaigns.close_campaign`, the close dialog's count).
AWAY_FOR_REPAIR = Q(asset__status=Asset.Status.UNDER_REPAIR)
MISMATCH = Q(result__in=[LineResult.FOUND_ELSEWHERE, LineResult.MISMATCH])


def campaigns_visible_to(*, user) -> QuerySet:
    """The campaigns `user` may read (`permissions.visible_campaigns`), with their scope lists."""
    queryset = StocktakeCampaign.objects.select_related("created_by").prefetch_related(
        "departments", "locations", "categories"
    )
    return permissions.visible_campaigns(user, queryset)


def scope_names(*, campaign: StocktakeCampaign, scope: dict) -> dict[str, list[str]]:
    """The names of a result's scope (`scope` lists codes: the frozen result keeps them), as a
    reader knows them; a code the campaign no longer links stays as it was recorded."""
    out = {}
    for key in ("departments", "locations", "categories"):
        names = dict(getattr(campaign, key).values_list("code", "name"))
        out[key] = [names.get(code) or code for code in scope.get(key, [])]
    return out


def scope_assets(*, campaign: StocktakeCampaign) -> QuerySet:
    """The cards a campaign covers: live, booked cards under its scope (subtrees included)."""
    queryset = Asset.objects.exclude(status__in=[Asset.Status.RETIRED, Asset.Status.DRAFT])
    department_ids = list(campaign.departments.values_list("pk", flat=True))
    if department_ids:
        ids = sql.subtree_ids(Department, department_ids)
        queryset = queryset.filter(Q(owner_department__in=ids) | Q(using_department__in=ids))
    location_ids = list(campaign.locations.values_list("pk", flat=True))
    if location_ids:
        queryset = queryset.filter(location__in=sql.subtree_ids(Location, location_ids))
    category_ids = list(campaign.categories.values_list("pk", flat=True))
    if category_ids:
        queryset = queryset.filter(category__in=sql.subtree_ids(Category, category_ids))
    return queryset


def lines_visible_to(*, user, campaign: StocktakeCampaign) -> QuerySet:
    """Lines of a campaign the user may read (`permissions.readable_line_q`): everything for
    auditors and admins, the counter's own scope (and their surplus finds) for clerks."""
    lines = StocktakeLine.objects.filter(campaign=campaign).select_related(
        "category", "department", "location", "counted_location", "counted_by"
    )
    condition = permissions.readable_line_q(user, campaign)
    return lines if condition is None else lines.filter(condition)


def reads_whole_campaign(user) -> bool:
    """Auditors and admins read every line of a campaign and its frozen whole-campaign result."""
    return asset_permissions.reads_everything(user)


def with_holder_confirmations(differences: QuerySet) -> QuerySet:
    """Each difference with `holder_confirmed_at` and `holder_confirmed_by`: the latest "I still
    hold it" its card's holder gave on "my assets" after the count closed (walk4-6: a shortage
    the holder says is with them is checked before it is written off)."""
    from django.db.models import OuterRef, Subquery

    from assets.custody.models import HoldingConfirmation
    from assets.models import User

    later = HoldingConfirmation.objects.filter(
        asset_id=OuterRef("line__asset_id"), confirmed_at__gt=OuterRef("campaign__closed_at")
    ).order_by("-confirmed_at")
    return differences.annotate(
        holder_confirmed_at=Subquery(later.values("confirmed_at")[:1]),
        holder_confirmed_by=Subquery(
            later.annotate(who=User.name_expression("holder__")).values("who")[:1]
        ),
    )


def differences_visible_to(
    *, user, campaign: StocktakeCampaign, kind: str | None = None
) -> QuerySet:
    """The difference register of the lines `user` may read (`lines_visible_to`)."""
    queryset = Difference.objects.filter(campaign=campaign)
    if not reads_whole_campaign(user):
        queryset = queryset.filter(
            line__in=lines_visible_to(user=user, campaign=campaign).values("pk")
        )
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset.select_related(
        "line",
        "line__department",
        "line__category",
        "line__location",
        "line__counted_location",
        "draft_asset",
    ).order_by("kind", "line__tag", "id")


def _money(expression_filter: Q, field: str = "original_value"):
    return Coalesce(Sum(field, filter=expression_filter), ZERO)


def progress(*, campaign: StocktakeCampaign, user, by: str = "department") -> list[dict]:
    """Book lines per department (or location) in `user`'s share of the campaign: counted
    (实盘数: found, found elsewhere, information differs, damaged, or confirmed by its holder),
    of them confirmed by the holder with no scan (`by_holder`), shortages (盘亏, decided at
    close), pending (not yet counted), and % done (counted or decided ÷ lines).

    Read from the progress tally (`models.ProgressTally`, kept by the database in the same
    transaction as every write to the lines), filtered by the same share as the lines
    (`permissions.readable_line_q`, whose fields the tally's key carries): exact counts from a
    few rows, whatever the campaign's size. Then the few department (location) names by id."""
    key, model = {
        "department": ("department_id", Department),
        "location": ("location_id", Location),
    }[by]
    tally = ProgressTally.objects.filter(campaign=campaign, kind=StocktakeLine.Kind.BOOK).filter(
        Q(lines__gt=0) | Q(handed_over__gt=0)
    )
    condition = permissions.readable_line_q(user, campaign)
    if condition is not None:
        tally = tally.filter(condition)
    figures = ("lines", "counted", "by_holder", "shortage", "pending", "handed_over")
    rows = [
        # PostgreSQL sums bigints as numeric: counts are ints.
        {key: row[key], **{name: int(row[name]) for name in figures}}
        for row in tally.values(key).annotate(**{name: Sum(name) for name in figures}).order_by()
    ]
    names = {
        pk: (code, name)
        for pk, code, name in model.objects.filter(
            pk__in=[row[key] for row in rows if row[key]]
        ).values_list("pk", "code", "name")
    }
    out = []
    for row in rows:
        code, name = names.get(row[key], ("", ""))
        out.append(
            {
                "code": code,
                "name": name,
                **_progress_figures(row["lines"], row["counted"], row["shortage"], row["pending"]),
                "by_holder": row["by_holder"],
                "handed_over": row["handed_over"],
            }
        )
    return sorted(out, key=lambda item: item["code"])


def _progress_figures(total: int, counted: int, shortage: int, pending: int) -> dict:
    done = total - pending
    return {
        "total": total,
        "counted": counted,
        "shortage": shortage,
        "pending": pending,
        "done": done,
        "percent": round(100 * done / total, 1) if total else 0.0,
        "counted_percent": round(100 * counted / total, 1) if total else 0.0,
    }


def progress_summary(rows: list[dict]) -> dict:
    """The campaign's figures over `progress` rows (one reader's share): the dashboard's head."""
    return {
        **_progress_figures(
            sum(row["total"] for row in rows),
            sum(row["counted"] for row in rows),
            sum(row["shortage"] for row in rows),
            sum(row["pending"] for row in rows),
        ),
        "by_holder": sum(row["by_holder"] for row in rows),
        "handed_over": sum(row["handed_over"] for row in rows),
    }


def _totals(queryset: QuerySet, group: str | None) -> list[dict]:
    """账面数/实盘数/盘盈/盘亏/毁损/信息不符 in count and 原值 (and 净值 for book and counted)."""
    annotations = {
        "book_count": Count("id", filter=BOOK),
        "book_value": _money(BOOK),
        "book_net": _money(BOOK, "net_value"),
        "counted_count": Count("id", filter=BOOK & COUNTED_OR_HELD),
        "counted_value": _money(BOOK & COUNTED_OR_HELD),
        "counted_net": _money(BOOK & COUNTED_OR_HELD, "net_value"),
        "by_holder_count": Count("id", filter=BOOK & BY_HOLDER),
        "surplus_count": Count("id", filter=Q(kind=StocktakeLine.Kind.SURPLUS)),
        "shortage_count": Count("id", filter=BOOK & SHORTAGE),
        "shortage_value": _money(BOOK & SHORTAGE),
        "pending_count": Count("id", filter=BOOK & UNCONFIRMED),
        "pending_value": _money(BOOK & UNCONFIRMED),
        "damaged_count": Count("id", filter=BOOK & Q(result=LineResult.DAMAGED)),
        "damaged_value": _money(BOOK & Q(result=LineResult.DAMAGED)),
        "mismatch_count": Count("id", filter=BOOK & MISMATCH),
        "mismatch_value": _money(BOOK & MISMATCH),
        "matched_count": Count("id", filter=BOOK & (Q(result=LineResult.FOUND) | HELD)),
        "matched_value": _money(BOOK & (Q(result=LineResult.FOUND) | HELD)),
        "label_missing": Count("id", filter=BOOK & COUNTED & Q(label_ok=False)),
        "handed_over_count": Count("id", filter=HANDED_OVER),
        "handed_over_value": _money(HANDED_OVER),
    }
    if group:
        rows = queryset.values(f"{group}__code", f"{group}__name").annotate(**annotations)
        rows = rows.order_by(f"{group}__code")
    else:
        rows = [queryset.aggregate(**annotations)]
    out = []
    for row in rows:
        item = {
            "code": (row.get(f"{group}__code") or "") if group else "",
            "name": (row.get(f"{group}__name") or "") if group else "",
        }
        for name in annotations:
            value = row[name]
            item[name] = f"{value:.2f}" if isinstance(value, Decimal) else value
        out.append(_with_rates(item))
    return out


def _rate(part, whole) -> float | None:
    part, whole = Decimal(str(part)), Decimal(str(whole))
    if not whole:
        return None
    return float((part / whole * 100).quantize(Decimal("0.01")))


def _with_rates(item: dict) -> dict:
    """账实相符率 (DOMAIN.md §4): book lines found with no open difference ÷ all book lines,
    by count and by 原值; surplus lines are left out. Label-missing rate = counted without a
    readable active label ÷ counted."""
    item["match_rate_count"] = _rate(item["matched_count"], item["book_count"])
    item["match_rate_value"] = _rate(item["matched_value"], item["book_value"])
    item["label_missing_rate"] = _rate(item["label_missing"], item["counted_count"])
    return item


def compute_result(*, campaign: StocktakeCampaign, lines: QuerySet | None = None) -> dict:
    """The campaign's result: header, overall totals and rates, by department and by category,
    and a digest of every line so a later change to any line is visible. `lines` narrows the
    figures to one reader's share (no digest then: it would not be the campaign's)."""
    whole = lines is None
    lines = StocktakeLine.objects.filter(campaign=campaign) if whole else lines
    return {
        "campaign": {
            "id": campaign.pk,
            "name": campaign.name,
            "year": campaign.year,
            "reference_date": campaign.reference_date.isoformat(),
            "due_on": campaign.due_on.isoformat(),
            "state": campaign.state,
            "activated_at": campaign.activated_at.isoformat() if campaign.activated_at else None,
            "closed_at": campaign.closed_at.isoformat() if campaign.closed_at else None,
            "scope": {
                "departments": sorted(campaign.departments.values_list("code", flat=True)),
                "locations": sorted(campaign.locations.values_list("code", flat=True)),
                "categories": sorted(campaign.categories.values_list("code", flat=True)),
            },
        },
        "totals": _totals(lines, None)[0],
        "by_department": _totals(lines, "department"),
        "by_category": _totals(lines, "category"),
        "lines_sha256": lines_digest(campaign=campaign) if whole else None,
    }


def lines_digest(*, campaign: StocktakeCampaign) -> str:
    """SHA-256 over every line's identity, book values and result (`sql.lines_digest`)."""
    return sql.lines_digest(campaign=campaign)


def result_digest(result: dict) -> str:
    text = json.dumps(result, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def result_is_intact(*, campaign: StocktakeCampaign) -> bool:
    """True when the stored result and every line still match the SHA-256 taken at close."""
    if not campaign.result:
        return False
    return result_digest(campaign.result) == campaign.result_sha256 and lines_digest(
        campaign=campaign
    ) == campaign.result.get("lines_sha256")


def report(*, campaign: StocktakeCampaign, user) -> dict:
    """The result as `user` may read it. Auditors and admins: the frozen result of a closed
    campaign, or a live computation of the whole campaign while counting. Everyone else: the
    figures of their share (`lines_visible_to`), marked as such in `coverage`, never frozen."""
    if reads_whole_campaign(user):
        if campaign.result:
            data = dict(campaign.result)
            data["sha256"] = campaign.result_sha256
            data["frozen"] = True
        else:
            data = compute_result(campaign=campaign)
            data["sha256"] = None
            data["frozen"] = False
        data["coverage"] = {"whole": True, "user": None, "user_name": None, "department": None}
        return data
    data = compute_result(campaign=campaign, lines=lines_visible_to(user=user, campaign=campaign))
    data["sha256"] = None
    data["frozen"] = False
    department = user.department
    data["coverage"] = {
        "whole": False,
        "user": user.get_username(),
        "user_name": str(user),  # as people read it: the display name when there is one
        "department": {"code": department.code, "name": department.name} if department else None,
    }
    return data


# ------------------------------------------------------------------ what a campaign action does
# The figures a manager reads before confirming activate / close / archive, and after it. They
# cover the whole campaign: only those who manage it (every department of its scope) act on it.


def activation_preview(*, campaign: StocktakeCampaign) -> int:
    """How many cards activating the campaign freezes into its book snapshot."""
    return scope_assets(campaign=campaign).count()


def overlapping_campaigns(*, campaign: StocktakeCampaign) -> list[tuple[StocktakeCampaign, int]]:
    """The other active campaigns that already hold book lines of cards this one would freeze,
    each with how many: a card counted in two campaigns at once would be a shortage in the one
    it was not scanned in (walk2-2)."""
    shared = (
        StocktakeLine.objects.filter(
            BOOK,
            campaign__state=StocktakeCampaign.State.ACTIVE,
            asset__in=scope_assets(campaign=campaign).values("pk"),
        )
        .exclude(campaign=campaign)
        .values("campaign")
        .annotate(cards=Count("asset", distinct=True))
        .order_by("-cards", "campaign")
    )
    counts = {row["campaign"]: row["cards"] for row in shared}
    others = StocktakeCampaign.objects.in_bulk(counts)
    return [(others[pk], cards) for pk, cards in counts.items()]


def count_summary(*, campaign: StocktakeCampaign) -> dict:
    """Book lines counted (confirmed by their holder too), still open (closing makes them
    shortages) and missing, surplus finds,
    and the differences not yet posted (archiving waits for them)."""
    lines = StocktakeLine.objects.filter(campaign=campaign).aggregate(
        book=Count("pk", filter=BOOK),
        counted=Count("pk", filter=BOOK & COUNTED_OR_HELD),
        by_holder=Count("pk", filter=BOOK & BY_HOLDER),
        open=Count("pk", filter=BOOK & UNCONFIRMED & ~AWAY_FOR_REPAIR),
        missing=Count("pk", filter=BOOK & Q(result=LineResult.MISSING)),
        surplus=Count("pk", filter=Q(kind=StocktakeLine.Kind.SURPLUS)),
        handed_over=Count("pk", filter=HANDED_OVER),
    )
    differences = Difference.objects.filter(campaign=campaign).aggregate(
        total=Count("pk"),
        unposted=Count("pk", filter=~Q(state=Difference.State.POSTED)),
        undisposed=Count("pk", filter=UNDISPOSED_DIFFERENCE),
    )
    lines["differences"] = differences["total"]
    lines["unposted_differences"] = differences["unposted"]
    lines["undisposed_differences"] = differences["undisposed"]
    lines["open_differences"] = differences["unposted"] + differences["undisposed"]
    return lines


# A posted shortage or damage stays open until its card is disposed of: its case executed
# retires the card (a card retired otherwise needs no case).
UNDISPOSED_DIFFERENCE = Q(
    state="posted", kind__in=["shortage", "damaged"], line__asset__isnull=False
) & ~Q(line__asset__status="retired")
OPEN_DIFFERENCE = ~Q(state="posted") | UNDISPOSED_DIFFERENCE


def open_differences(*, campaign: StocktakeCampaign) -> QuerySet:
    """The campaign's differences still open (archiving waits for them), with their case."""
    return (
        Difference.objects.filter(campaign=campaign)
        .filter(OPEN_DIFFERENCE)
        .select_related("line", "line__asset", "disposal")
        .order_by("kind", "line__tag", "id")
    )
