import pytest

from tests.factories import UserFactory


@pytest.fixture
def holder(centre):
    """A plain holder (`staff`) of the big data centre."""
    return UserFactory(username="zhangsan", display_name="张三", department=centre, roles=["staff"])


@pytest.fixture
def outsider(other_bureau):
    return UserFactory(
        username="lisi", display_name="李四", department=other_bureau, roles=["staff"]
    )
