"""Stocktake campaigns and their lines on the generic API base (tests/api_base.py).

The scan, report and difference behaviours of the same viewset are in tests/inventory/test_api.py.
"""

import pytest
from django.urls import reverse

from assets.models import AssetEvent
from inventory.models import StocktakeLine
from tests.api_base import (
    ActionEventTests,
    AnonymousListTests,
    AnonymousTests,
    CreateTests,
    ListTests,
    RetrieveTests,
    ScopeListTests,
    ScopeTests,
    WrongRoleTests,
)
from tests.factories import make_asset, make_campaign

pytestmark = pytest.mark.django_db


class StocktakeAPIBase:
    basename = "stocktake"
    lookup = "id"
    lookup_url_kwarg = "pk"
    reader = "clerk"
    writer = "clerk"  # a clerk manages a campaign wholly inside their department scope
    wrong_role = "auditor"

    def make_object(self, request):
        """An active campaign over the centre, with one card not counted yet."""
        centre = request.getfixturevalue("centre")
        make_asset(owner=centre, name="台式计算机")
        return make_campaign(actor=request.getfixturevalue("clerk"), departments=[centre])

    def make_other_object(self, request):
        """A draft over the health commission only: the centre's clerk does not see it."""
        return make_campaign(
            actor=request.getfixturevalue("admin_user"),
            departments=[request.getfixturevalue("other_bureau")],
            activate=False,
            name="卫健委2025年度资产清查",
        )

    def get_create_data(self, request):
        return {
            "name": "二〇二五年盘点",
            "year": 2025,
            "reference_date": "2025-12-31",
            "due_on": "2026-01-31",
            "departments": [request.getfixturevalue("centre").code],
        }

    def write(self, client, obj):
        # A campaign changes through its actions only; activating is the first.
        return client.post(self.action_url(obj, "activate"), format="json")


class TestStocktakeAPI(
    StocktakeAPIBase,
    ListTests,
    RetrieveTests,
    CreateTests,
    AnonymousTests,
    WrongRoleTests,
    ScopeTests,
    ActionEventTests,
):
    """Closing a campaign writes the count's outcome on each card of the snapshot."""

    event_action = "close"

    def events_of(self, obj):
        return AssetEvent.objects.filter(campaign_id=obj.pk)

    def expected_events(self, obj):
        return obj.lines.filter(kind=StocktakeLine.Kind.BOOK).count()


class TestStocktakeAPIReceiver(StocktakeAPIBase, WrongRoleTests):
    """A receiver of a department in the campaign follows it but neither plans nor starts it."""

    wrong_role = "receiver"
    writer = "admin_user"

    def make_object(self, request):
        other_bureau = request.getfixturevalue("other_bureau")
        return make_campaign(
            actor=request.getfixturevalue("admin_user"), departments=[other_bureau], activate=False
        )


class TestStocktakeLinesAPI(ListTests, AnonymousListTests, ScopeListTests):
    """`GET /api/v1/stocktakes/{id}/lines/`: a clerk reads the lines of their own departments,
    not another department's lines of the same campaign."""

    basename = "stocktake"
    url_names = ("stocktake-lines",)
    lookup = "tag"
    reader = "clerk"

    def campaign(self):
        """One active campaign over the centre and the health commission, a card of each."""
        if not hasattr(self, "_campaign"):
            centre = self.request.getfixturevalue("centre")
            other_bureau = self.request.getfixturevalue("other_bureau")
            self.mine = make_asset(owner=centre, name="台式计算机")
            self.theirs = make_asset(owner=other_bureau, name="卫健委服务器")
            self._campaign = make_campaign(
                actor=self.request.getfixturevalue("admin_user"),
                departments=[centre, other_bureau],
            )
        return self._campaign

    def list_url(self):
        return reverse("stocktake-lines", kwargs={"pk": self.campaign().pk})

    def make_object(self, request):
        return self.campaign().lines.get(tag=self.mine.tag)

    def make_other_object(self, request):
        return self.campaign().lines.get(tag=self.theirs.tag)
