"""A user's department tree (`permissions.department_scope_ids` / `department_ancestor_ids`): one
hand-written recursive query, down to the sub-departments and up to the root, cached per request."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assets import permissions
from assets.models import Department
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    root = DepartmentFactory(code="T-ROOT")
    middle = DepartmentFactory(code="T-MID", parent=root)
    leaf = DepartmentFactory(code="T-LEAF", parent=middle)
    leaf_sibling = DepartmentFactory(code="T-LEAF-2", parent=middle)
    middle_sibling = DepartmentFactory(code="T-MID-2", parent=root)
    cousin = DepartmentFactory(code="T-COUSIN", parent=middle_sibling)
    return root, middle, leaf, leaf_sibling, middle_sibling, cousin


def test_scope_is_the_department_and_its_descendants_ancestors_run_up_to_the_root(tree):
    root, middle, leaf, leaf_sibling, middle_sibling, cousin = tree
    user = UserFactory(department=middle)
    assert permissions.department_scope_ids(user) == {middle.pk, leaf.pk, leaf_sibling.pk}
    assert permissions.department_ancestor_ids(user) == {middle.pk, root.pk}


def test_a_leaf_scopes_only_itself_and_a_root_has_no_parents(tree):
    root, middle, leaf, leaf_sibling, middle_sibling, cousin = tree
    at_leaf = UserFactory(department=leaf)
    assert permissions.department_scope_ids(at_leaf) == {leaf.pk}
    assert permissions.department_ancestor_ids(at_leaf) == {leaf.pk, middle.pk, root.pk}
    at_root = UserFactory(department=root)
    assert permissions.department_scope_ids(at_root) == {n.pk for n in tree}
    assert permissions.department_ancestor_ids(at_root) == {root.pk}


def test_a_user_without_a_department_has_empty_sets_and_no_query(tree):
    user = UserFactory(department=None)
    with CaptureQueriesContext(connection) as queries:
        assert permissions.department_scope_ids(user) == set()
        assert permissions.department_ancestor_ids(user) == set()
    assert len(queries) == 0


def test_both_sets_cost_one_query_per_request(tree):
    user = UserFactory(department=tree[1])
    # The roles are read once per request before any scope (the API's RolePermission, the
    # pages' context processor); a holder (`staff` only) has no department scope (issue 18).
    permissions.roles_of(user)
    with CaptureQueriesContext(connection) as queries:
        permissions.department_scope_ids(user)
        permissions.department_ancestor_ids(user)
        permissions.department_scope_ids(user)
    assert len(queries) == 1


def test_it_agrees_with_the_tree_paths_of_tree_queries(tree):
    for department in Department.objects.all():
        rows = (
            Department.objects.with_tree_fields()
            .filter(tree_path__contains=department.pk)
            .values_list("pk", "tree_path")
        )
        user = UserFactory(username=f"u-{department.code}", department=department)
        assert permissions.department_scope_ids(user) == {pk for pk, _ in rows}
        assert permissions.department_ancestor_ids(user) == set(dict(rows)[department.pk])
