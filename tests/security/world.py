"""A small two-department register with one object of every kind, built through the services.

Department A is the big data centre (`centre`, clerk `clerk`), department B the health commission
(`other_bureau`, clerk `other_clerk`, receiver `receiver`). Each side has cards (a host with an
embedded component), a rendered label batch, a stocktake campaign with a scan, and B has a decided
handover from a delegated-build project of A's with its stored certificate. Every free-text field
takes `text`, so the XSS corpus can fill the whole register with one payload.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from assets.handovers import services as hs
from assets.models import Asset, Department, Handover, Location, User
from inventory.models import StocktakeCampaign
from inventory.services import campaigns, scanning
from labels import services as labels
from labels.models import LabelTemplate, PrintBatch
from tests.factories import LocationFactory, make_asset, make_project, retire_directly


@dataclass
class Side:
    department: Department
    clerk: User
    room: Location
    host: Asset
    component: Asset
    retired: Asset
    spare: Asset
    batch: PrintBatch
    campaign: StocktakeCampaign
    assets: list[Asset] = field(default_factory=list)


@dataclass
class World:
    a: Side
    b: Side
    admin: User
    receiver: User
    handover: Handover
    text: str


def _side(*, department, clerk, admin, code, text, suffix) -> Side:
    room = LocationFactory(code=f"{code}-ROOM", name=f"{text} 机房{suffix}", department=department)
    host = make_asset(
        owner=department,
        actor=clerk,
        location=room,
        name=f"{text} 自助终端{suffix}",
        model=f"{text} KS-9000",
        brand=text,
        custodian=f"{text} 张三",
        notes=f"{text} notes",
        serial_number=f"SN-{code}-1",
    )
    component = make_asset(
        owner=department,
        actor=clerk,
        parent=host,
        embedded=True,
        location=room,
        name=f"{text} 接入终端{suffix}",
        model=text,
        serial_number=f"SN-{code}-2",
    )
    retired = make_asset(
        owner=department, actor=clerk, location=room, name=f"{text} 旧打印机{suffix}"
    )
    retire_directly(asset=retired, actor=clerk, reason=f"{text} 损坏")
    spare = make_asset(  # never scanned: stays pending in the campaign
        owner=department, actor=clerk, location=room, name=f"{text} 笔记本{suffix}"
    )
    template = LabelTemplate.objects.get(code="a4-70x40")
    batch = labels.print_labels(actor=clerk, assets=[host, component], template=template)
    batch.refresh_from_db()
    if batch.state == PrintBatch.State.QUEUED:  # inside a test transaction on_commit never ran
        labels.render_batch(batch_id=batch.pk)
        batch.refresh_from_db()
    campaign = campaigns.create_campaign(
        actor=admin,
        name=f"{text} 年度清查{suffix}",
        year=2025,
        reference_date=date(2025, 12, 31),
        due_on=date(2026, 1, 31),
        departments=[department],
        note=text,
    )
    campaign = campaigns.activate_campaign(campaign=campaign, actor=admin)
    scanning.record_scan(campaign=campaign, actor=clerk, code=host.tag, location=room)
    return Side(
        department=department,
        clerk=clerk,
        room=room,
        host=host,
        component=component,
        retired=retired,
        spare=spare,
        batch=batch,
        campaign=campaign,
        assets=[host, component, retired, spare],
    )


def build_world(
    *, centre, other_bureau, clerk, other_clerk, receiver, admin_user, text="普通"
) -> World:
    a = _side(department=centre, clerk=clerk, admin=admin_user, code="A", text=text, suffix="甲")
    b = _side(
        department=other_bureau,
        clerk=other_clerk,
        admin=admin_user,
        code="B",
        text=text,
        suffix="乙",
    )
    project = make_project(
        builder=centre,
        owner=other_bureau,
        code="DJ-SEC-01",
        name=f"{text} 平台",
        accepted_on=date(2024, 3, 15),
    )
    delivered = [
        make_asset(
            owner=centre,
            actor=clerk,
            project=project,
            name=f"{text} 代建服务器{n}",
            original_value=Decimal("120000.00"),
        )
        for n in (1, 2)
    ]
    handover = hs.create_handover(actor=clerk, project=project, assets=delivered, note=text)
    hs.submit_handover(handover=handover, actor=clerk)
    hs.decide_handover(
        handover=handover,
        actor=receiver,
        decisions=[
            hs.ItemDecision(tag=delivered[0].tag, result="accepted", custodian=f"{text} 李四"),
            hs.ItemDecision(tag=delivered[1].tag, result="rejected", reason=f"{text} 不符"),
        ],
        comment=text,
    )
    handover.refresh_from_db()
    return World(a=a, b=b, admin=admin_user, receiver=receiver, handover=handover, text=text)
