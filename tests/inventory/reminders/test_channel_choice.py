"""Users choose how reminders reach them (issue 20, "A department (and a user) chooses its
channels"): on their account page, e-mail and each kind of channel configured for them, with the
WeCom / DingTalk user id a group robot @-mentions; the ledger sends by that choice only."""

import pytest
from django.core import mail
from django.test import Client

from inventory.models import ChannelDelivery, ReminderChoice, ReminderLog
from tests.inventory.reminders import test_channels
from tests.inventory.reminders.test_channels import DING_SECRET, channel, reminder

# The channel tests' fixtures: the real HTTP receiver, the recipient, sending with its tasks.
receiver = test_channels.receiver
person = test_channels.person
send = test_channels.send

pytestmark = pytest.mark.django_db

WECOM = "/cgi-bin/webhook/send?key=wecom-key"
DING = "/robot/send?access_token=ding-token"


@pytest.fixture
def both_robots(receiver, centre):
    channel("wecom", receiver.url(WECOM), department=centre)
    channel("dingtalk", receiver.url(DING), department=centre, secret=DING_SECRET)


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_without_a_choice_every_way_is_used(both_robots, receiver, person, send):
    person.email = "zhang@example.gov.cn"
    person.save()
    send(reminder(person))
    assert sorted(r["path"] for r in receiver.requests) == ["/cgi-bin/webhook/send", "/robot/send"]
    assert len(mail.outbox) == 1


def test_the_account_page_offers_only_the_configured_kinds(both_robots, person):
    page = signed_in(person).get("/accounts/").content.decode()
    assert 'id="reminders"' in page
    for name in ("by_email", "by_wecom", "wecom_userid", "by_dingtalk", "dingtalk_userid"):
        assert f'name="{name}"' in page
    assert 'name="by_webhook"' not in page


def test_the_next_reminder_goes_only_the_chosen_way(both_robots, receiver, person, send):
    person.email = "zhang@example.gov.cn"
    person.save()
    answer = signed_in(person).post(
        "/notifications/choice/", {"by_dingtalk": "on", "dingtalk_userid": "zhangsan01"}
    )
    assert answer.status_code == 302 and answer["Location"] == "/accounts/#reminders"
    log = send(reminder(person))
    [request] = receiver.requests
    assert request["path"] == "/robot/send"
    assert request["json"]["at"] == {"atUserIds": ["zhangsan01"], "isAtAll": False}
    assert "@zhangsan01" in request["json"]["markdown"]["text"]
    assert ChannelDelivery.objects.get().channel.kind == "dingtalk"
    # E-mail declined: the ledger says so, and the queued mail task finds nothing to send.
    log.refresh_from_db()
    assert log.mail_state == ReminderLog.MailState.DECLINED
    assert mail.outbox == []
    # The inbox always has it.
    assert log.notification.recipient == person


def test_wecom_mentions_the_user_id(both_robots, receiver, person, send):
    signed_in(person).post("/notifications/choice/", {"by_wecom": "on", "wecom_userid": "ZhangSan"})
    send(reminder(person))
    [request] = receiver.requests
    assert request["json"]["markdown"]["content"].endswith("\n<@ZhangSan>")


def test_a_bad_user_id_is_refused_on_its_field_and_nothing_is_saved(both_robots, person):
    answer = signed_in(person).post(
        "/notifications/choice/", {"by_wecom": "on", "wecom_userid": "<@all>"}
    )
    assert answer.status_code == 400
    form = answer.context["section"]["form"]
    assert list(form.errors) == ["wecom_userid"]
    assert "字母、数字" in form.errors["wecom_userid"][0]
    assert not ReminderChoice.objects.exists()


def test_a_kind_not_offered_keeps_what_it_was(receiver, person, centre, send):
    channel("wecom", receiver.url(WECOM), department=centre)
    client = signed_in(person)
    client.post("/notifications/choice/", {"by_email": "on", "by_wecom": "on"})
    choice = ReminderChoice.objects.get(user=person)
    assert (choice.by_email, choice.by_wecom, choice.by_dingtalk, choice.by_webhook) == (
        True,
        True,
        True,
        True,
    )
    client.post("/notifications/choice/", {})
    choice.refresh_from_db()
    assert (choice.by_email, choice.by_wecom, choice.by_dingtalk) == (False, False, True)
    send(reminder(person))
    assert receiver.requests == []
