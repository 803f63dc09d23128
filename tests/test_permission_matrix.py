"""Replays tests/permission_matrix.py and fails for any route missing from it (SECURITY.md test 1)."""

import json
from types import SimpleNamespace

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from tests.factories import DepartmentFactory, UserFactory
from tests.permission_matrix import EXEMPT, MATRIX, OBJECTS, ROLES


def route_keys(patterns=None, namespace=None, prefix=""):
    """Every route as `namespace:name` (or `/pattern` when unnamed), with its full pattern."""
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from route_keys(pattern.url_patterns, ns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            full = prefix + str(pattern.pattern)
            if pattern.name:
                yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), full
            else:
                yield "/" + full, full


def is_exempt(key: str) -> bool:
    return any(key.startswith(prefix) for prefix in EXEMPT)


def test_every_route_is_in_the_matrix():
    covered = {row.route for row in MATRIX}
    missing = sorted({key for key, _ in route_keys() if key not in covered and not is_exempt(key)})
    assert not missing, (
        "Routes missing from tests/permission_matrix.py (add one R(...) line per method):\n  "
        + "\n  ".join(missing)
    )


def test_matrix_names_only_existing_routes():
    keys = {key for key, _ in route_keys()}
    assert not sorted({row.route for row in MATRIX} - keys)


def test_matrix_rows_give_every_role():
    for row in MATRIX:
        assert set(row.expected) == set(ROLES), row.id
        assert row.object_kind is None or row.object_kind in OBJECTS, row.id


@pytest.fixture
def matrix_context(db):
    bureau = DepartmentFactory(code="BUREAU", name="市数据局", kind="bureau")
    own = DepartmentFactory(code="BDC", name="市大数据中心", kind="centre", parent=bureau)
    other = DepartmentFactory(code="HEALTH", name="市卫健委", kind="bureau")
    users = {
        role: UserFactory(username=f"m-{role}", department=own, roles=[role])
        for role in ROLES
        if role != "anonymous"
    }
    return SimpleNamespace(own=own, other=other, bureau=bureau, users=users)


def _call(client: APIClient, method: str, url: str, data: dict | None):
    body = data or {}
    if url.startswith("/api/"):
        if method in ("GET", "HEAD"):
            return client.generic(method, url)
        return client.generic(method, url, json.dumps(body), content_type="application/json")
    if method == "GET":
        return client.get(url)
    return getattr(client, method.lower())(url, body)


@pytest.mark.parametrize("row", MATRIX, ids=[row.id for row in MATRIX])
def test_permission_matrix(matrix_context, row):
    sides = [True, False] if row.object_kind else [True]
    kwargs = {
        own: OBJECTS[row.object_kind](matrix_context, own) if row.object_kind else {}
        for own in sides
    }
    failures = []
    for role in ROLES:
        for own in sides:
            client = APIClient()
            if role != "anonymous":
                client.force_login(matrix_context.users[role])
            url = reverse(row.route, kwargs=kwargs[own])
            response = _call(client, row.method, url, row.data)
            expected = row.status_for(role, own)
            if response.status_code != expected:
                side = "own" if own else "other"
                failures.append(f"{role}/{side}: {response.status_code} (expected {expected})")
    assert not failures, f"{row.id}: " + "; ".join(failures)
