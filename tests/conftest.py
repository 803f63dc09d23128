import pytest
from django.db import connection
from rest_framework.test import APIClient

from tests.factories import DepartmentFactory, UserFactory


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` prove behaviour only PostgreSQL has; elsewhere they say why."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        skip = pytest.mark.skip(reason="needs PostgreSQL (run with DATABASE_URL=postgres://…)")
        for item in items:
            if "postgres" in item.keywords:
                item.add_marker(skip)


@pytest.fixture
def is_postgres():
    return connection.vendor == "postgresql"


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
