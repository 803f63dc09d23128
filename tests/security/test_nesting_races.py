"""Issue 15.11: two clerks nesting A into B and B into A at the same moment.

Each pair must end with exactly one nesting done and the other refused as a cycle (400), never
a deadlock (a 500). Real threads, each with its own PostgreSQL connection.
"""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from assets import services
from tests.factories import UserFactory, make_asset

PAIRS = 10


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_clerks_nesting_a_into_b_and_b_into_a_at_once_do_not_deadlock(centre, clerk):
    second = UserFactory(username="clerk2", department=centre, roles=["clerk"])
    pairs = [
        (make_asset(owner=centre, name=f"主机{n}A"), make_asset(owner=centre, name=f"主机{n}B"))
        for n in range(PAIRS)
    ]
    barrier = threading.Barrier(2 * PAIRS)
    outcomes: dict[tuple[int, str], str] = {}

    def nest(index, side, user, asset, parent):
        try:
            barrier.wait()
            services.nest_asset(asset=asset, actor=user, parent=parent, embedded=False)
            outcomes[(index, side)] = "nested"
        except ValidationError as error:
            outcomes[(index, side)] = "cycle" if "parent" in error.message_dict else repr(error)
        except Exception as error:  # a deadlock or anything else is the bug
            outcomes[(index, side)] = repr(error)
        finally:
            connection.close()

    threads = []
    for index, (a, b) in enumerate(pairs):
        threads.append(threading.Thread(target=nest, args=(index, "a", clerk, a, b)))
        threads.append(threading.Thread(target=nest, args=(index, "b", second, b, a)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    for index, (a, b) in enumerate(pairs):
        results = sorted([outcomes.get((index, "a")), outcomes.get((index, "b"))])
        assert results == ["cycle", "nested"], (index, outcomes)
        a.refresh_from_db()
        b.refresh_from_db()
        assert (a.parent_id == b.pk) != (b.parent_id == a.pk)
