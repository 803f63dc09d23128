"""Walk findings 33 and 34: the handover's withdraw button says what withdrawing does; the new
handover picker sent without a project says what is missing."""

import pytest
from django.test import Client
from django.urls import reverse

from assets.handovers import services as hs
from tests.factories import make_asset

pytestmark = pytest.mark.django_db
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def test_the_withdraw_confirm_says_what_happens(project, clerk):
    cards = [make_asset(owner=project.builder_department, project=project) for _ in range(2)]
    handover = hs.create_handover(actor=clerk, project=project, assets=cards)
    hs.submit_handover(handover=handover, actor=clerk)
    browser = Client()
    browser.force_login(clerk)
    page = browser.get(reverse("assets:handover-detail", args=[handover.number]), **ZH)
    body = page.content.decode()
    receiver = handover.to_department.name
    assert f"撤回移交单 {handover.number}？{receiver}将不能再对其作出接收决定" in body
    assert "2 张卡片仍归本单位" in body and "确定撤回该移交单？" not in body


def test_the_new_handover_picker_without_a_project_says_so(project, clerk):
    browser = Client()
    browser.force_login(clerk)
    page = browser.get(reverse("assets:handover-create"), {"project": ""}, **ZH)
    assert "请选择要移交其资产的项目。" in page.content.decode()
    page = browser.get(reverse("assets:handover-create"), {"project": "NOPE-1"}, **ZH)
    assert "您可移交的项目中没有这个编号。" in page.content.decode()
    first = browser.get(reverse("assets:handover-create"), **ZH)
    assert "请选择要移交其资产的项目。" not in first.content.decode()
