"""Fixtures of the reminder channel tests: the real HTTP receiver on 127.0.0.1, a recipient in
the centre, and sending a reminder with its after-commit tasks run."""

import pytest

from inventory.reminders import jobs as reminders
from tests.factories import UserFactory
from tests.inventory.reminders.test_channels import Receiver


@pytest.fixture
def receiver(settings):
    settings.YIKA_WEBHOOK_ALLOWED_ADDRESSES = ["127.0.0.1"]
    settings.SITE_URL = "https://yika.example.gov.cn"
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def person(centre):
    return UserFactory(username="zhang", department=centre, roles=["receiver"], display_name="张三")


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    def send(r):
        with django_capture_on_commit_callbacks(execute=True):
            return reminders.send_reminder(reminder=r)

    return send
