"""Stocktake demo data, loaded by `manage.py seed_demo` after the register (assets' command calls
`seed`). Two campaigns, so the auditor and the clerks see real pages:

- 2025年度资产清查（数据局机关）: closed, its differences at every state of the register
  (raised, explained, approved, posted);
- 2026年度资产清查（大数据中心）: counting, about a third counted, with a surplus find, a card found
  in the wrong room and a damaged one.

Before each count the department's clerk prints labels for three cards in four; the count scans
those labels (扫描本身标签) and types the tags of the others, which were never labelled (从未贴标),
so the label-missing rate is a real figure. Both campaigns are counted by clerks.

Everything goes through the services, in a fixed order over cards sorted by tag, so two runs on
an empty database give the same register. A campaign already there is left alone (idempotent).
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from assets.models import Asset, Department, Location, User
from inventory.models import OPEN_RESULTS, Difference, LineResult, StocktakeCampaign, StocktakeLine
from inventory.services import campaigns, differences, scanning
from labels import qr
from labels import services as label_services
from labels.models import Label, LabelTemplate

CLOSED_NAME = "2025年度资产清查（数据局机关）"
ACTIVE_NAME = "2026年度资产清查（大数据中心）"


def seed(*, stdout=None) -> None:
    admin = User.objects.filter(username="admin").first()
    if admin is None or not Department.objects.filter(code="DSJZX").exists():
        return
    if not StocktakeCampaign.objects.filter(name=CLOSED_NAME).exists():
        closed = _closed_campaign(admin)
        _say(stdout, f"  {closed.name}: {closed.differences.count()} differences")
    if not StocktakeCampaign.objects.filter(name=ACTIVE_NAME).exists():
        active = _active_campaign(admin)
        counted = active.lines.exclude(result__in=list(OPEN_RESULTS)).count()
        _say(stdout, f"  {active.name}: {counted} of {active.lines.count()} lines counted")


def _say(stdout, text: str) -> None:
    if stdout is not None:
        stdout.write(text)


def _book_lines(campaign) -> list[StocktakeLine]:
    return list(
        StocktakeLine.objects.filter(campaign=campaign, kind=StocktakeLine.Kind.BOOK)
        .select_related("location")
        .order_by("tag")
    )


def _label_three_in_four(printer, departments) -> None:
    """Labels for three in four of the departments' cards that carry one (by tag); the fourth
    is never labelled. Batches of at most the in-request limit, so they render at once."""
    cards = list(
        Asset.objects.filter(
            Q(owner_department__in=departments) | Q(using_department__in=departments),
            label_mode__in=[Asset.LabelMode.OWN_LABEL, Asset.LabelMode.CARD_LABEL],
        )
        .exclude(status=Asset.Status.RETIRED)
        .order_by("tag")
    )
    chosen = [card for n, card in enumerate(cards) if n % 4 != 3]
    template = LabelTemplate.objects.filter(code="a4-70x40").first()
    if template is None:
        return
    size = max(1, settings.YIKA_LABELS_SYNC_LIMIT)
    for start in range(0, len(chosen), size):
        label_services.print_labels(
            actor=printer, assets=chosen[start : start + size], template=template
        )


def _code(line: StocktakeLine) -> str:
    """What the clerk's phone reads: the label's QR text, or the typed tag of a card without one."""
    serial = (
        Label.objects.filter(asset_id=line.asset_id, superseded_at=None, voided_at=None)
        .values_list("serial", flat=True)
        .first()
    )
    if serial is None:
        return line.tag
    return qr.encode(site_url=settings.SITE_URL, tag=line.tag, label_serial=serial)


def _elsewhere(line: StocktakeLine) -> Location:
    """A room of the same department that is not the line's book location."""
    return (
        Location.objects.filter(is_active=True, kind="room")
        .exclude(pk=line.location_id)
        .order_by("code")
        .first()
    )


