"""A register with a history: cards registered, revalued, reclassified, handed over, idled and
retired between marked moments (`history` fixture)."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from assets import services
from assets.handovers import services as hs
from assets.models import Asset
from tests.factories import leaf_category, make_asset, retire_directly


@dataclass
class History:
    marks: list = field(default_factory=list)
    cards: dict = field(default_factory=dict)

    def mark(self):
        self.marks.append(timezone.now())
        return self.marks[-1]


def change_cards_later(history: History, *, clerk, receiver, project) -> None:
    """Every kind of change a balance reads, made to the history's cards."""
    cards = history.cards
    services.revalue_asset(
        asset=cards["provisional"],
        actor=clerk,
        original_value=Decimal("88000.00"),
        value_type=Asset.ValueType.FINAL,
    )
    services.update_asset(
        asset=cards["desktop"],
        actor=clerk,
        fields={
            "category": leaf_category("A02010104"),
            "in_service_on": date(2020, 1, 1),
            "useful_life_months": 60,
        },
    )
    services.change_status(asset=cards["laptop"], actor=clerk, status=Asset.Status.IDLE)
    services.change_status(asset=cards["server"], actor=clerk, status=Asset.Status.PENDING_DISPOSAL)
    retire_directly(asset=cards["server"], actor=clerk, reason="报废")
    handover = hs.create_handover(actor=clerk, project=project, assets=[cards["provisional"]])
    handover = hs.submit_handover(handover=handover, actor=clerk)
    hs.decide_handover(
        handover=handover,
        actor=receiver,
        decisions=[hs.ItemDecision(tag=cards["provisional"].tag, result="accepted")],
    )
    services.change_status(asset=cards["draft"], actor=clerk, status=Asset.Status.IN_USE)
    cards["late"] = make_asset(owner=clerk.department, actor=clerk, name="后来的")


@pytest.fixture
def history(clerk, centre, other_bureau, project):
    """Cards of the centre and the health commission, then mark 0."""
    h = History()
    h.cards["desktop"] = make_asset(
        owner=centre,
        actor=clerk,
        in_service_on=date(2022, 5, 10),
        original_value=Decimal("6000.00"),
    )
    h.cards["laptop"] = make_asset(
        owner=centre,
        actor=clerk,
        category_code="A02010108",
        in_service_on=date(2021, 1, 1),
        original_value=Decimal("9999.99"),
    )
    h.cards["server"] = make_asset(
        owner=centre,
        actor=clerk,
        category_code="A02010104",
        in_service_on=date(2019, 6, 1),
        original_value=Decimal("120000.00"),
    )
    h.cards["provisional"] = make_asset(
        owner=centre,
        actor=clerk,
        project=project,
        category_code="A02010200",
        value_type=Asset.ValueType.PROVISIONAL,
        in_service_on=date(2024, 3, 15),
        original_value=Decimal("90000.00"),
    )
    h.cards["draft"] = make_asset(
        owner=centre, actor=clerk, status=Asset.Status.DRAFT, original_value=Decimal("1.00")
    )
    h.cards["theirs"] = make_asset(
        owner=other_bureau,
        category_code="A08060303",
        in_service_on=date(2023, 7, 1),
        original_value=Decimal("30000.00"),
    )
    h.mark()
    return h
