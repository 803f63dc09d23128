"""Two receivers deciding one handover at once: exactly one decision wins (SECURITY.md test 9)."""

import threading

import pytest
from django.db import connection

from assets.errors import TransitionNotAllowed
from assets.handovers import services as hs
from assets.models import AssetEvent, Handover
from tests.factories import UserFactory, make_asset


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_receivers_deciding_at_once_yield_one_decision(project, clerk, receiver):
    second = UserFactory(username="receiver2", department=receiver.department, roles=["receiver"])
    assets = [make_asset(owner=project.builder_department, project=project) for _ in range(3)]
    handover = hs.create_handover(actor=clerk, project=project, assets=assets)
    hs.submit_handover(handover=handover, actor=clerk)
    barrier = threading.Barrier(2)
    outcomes = {}

    def decide(user, result):
        try:
            barrier.wait()
            hs.decide_handover(
                handover=handover,
                actor=user,
                decisions=[
                    hs.ItemDecision(tag=a.tag, result=result, reason="不符") for a in assets
                ],
            )
            outcomes[user.username] = "won"
        except TransitionNotAllowed:
            outcomes[user.username] = "409"
        except Exception as error:  # anything else is a bug the test must show
            outcomes[user.username] = repr(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(receiver, "accepted")),
        threading.Thread(target=decide, args=(second, "rejected")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes.values()) == ["409", "won"], outcomes
    handover.refresh_from_db()
    winner = receiver if outcomes["receiver"] == "won" else second
    assert handover.decided_by == winner
    decided_events = AssetEvent.objects.filter(
        handover=handover,
        kind__in=[AssetEvent.Kind.HANDOVER_ACCEPTED, AssetEvent.Kind.HANDOVER_REJECTED],
    )
    assert decided_events.count() == len(assets)
    assert handover.state in (Handover.State.ACCEPTED, Handover.State.REJECTED)
