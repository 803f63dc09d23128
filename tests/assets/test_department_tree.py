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


def test_roles_and_both_sets_cost_one_query_per_request(tree):
    user = UserFactory(department=tree[1], roles=["clerk"])
    # The roles are read once per request before any scope (the API's RolePermission, the
    # pages' context processor), and the tree comes with them (issue 21: the card lookup
    # costs what the bare endpoint costs); a holder (`staff` only) has no department scope.
    with CaptureQueriesContext(connection) as queries:
        assert permissions.roles_of(user) == {"clerk"}
        permissions.department_scope_ids(user)
        permissions.department_ancestor_ids(user)
        permissions.department_scope_ids(user)
    assert len(queries) == 1


def test_the_next_request_sees_a_department_moved_to_another_parent(tree):
    root, middle, leaf, leaf_sibling, middle_sibling, cousin = tree
    user = UserFactory(department=middle_sibling, roles=["clerk"])
    assert permissions.department_scope_ids(user) == {middle_sibling.pk, cousin.pk}
    Department.objects.filter(pk=leaf.pk).update(parent=middle_sibling)
    # A request loads its user afresh: nothing about the tree outlives the request.
    again = type(user).objects.get(pk=user.pk)
    assert permissions.department_scope_ids(again) == {middle_sibling.pk, cousin.pk, leaf.pk}
    assert permissions.department_ancestor_ids(
        type(user).objects.get(pk=UserFactory(department=leaf).pk)
    ) == {leaf.pk, middle_sibling.pk, root.pk}


def test_roles_and_tree_in_one_statement_agree_with_the_orm_and_the_tree_walk(tree):
    # The oracle: group names from the ORM, walks from `department_tree_sql` alone.
    from assets.sql import department_tree_sql

    for department in [None, *Department.objects.all()]:
        for roles in ([], ["clerk"], ["clerk", "auditor", "staff"]):
            user = UserFactory(department=department, roles=roles)
            permissions.roles_of(user)
            expected_scope, expected_up = set(), set()
            if department is not None:
                with connection.cursor() as cursor:
                    cursor.execute(department_tree_sql(), [department.pk, department.pk])
                    for upward, pk in cursor.fetchall():
                        (expected_up if upward else expected_scope).add(pk)
            assert permissions.roles_of(user) == set(user.groups.values_list("name", flat=True))
            if roles != ["clerk", "auditor", "staff"] or department is None:
                assert permissions.department_scope_ids(user) == expected_scope
                assert permissions.department_ancestor_ids(user) == expected_up


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
