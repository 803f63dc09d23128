"""The register export carries custody and upkeep at its end: due date, last repair, contract end."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.utils import timezone

from assets.custody import services as cs
from assets.maintenance import services as ms
from tests.factories import make_asset

pytestmark = pytest.mark.django_db


def _rows(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))


def test_export_ends_with_due_date_last_repair_and_contract_end(
    api, centre, clerk, holder, django_assert_max_num_queries
):
    today = timezone.localdate()
    host = make_asset(owner=centre, name="服务器")
    inside = make_asset(owner=centre, parent=host, embedded=True, name="网卡")
    cs.checkout_asset(asset=host, actor=clerk, holder=holder, due_on=today + timedelta(days=9))
    ms.record_repair(
        asset=host,
        actor=clerk,
        fields={"fault": "x", "started_on": today - timedelta(days=3), "finished_on": today},
    )
    ms.save_contract(
        actor=clerk,
        fields={
            "number": "WB-1",
            "vendor": "浪潮",
            "department": centre,
            "starts_on": date(2025, 1, 1),
            "ends_on": date(2027, 12, 31),
            "assets": [host],
        },
    )
    api.as_user(clerk)
    with django_assert_max_num_queries(20):
        rows = _rows(api.get("/api/v1/assets/export.csv", HTTP_ACCEPT_LANGUAGE="en"))
    header = rows[0]
    assert header[-3:] == ["Due back on", "Last repair", "Contract cover until"]
    by_tag = {row[0]: row for row in rows[1:]}
    assert by_tag[host.tag][-3:] == [
        (today + timedelta(days=9)).isoformat(),
        today.isoformat(),
        "2027-12-31",
    ]
    assert by_tag[host.tag][header.index("Custodian account")] == "zhangsan"
    assert by_tag[inside.tag][-3:] == ["", "", "2027-12-31"]
