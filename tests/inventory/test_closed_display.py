"""A closed campaign's page reads as closed (walk findings 2 and 36): no 实时 badge, and the
progress bars show found and short in their shares instead of a plain 100%."""

import pytest
from django.urls import reverse

from inventory.services import campaigns, scanning
from tests.factories import make_asset

pytestmark = pytest.mark.django_db
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def test_a_closed_campaign_shows_found_and_short_not_live(
    client, admin_user, clerk, plan, pc, centre, room
):
    make_asset(owner=centre, actor=clerk, location=room, name="打印机")
    make_asset(owner=centre, actor=clerk, location=room, name="显示器")
    make_asset(owner=centre, actor=clerk, location=room, name="扫描仪")
    campaign = campaigns.activate_campaign(campaign=plan(), actor=admin_user)
    scanning.record_scan(campaign=campaign, actor=clerk, code=pc.tag)
    url = reverse("inventory:campaign-detail", args=[campaign.pk])
    for user in (admin_user, clerk):
        client.force_login(user)
        assert "实时" in client.get(url, **ZH).content.decode()
    campaigns.close_campaign(campaign=campaign, actor=admin_user)
    for user in (admin_user, clerk):
        client.force_login(user)
        text = client.get(url, **ZH).content.decode()
        assert "实时" not in text
        assert "共 4 张：盘到 1 张，盘亏 3 张" in text
        assert 'class="progress__bar" style="width: 25%"' in text
        assert 'progress__bar--short" style="width: 75%"' in text
        assert 'style="width: 100.0%"' not in text and 'style="width: 100%"' not in text


def test_the_differences_page_of_an_open_campaign_says_they_come_at_close(client, clerk, active):
    client.force_login(clerk)
    url = reverse("inventory:difference-list", args=[active.pk])
    text = client.get(url, **ZH).content.decode()
    assert "差异在结束盘点时生成" in text and "无差异" not in text
    assert reverse("inventory:line-list", args=[active.pk]) in text


def test_a_holder_is_told_the_lines_are_outside_their_scope_not_to_start_anything(
    client, centre, active
):
    from tests.factories import UserFactory

    holder = UserFactory(username="holder1", department=centre, roles=["staff"])
    client.force_login(holder)
    answer = client.get(reverse("inventory:campaign-detail", args=[active.pk]), **ZH)
    assert answer.status_code == 200
    text = answer.content.decode()
    assert "请先启动盘点任务" not in text
    assert "没有属于您查看范围的明细" in text
