"""Roles by name and drop-downs that read well (walk of 2026-12-03, findings 25 and 26)."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from assets.security import selectors as security
from tests.factories import UserFactory, make_asset

pytestmark = pytest.mark.django_db
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def browser(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_security_log_names_roles_and_leaves_out_empty_values():
    with translation.override("zh-hans"):
        text = security.detail_text({"by": "", "added": ["staff", "clerk"], "removed": []})
    assert "操作人" not in text and "移除角色" not in text
    assert "新增角色：" in text or "新增角色:" in text
    assert "资产使用人" in text and "资产管理员" in text and "staff" not in text


def test_the_admin_user_list_shows_and_filters_roles_by_name(bureau, clerk):
    root = UserFactory(username="root", department=bureau, roles=["admin"], is_staff=True)
    answer = browser(root).get(reverse("admin:assets_user_changelist"), **ZH)
    assert answer.status_code == 200
    text = answer.content.decode()
    assert '<td class="field-roles">资产管理员</td>' in text
    assert "?groups__id__exact" not in text
    assert "?role=clerk" in text


def test_the_disposal_transfer_offers_other_units_under_a_placeholder(clerk, centre):
    text = browser(clerk).get(reverse("assets:disposal-create"), **ZH).content.decode()
    receiving = text.split('name="to_department"')[1].split("</select>")[0]
    assert "请选择…" in receiving and "---------" not in receiving
    assert f'value="{centre.code}"' not in receiving


def test_the_handover_form_offers_no_builder_and_says_what_empty_means(project, clerk):
    text = browser(clerk).get(reverse("assets:handover-create"), {"project": project.code}, **ZH)
    receiving = text.content.decode().split('name="to_department"')[1].split("</select>")[0]
    assert "项目权属单位" in receiving and "---------" not in receiving
    assert f'value="{project.builder_department.code}"' not in receiving


def test_the_holder_choice_has_a_placeholder_and_no_usernames(clerk, centre):
    UserFactory(username="zhangsan", display_name="张三", department=centre, roles=["staff"])
    asset = make_asset(owner=centre, in_service_on=date(2020, 1, 1))
    text = browser(clerk).get(reverse("assets:asset-custody", args=[asset.tag]), **ZH)
    holder = text.content.decode().split('name="checkout-user"')[1].split("</select>")[0]
    assert "请选择…" in holder and "张三" in holder and "zhangsan" not in holder


# --- 27: the admin in Chinese ----------------------------------------------------------------


@pytest.fixture
def root(bureau):
    return UserFactory(username="root", department=bureau, roles=["admin"], is_staff=True)


def test_the_admin_index_table_headers_are_chinese(root):
    text = browser(root).get(reverse("admin:index"), **ZH).content.decode()
    assert "模型名称" in text and "Model name" not in text


def test_a_list_title_reads_as_chinese(root):
    text = browser(root).get(reverse("admin:assets_department_changelist"), **ZH)
    assert "选择要修改的" in text.content.decode()


def test_an_empty_approving_body_is_said_once(root):
    answer = browser(root).post(
        reverse("admin:assets_approvaltier_add"),
        {"up_to": "1000", "approver_role": "approver", "body": ""},
        **ZH,
    )
    text = answer.content.decode()
    assert answer.status_code == 200
    assert ("该字段是必填项。" in text) != ("请填写审批机关。" in text)
