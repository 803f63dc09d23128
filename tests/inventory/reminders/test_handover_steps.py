"""Issue 14 walk residual 7: a handover's submit tells the receiving department's receivers and
its decision tells the sender, in their inbox, once each, with a link to where they act."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from assets.handovers import services as hs
from inventory.models import Notification, ReminderLog
from inventory.reminders import jobs
from tests.factories import UserFactory, make_asset

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(clerk, receiver, project, centre):
    cards = [make_asset(owner=centre, project=project, name=name) for name in ("主机", "交换机")]
    handover = hs.create_handover(actor=clerk, project=project, assets=cards)
    return hs.submit_handover(handover=handover, actor=clerk), cards


def test_submit_tells_every_receiver_of_the_receiving_department_once(
    submitted, receiver, other_bureau, clerk
):
    handover, _cards = submitted
    second = UserFactory(username="receiver2", department=other_bureau, roles=["receiver"])
    # The second receiver existed too late for the first submit: run the step again, as a retry
    # would, and only the missing one is told; nobody twice.
    jobs.notify_handover_step(step="submitted", handover=handover)
    jobs.notify_handover_step(step="submitted", handover=handover)
    for user in (receiver, second):
        inbox = Notification.objects.filter(recipient=user, kind="handover_submitted")
        assert inbox.count() == 1
        note = inbox.get()
        assert handover.number in note.title
        assert note.link == f"/handovers/{handover.number}/review/"
    assert not Notification.objects.filter(recipient=clerk).exists()
    assert ReminderLog.objects.filter(subject=f"handover:{handover.number}").count() == 2


def test_the_decision_tells_the_sender_in_their_language_with_a_link(submitted, receiver, clerk):
    handover, cards = submitted
    clerk.language = "en"
    clerk.save()
    hs.decide_handover(
        handover=handover,
        actor=receiver,
        decisions=[
            hs.ItemDecision(tag=cards[0].tag, result="accepted"),
            hs.ItemDecision(tag=cards[1].tag, result="rejected", reason="不在合同清单内"),
        ],
    )
    note = Notification.objects.get(recipient=clerk, kind="handover_decided")
    assert note.title.startswith(f"Handover {handover.number} decided")
    assert "1 accepted, 1 rejected" in note.body
    assert note.link == f"/handovers/{handover.number}/"
    # The link opens the sender's page, and the bell shows the message.
    client = Client()
    client.force_login(clerk)
    assert client.get(note.link).status_code == 200


def test_a_refused_decision_tells_nobody(submitted, receiver, clerk):
    handover, cards = submitted
    with pytest.raises(ValidationError):
        hs.decide_handover(
            handover=handover,
            actor=receiver,
            decisions=[hs.ItemDecision(tag=cards[0].tag, result="accepted")],
        )
    assert not Notification.objects.filter(kind="handover_decided").exists()
