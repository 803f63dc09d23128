"""Exports of disposal cases and their cards: scope, filters, formula-safe cells."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from assets.disposals import services as ds
from tests.api_base import APITestBase
from tests.assets.disposals.conftest import scrap_fields
from tests.factories import make_asset

pytestmark = pytest.mark.django_db


def text_of(response, name) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if name.endswith("csv"):
        return content.decode("utf-8-sig")
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return "\n".join(str(cell.value) for row in sheet.iter_rows() for cell in row)


class TestDisposalExportAPI(APITestBase):
    """`GET /api/v1/disposals/export.xlsx|.csv`: one line per card, the reader's cases only."""

    url_names = ("disposal-export-xlsx", "disposal-export-csv")

    @pytest.fixture
    def both(self, clerk, other_clerk, centre, other_bureau, tiers):
        from datetime import date

        mine = ds.create_disposal(
            actor=clerk,
            fields=scrap_fields(reason='=HYPERLINK("http://x")'),
            tags=[make_asset(owner=centre, in_service_on=date(2012, 1, 1)).tag for _ in range(2)],
        )
        theirs = ds.create_disposal(
            actor=other_clerk,
            fields=scrap_fields(),
            tags=[make_asset(owner=other_bureau, in_service_on=date(2012, 1, 1)).tag],
        )
        return mine, theirs

    @pytest.mark.parametrize("name", url_names)
    def test_the_clerk_exports_their_cases_card_by_card(self, request, both, name):
        mine, theirs = both
        response = self.client_for(request, "clerk").get(reverse(name))
        assert response.status_code == 200
        text = text_of(response, name)
        for tag in mine.items.values_list("asset__tag", flat=True):
            assert tag in text
        assert mine.number in text and theirs.number not in text

    @pytest.mark.parametrize("name", url_names)
    def test_filters_and_anonymous(self, request, both, name):
        mine, _theirs = both
        auditor = self.client_for(request, "auditor")
        assert mine.number not in text_of(auditor.get(reverse(name), {"state": "executed"}), name)
        assert auditor.get(reverse(name), {"year": "x"}).status_code == 400
        assert self.client_for(request, None).get(reverse(name)).status_code == 401
