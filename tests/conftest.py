import pytest
from rest_framework.test import APIClient

from tests.factories import DepartmentFactory, UserFactory


def pytest_unconfigure(config):
    """The run's throwaway PostgreSQL (config/settings_test.py) stops with the run, Ctrl-C and
    failures included; only the process that started it (the controller) has one to stop."""
    from config import embedded_db

    embedded_db.stop_throwaway_server()


def pytest_collection_modifyitems(config, items):
    """Tests marked `redis` prove behaviour only a real broker has; without one they are skipped
    with the reason (CI's second leg runs them)."""
    from django.conf import settings

    skip_redis = pytest.mark.skip(reason="needs a Redis broker (REDIS_URL=redis://…)")
    for item in items:
        if not settings.REDIS_URL and "redis" in item.keywords:
            item.add_marker(skip_redis)
        _require_serialized_rollback(item)


def _require_serialized_rollback(item):
    """A transactional test empties the database when it ends; without serialized rollback the
    migrations' data (roles, categories, label templates) is gone for every later test, and on
    PostgreSQL the next serialized test collides with recreated content types."""
    marker = item.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    if not marker.kwargs.get("serialized_rollback"):
        raise pytest.UsageError(
            f"{item.nodeid}: use django_db(transaction=True, serialized_rollback=True)"
        )


# --- test order under pytest-xdist ---------------------------------------------------------------
# pytest-django runs the database tests before the transactional ones, whose flush at the end
# empties the migrations' rows. A worker handed tests out of that order (`--dist loadfile`,
# `worksteal`, pytest-randomly) would fail hundreds of tests with DoesNotExist: say why instead.
_flushed_on_this_worker = []


def pytest_runtest_setup(item):
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    transactional = bool(marker and marker.kwargs.get("transaction")) or any(
        name in fixtures for name in ("transactional_db", "live_server")
    )
    if transactional:
        _flushed_on_this_worker.append(item.nodeid)
    elif (marker or "db" in fixtures) and _flushed_on_this_worker:
        pytest.fail(
            f"a database test runs after the transactional {_flushed_on_this_worker[-1]} on this "
            "worker, whose flush removed the migrations' rows: run pytest-xdist with "
            "`--dist load` (make test) and `-p no:randomly`",
            pytrace=False,
        )


# --- end of test order -------------------------------------------------------------------------


@pytest.fixture
def live_worker(transactional_db, settings):
    """A real Celery worker thread consuming from the real Redis broker, for integration tests.

    Tasks are published to Redis and run by the worker with its own database connection, so the
    test must commit what the task reads (hence `transactional_db`).
    """
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    # A message an earlier test (or an interrupted run) left in the queue would run against this
    # test's rows: each live test starts from an empty queue (its xdist worker's prefix only).
    app.control.purge()
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, shutdown_timeout=10
        ) as worker:
            yield worker
    finally:
        app.conf.task_always_eager = True


@pytest.fixture
def bureau(db):
    return DepartmentFactory(code="BUREAU", name="市数据局", kind="bureau")


@pytest.fixture
def centre(bureau):
    return DepartmentFactory(code="BDC", name="市大数据中心", kind="centre", parent=bureau)


@pytest.fixture
def other_bureau(db):
    return DepartmentFactory(code="HEALTH", name="市卫健委", kind="bureau")


@pytest.fixture
def clerk(centre):
    return UserFactory(username="clerk", department=centre, roles=["clerk"])


@pytest.fixture
def other_clerk(other_bureau):
    return UserFactory(username="otherclerk", department=other_bureau, roles=["clerk"])


@pytest.fixture
def auditor(bureau):
    return UserFactory(username="auditor", department=bureau, roles=["auditor"])


@pytest.fixture
def receiver(other_bureau):
    return UserFactory(username="receiver", department=other_bureau, roles=["receiver"])


@pytest.fixture
def admin_user(bureau):
    return UserFactory(username="admin", department=bureau, roles=["admin"])


@pytest.fixture
def api():
    """An API client; `api.as_user(user)` signs in with a session like a browser would."""

    class Client(APIClient):
        def as_user(self, user):
            self.force_login(user)
            return self

    return Client()


@pytest.fixture
def project(centre, other_bureau):
    """A delegated-build project built by the big data centre for the health commission."""
    from datetime import date

    from tests.factories import make_project

    return make_project(builder=centre, owner=other_bureau, accepted_on=date(2024, 3, 15))


@pytest.fixture
def wrong_receiver(bureau):
    """A receiver of a department that is neither party of the handovers in the tests."""
    from tests.factories import DepartmentFactory

    finance = DepartmentFactory(code="FIN", name="市财政局", kind="bureau")
    return UserFactory(username="wrongreceiver", department=finance, roles=["receiver"])


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: counters kept there (the public label page's rate
    limit per address) must not carry over from one test to the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts and ends in the default language (zh-hans, LANGUAGE_CODE): a request or
    an `activate` in one test leaves its language active in the thread, and a later test that
    reads words would pass or fail by the order the tests run in."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
