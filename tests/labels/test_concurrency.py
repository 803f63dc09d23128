"""Parallel reprints of one card (SECURITY.md test 9): one active label, unique serials, no 500."""

import threading

import pytest
from django.db import connection

from labels import services
from labels.models import Label, LabelTemplate
from tests.factories import DepartmentFactory, UserFactory, make_asset

THREADS = 8


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_reprints_leave_exactly_one_active_label():
    department = DepartmentFactory(code="PAR", name="并发测试部门")
    clerk = UserFactory(username="parallel-clerk", department=department, roles=["clerk"])
    asset = make_asset(owner=department)
    template = LabelTemplate.objects.get(code="mini-40x20")
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def reprint():
        try:
            barrier.wait(timeout=30)
            services.print_labels(actor=clerk, assets=[asset], template=template)
        except BaseException as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=reprint) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    serials = sorted(Label.objects.filter(asset=asset).values_list("serial", flat=True))
    assert serials == list(range(1, THREADS + 1))
    active = Label.objects.filter(asset=asset, superseded_at__isnull=True, voided_at__isnull=True)
    assert list(active.values_list("serial", flat=True)) == [THREADS]
