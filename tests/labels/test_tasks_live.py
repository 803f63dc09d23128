"""A large print batch through the real Redis broker and a real worker (`live_worker`), no mocks.

Run with: REDIS_URL=redis://127.0.0.1:6379/13 DATABASE_URL=postgres://…/yika_labels pytest …
"""

import time

import pytest

from labels import services
from labels.models import LabelTemplate, PrintBatch
from tests.factories import make_asset

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def wait_for(predicate, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    raise AssertionError("timed out waiting for the worker")


def test_a_large_batch_is_rendered_by_the_worker(live_worker, centre, clerk, settings):
    settings.YIKA_LABELS_SYNC_LIMIT = 2
    assets = [make_asset(owner=centre) for _ in range(5)]
    batch = services.print_labels(
        actor=clerk, assets=assets, template=LabelTemplate.objects.get(code="mini-40x20")
    )
    wait_for(lambda: PrintBatch.objects.get(pk=batch.pk).is_finished)
    batch.refresh_from_db()
    assert (batch.state, batch.done_count, batch.pages) == ("done", 5, 1)
    assert batch.attempts == 1
