"""Reminder channels through the real Redis broker and a real worker (`live_worker`): the post
reaches the real HTTP receiver on 127.0.0.1 once, however often the delivery task is queued.

Run with: REDIS_URL=redis://127.0.0.1:6379/7 DATABASE_URL=postgres://…/yika_seclog pytest …
"""

import pytest

from inventory.models import ChannelDelivery
from inventory.reminders import channels, outbox
from inventory.reminders import jobs as reminders
from tests.factories import UserFactory
from tests.inventory.reminders.test_channels import HOOK_SECRET, Receiver, reminder
from tests.inventory.reminders.test_live import settle, wait_for

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def receiver(settings):
    settings.YIKA_WEBHOOK_ALLOWED_ADDRESSES = ["127.0.0.1"]
    server = Receiver()
    yield server
    server.close()


def test_worker_posts_once_even_when_the_task_is_queued_twice(live_worker, receiver, centre):
    person = UserFactory(username="zhang", department=centre, roles=["receiver"])
    from inventory.models import ReminderChannel

    ReminderChannel.objects.create(
        name="短信网关", kind="webhook", url=receiver.url("/hook"), user=person, secret=HOOK_SECRET
    )
    reminders.send_reminder(reminder=reminder(person))
    delivery = ChannelDelivery.objects.get()
    outbox.enqueue_task(task=channels.DELIVER, kwargs={"delivery_id": delivery.pk})  # a duplicate
    wait_for(lambda: ChannelDelivery.objects.filter(state="sent").exists())
    settle(lambda: len(receiver.requests))
    assert len(receiver.requests) == 1
    assert receiver.requests[0]["json"]["recipient"]["username"] == "zhang"
