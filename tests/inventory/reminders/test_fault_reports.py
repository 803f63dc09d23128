"""Walk finding 7: a fault report (报修) reaches the inbox of the card's clerks at once, once,
with a link to where they record the repair."""

import pytest
from django.test import Client
from django.urls import reverse

from assets.custody import services as cs
from inventory.models import Notification
from inventory.reminders import jobs
from tests.factories import UserFactory, make_asset

pytestmark = pytest.mark.django_db


def test_a_holders_fault_report_tells_every_clerk_of_the_card_once(centre, clerk):
    clerk_ops = UserFactory(username="clerk_ops", department=centre, roles=["clerk"])
    holder = UserFactory(
        username="zhangchi", display_name="张持有", department=centre, roles=["staff"]
    )
    asset = make_asset(owner=centre, name="机架式服务器")
    cs.checkout_asset(asset=asset, actor=clerk, holder=holder)
    browser = Client()
    browser.force_login(holder)
    response = browser.post(
        reverse("assets:asset-report-fault", args=[asset.tag]), {"fault": "开机无显示"}
    )
    assert response.status_code == 302
    for user in (clerk, clerk_ops):
        note = Notification.objects.get(recipient=user, kind="fault_reported")
        assert asset.tag in note.title and "开机无显示" in note.body and "张持有" in note.body
        assert note.link == reverse("assets:asset-repairs", args=[asset.tag])
        # Walk 2 finding 22: a plain sentence, not "据此报修登记维修".
        assert note.body == (
            "张持有 报修：开机无显示。请在该资产的维修页登记维修，报修的故障描述已自动填入。"
        )
    assert not Notification.objects.filter(recipient=holder).exists()
    # A retry of the step tells nobody twice.
    jobs.notify_fault_reported(repair=asset.repairs.get())
    assert Notification.objects.filter(kind="fault_reported").count() == 2
