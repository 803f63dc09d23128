"""The demo shows a reconciliation with the finance books on first run: the centre's clerk
reconciled a finance export that disagrees on two cards of each kind; --once adds nothing."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from assets.models import User
from assets.reconciliations.models import Reconciliation, ReconciliationDifference

pytestmark = pytest.mark.django_db


def test_seed_demo_has_a_reconciliation_with_differences_of_each_kind(client):
    call_command("seed_demo", stdout=io.StringIO())
    reconciliation = Reconciliation.objects.get()
    assert reconciliation.created_by.username == "clerk"
    assert reconciliation.state == Reconciliation.State.OPEN
    kinds = {}
    for kind in reconciliation.differences.values_list("kind", flat=True):
        kinds[kind] = kinds.get(kind, 0) + 1
    assert kinds == dict.fromkeys(ReconciliationDifference.Kind.values, 2)
    # Agreeing rows: all but the six that differ and the two only in the finance books.
    assert reconciliation.matched_count == reconciliation.row_count - 8
    assert reconciliation.encoding.lower().startswith("gb")
    # The clerk who signs in first sees it, with its differences listed.
    client.force_login(User.objects.get(username="clerk"))
    page = client.get(reverse("assets:reconciliation-upload"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "财务系统资产卡片导出（示例）.csv" in page.content.decode()
    detail = client.get(
        reverse("assets:reconciliation-detail", args=[reconciliation.pk])
        + "?result=only_in_finance",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    ).content.decode()
    assert "CW-2019-901" in detail and "CW-2019-902" in detail
    call_command("seed_demo", "--once", stdout=io.StringIO())
    assert Reconciliation.objects.count() == 1
