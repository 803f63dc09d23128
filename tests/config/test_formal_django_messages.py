"""Walk 2 findings 19 and 20: Django's own messages that Yika shows (the password pages, the
admin's user add page) say 您 like the rest of the site, in the project's catalogue; the reminder
log's period column shows words, not the ledger's keys."""

import pytest
from django.urls import reverse
from django.utils import translation

from inventory.models import ReminderLog
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(bureau):
    return UserFactory(username="root", department=bureau, roles=["admin"], is_staff=True)


def test_the_password_page_says_nin_when_the_old_password_is_wrong(client, root):
    client.force_login(root)
    response = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": "abc", "new_password2": "abc"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    body = response.content.decode()
    assert "您的旧密码不正确。请重新输入。" in body
    assert "你" not in body
    english = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": "abc", "new_password2": "abc"},
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()
    assert "Your old password was entered incorrectly." in english


def test_the_password_validators_say_nin():
    with translation.override("zh-hans"):
        from django.contrib.auth.password_validation import MinimumLengthValidator

        assert MinimumLengthValidator(8).get_help_text() == "您的密码必须包含至少 8 个字符。"


def test_the_admins_user_add_page_is_in_chinese(client, root):
    client.force_login(root)
    body = client.get(
        reverse("admin:assets_user_add"), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "After you’ve created a user" not in body
    assert "创建用户后，您可以编辑更多用户选项。" in body


def test_the_reminder_logs_period_column_shows_words(client, root):
    for period in ("reported", "decided", "submitted", "2026-W03"):
        ReminderLog.objects.create(
            kind="fault_reported", recipient=root, subject="x", period=period
        )
    client.force_login(root)
    body = client.get(
        reverse("admin:inventory_reminderlog_changelist"), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    for words in ("报修时", "作出结论时", "提交时", "2026 年第 3 周"):
        assert f'<td class="field-period_shown">{words}</td>' in body, words
    assert ">reported<" not in body and ">decided<" not in body