@transaction.atomic
def _closed_campaign(admin) -> StocktakeCampaign:
    offices = list(Department.objects.filter(code__in=["SJJ-BGS", "SJJ-GHC"]).order_by("code"))
    clerk = User.objects.get(username="clerk_sjj")
    # 规划处 has no clerk of its own: the administrator printed the bureau's labels.
    _label_three_in_four(admin, offices)
    campaign = campaigns.create_campaign(
        actor=admin,
        name=CLOSED_NAME,
        year=2025,
        reference_date=date(2025, 12, 31),
        due_on=date(2026, 1, 31),
        departments=offices,
        # The office's clerk counts both offices (规划处 has no clerk of its own).
        assignments=[(clerk, office, None) for office in offices],
        note="年度清查：数据局机关各处室",
    )
    campaign = campaigns.activate_campaign(campaign=campaign, actor=admin)
    lines = _book_lines(campaign)
    # All but the last three are found; one of them in another room, one damaged.
    for n, line in enumerate(lines[:-3]):
        if n == 1:
            scanning.record_scan(
                campaign=campaign, actor=clerk, code=_code(line), location=_elsewhere(line)
            )
        else:
            scanning.record_scan(campaign=campaign, actor=clerk, code=_code(line), damaged=n == 2)
    scanning.record_surplus(
        campaign=campaign,
        actor=clerk,
        note="会议室角落一台无标签的投影仪（爱普生 CB-FH52）",
        # A counter books a surplus find only at a place of their own department.
        location=Location.objects.filter(department=clerk.department, is_active=True)
        .order_by("code")
        .first(),
    )
    campaign = campaigns.close_campaign(campaign=campaign, actor=admin)

    raised = {
        kind: list(campaign.differences.filter(kind=kind).select_related("line").order_by("id"))
        for kind in Difference.Kind.values
    }
    # A wrong location: explained (written back) and approved, so the card moved.
    for item in raised[Difference.Kind.MISMATCH][:1]:
        differences.explain_difference(
            difference=item,
            actor=clerk,
            reason="处室调整办公室后未办理存放地点变更",
            responsible="赵文",
            treatment="按实盘地点更新卡片",
            write_back=True,
        )
        differences.approve_difference(difference=item, actor=admin)
    # The damaged card: explained, approved and posted (now in a draft scrap case).
    for item in raised[Difference.Kind.DAMAGED][:1]:
        differences.explain_difference(
            difference=item,
            actor=clerk,
            reason="屏幕碎裂，无维修价值",
            responsible="赵文",
            treatment="申请报废处置",
        )
        differences.approve_difference(difference=item, actor=admin)
        differences.post_difference(difference=item, actor=admin)
    # One shortage explained and waiting for approval; the others stay raised.
    for item in raised[Difference.Kind.SHORTAGE][:1]:
        differences.explain_difference(
            difference=item,
            actor=clerk,
            reason="借给规划发展处使用，未办理借用手续",
            responsible="赵文",
            treatment="补办借用登记后复核",
        )
    return campaign


@transaction.atomic
def _active_campaign(admin) -> StocktakeCampaign:
    centre = Department.objects.get(code="DSJZX")
    clerk = User.objects.get(username="clerk")
    _label_three_in_four(clerk, Department.objects.filter(code__startswith="DSJZX"))
    campaign = campaigns.create_campaign(
        actor=admin,
        name=ACTIVE_NAME,
        year=2026,
        reference_date=date(2026, 12, 31),
        due_on=date(2027, 1, 31),
        departments=[centre],
        note="年度清查：大数据中心（含各部门）",
    )
    campaign = campaigns.activate_campaign(campaign=campaign, actor=admin)
    lines = [
        line
        for line in _book_lines(campaign)
        if not line.embedded and line.result == LineResult.PENDING and line.location_id
    ]
    # Every third card is counted: one in another room, one damaged.
    for n, line in enumerate(lines[::3]):
        location = _elsewhere(line) if n == 1 else line.location
        scanning.record_scan(
            campaign=campaign, actor=clerk, code=_code(line), location=location, damaged=n == 2
        )
    scanning.record_surplus(
        campaign=campaign,
        actor=clerk,
        note="301 主机房 B06 机柜内一台无标签的千兆交换机",
        location=Location.objects.filter(code="HQ-B1-F3-301-B06").first(),
    )
    return campaign
