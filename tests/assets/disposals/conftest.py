"""Fixtures of the disposal tests: tiers as the DOMAIN example, an approver, cards of the centre."""

from datetime import date
from decimal import Decimal

import pytest

from assets.disposals import services as ds
from tests.factories import UserFactory, make_asset


@pytest.fixture
def tiers(db):
    """Below ¥200,000 the unit's head (approver); from ¥200,000 the finance bureau (admin)."""
    low = ds.save_tier(
        actor=None,
        fields={"up_to": Decimal("200000"), "approver_role": "approver", "body": "单位负责人"},
    )
    high = ds.save_tier(
        actor=None, fields={"up_to": None, "approver_role": "admin", "body": "市财政局"}
    )
    return low, high


@pytest.fixture
def approver(bureau):
    return UserFactory(username="approver", department=bureau, roles=["approver"])


@pytest.fixture
def old_card(centre):
    """A card past its service life (in service 2015, six years)."""
    return make_asset(owner=centre, in_service_on=date(2015, 1, 1), name="旧服务器")


@pytest.fixture
def cards(centre):
    return [
        make_asset(owner=centre, in_service_on=date(2016, 3, 1), name=f"旧台式机{i}")
        for i in range(3)
    ]


def scrap_fields(**fields):
    return {"method": "scrap", "grounds": "past_life", "reason": "", **fields}


@pytest.fixture
def draft(clerk, cards, tiers):
    return ds.create_disposal(actor=clerk, fields=scrap_fields(), tags=[c.tag for c in cards])


@pytest.fixture
def submitted(draft, clerk):
    return ds.submit_disposal(case=draft, actor=clerk)


@pytest.fixture
def approved(submitted, approver):
    return ds.approve_disposal(
        case=submitted, actor=approver, approval_no="市数据局〔2026〕12号", approved_on=date.today()
    )


@pytest.fixture(autouse=True)
def _english():
    """Service refusals are matched in English here; the pages' Chinese is tested with them."""
    from django.utils import translation

    with translation.override("en"):
        yield
