"""The admin in Chinese, as the demo administrator reads it (walk finding 9): the action select
opens on 请选择… (not "动作 ---------"), every model's add button reads 新增用户 without a space,
colons and commas are full-width, the welcome names the person ("欢迎您，张三。", not
"欢迎， ADMIN."), and the receiver role is a person's (接收人), not the receiving unit."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory
from tests.i18n.spy import ascii_punctuation, prose_lines

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(centre):
    return UserFactory(
        username="admin",
        display_name="张三",
        department=centre,
        roles=["admin"],
        is_staff=True,
        is_superuser=True,
    )


def read(user, url, language="zh-hans"):
    user.language = language
    user.save(update_fields=["language"])
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


ADMIN_PAGES = [
    "admin:index",
    "admin:assets_user_changelist",
    "admin:assets_user_add",
    "admin:assets_department_changelist",
    "admin:assets_department_add",
    "admin:assets_location_changelist",
    "admin:assets_asset_changelist",
    "admin:labels_labeltemplate_changelist",
]


def test_the_action_select_opens_on_a_prompt(superuser):
    page = read(superuser, reverse("admin:assets_user_changelist"))
    select = re.search(r'<select name="action"[^>]*>(.*?)</select>', page, re.S).group(1)
    first = re.search(r"<option[^>]*>([^<]*)</option>", select).group(1)
    assert first == "请选择…", select
    assert "---------" not in select
    assert re.search(r"<label>\s*操作：", page), "the action select's label"


@pytest.mark.parametrize(
    ("route", "button"),
    [
        ("admin:assets_user_changelist", "新增用户"),
        ("admin:assets_department_changelist", "新增部门"),
        ("admin:labels_labeltemplate_changelist", "新增标签模板"),
    ],
)
def test_every_models_add_button_reads_without_a_space(superuser, route, button):
    page = read(superuser, reverse(route))
    assert button in page
    assert not re.search(r"增加 \S", page)


def test_the_welcome_names_the_person_in_one_chinese_sentence(superuser):
    page = read(superuser, reverse("admin:index"))
    assert "欢迎您，<strong>张三</strong>。" in page
    assert "欢迎，" not in page
    english = read(superuser, reverse("admin:index"), "en")
    assert "Welcome, <strong>张三</strong>." in english


def test_the_welcome_is_not_upper_cased():
    from django.conf import settings

    css = (settings.BASE_DIR / "config/static/yika/admin.css").read_text()
    assert re.search(r"#user-tools strong[^{]*\{[^}]*text-transform: none", css)


@pytest.mark.parametrize("route", ADMIN_PAGES)
def test_admin_pages_punctuate_in_chinese(superuser, route):
    found = ascii_punctuation(prose_lines(read(superuser, reverse(route))))
    assert not found, found


def test_the_receiver_role_is_a_person(superuser, other_bureau):
    from assets.permissions import role_label

    receiver = UserFactory(username="r-wjw", department=other_bureau, roles=["receiver"])
    page = read(receiver, reverse("assets:asset-list"))
    badges = re.findall(r'<span class="badge">([^<]*)</span>', page)
    assert "接收人" in badges, badges
    users = read(superuser, reverse("admin:assets_user_changelist"))
    assert "接收人" in users
    assert role_label("receiver") == "接收人"
    # The handover's field is still the receiving unit.
    assert "接收单位" not in badges
