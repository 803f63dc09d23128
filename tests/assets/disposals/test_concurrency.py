"""Two approvers deciding one case at once: exactly one decision wins, the other is 409."""

import threading
from datetime import date

import pytest
from django.db import connection

from assets.disposals import services as ds
from assets.errors import TransitionNotAllowed
from assets.models import AssetEvent, DisposalCase
from tests.assets.disposals.conftest import scrap_fields
from tests.factories import UserFactory, make_asset


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_approvers_at_once_yield_one_decision(clerk, centre, bureau, tiers):
    first = UserFactory(username="approver1", department=bureau, roles=["approver"])
    second = UserFactory(username="approver2", department=bureau, roles=["approver"])
    cards = [make_asset(owner=centre, in_service_on=date(2012, 1, 1)) for _ in range(3)]
    case = ds.create_disposal(actor=clerk, fields=scrap_fields(), tags=[c.tag for c in cards])
    ds.submit_disposal(case=case, actor=clerk)
    barrier = threading.Barrier(2)
    outcomes = {}

    def decide(user, approve):
        try:
            barrier.wait()
            if approve:
                ds.approve_disposal(
                    case=case, actor=user, approval_no="批复1", approved_on=date.today()
                )
            else:
                ds.reject_disposal(case=case, actor=user, reason="不同意")
            outcomes[user.username] = "won"
        except TransitionNotAllowed:
            outcomes[user.username] = "409"
        except Exception as error:  # anything else is a bug the test must show
            outcomes[user.username] = repr(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(first, True)),
        threading.Thread(target=decide, args=(second, False)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes.values()) == ["409", "won"], outcomes
    case.refresh_from_db()
    winner = first if outcomes["approver1"] == "won" else second
    assert case.decided_by == winner
    assert case.state in (DisposalCase.State.APPROVED, DisposalCase.State.REJECTED)
    decided = AssetEvent.objects.filter(
        disposal=case,
        kind__in=[AssetEvent.Kind.DISPOSAL_APPROVED, AssetEvent.Kind.DISPOSAL_REJECTED],
    )
    assert decided.count() == len(cards)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_approvals_through_the_api_one_is_409(clerk, centre, bureau, tiers):
    from rest_framework.test import APIClient

    users = [
        UserFactory(username=f"approver{i}", department=bureau, roles=["approver"]) for i in (1, 2)
    ]
    card = make_asset(owner=centre, in_service_on=date(2012, 1, 1))
    case = ds.create_disposal(actor=clerk, fields=scrap_fields(), tags=[card.tag])
    ds.submit_disposal(case=case, actor=clerk)
    barrier = threading.Barrier(2)
    codes = []

    def approve(user):
        client = APIClient()
        client.force_authenticate(user)
        try:
            barrier.wait()
            response = client.post(
                f"/api/v1/disposals/{case.number}/approve/",
                {"approval_no": f"批复-{user.username}", "approved_on": str(date.today())},
                format="json",
            )
            codes.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [200, 409]
