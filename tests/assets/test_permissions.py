"""`assets.permissions` answers each rule as a queryset (lists, references) and for one row (the
services' checks, without a query). These tests hold the two answers to each other across the
shapes that matter: every role, own and other departments, a sub-department, a card used or
managed elsewhere."""

import itertools

import pytest
from django.contrib.auth.models import AnonymousUser

from assets import permissions
from assets.handovers import services as hs
from assets.models import Asset, DelegatedProject, Handover
from tests.factories import DepartmentFactory, UserFactory, make_asset, make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(centre):
    return DepartmentFactory(code="BDC-OPS", name="运维科", parent=centre)


@pytest.fixture
def people(centre, office, other_bureau, bureau):
    def user(name, department, *roles):
        return UserFactory(username=name, department=department, roles=list(roles))

    return [
        AnonymousUser(),
        user("norole", centre),
        user("p-clerk", centre, "clerk"),
        user("p-office-clerk", office, "clerk"),
        user("p-other-clerk", other_bureau, "clerk"),
        user("p-receiver", other_bureau, "receiver"),
        user("p-centre-receiver", centre, "receiver"),
        user("p-auditor", bureau, "auditor"),
        user("p-admin", bureau, "admin"),
        user("p-reading-clerk", centre, "clerk", "auditor"),
        user("p-homeless-clerk", None, "clerk"),
    ]


@pytest.fixture
def cards(centre, office, other_bureau, bureau):
    departments = [centre, office, other_bureau, bureau]
    made = []
    for owner, using, managing in itertools.product(
        departments, [None, office, other_bureau], [None, centre]
    ):
        made.append(make_asset(owner=owner, using_department=using, managing_department=managing))
    return made


def fresh(user):
    """A new object for each question, so no cached scope hides a difference."""
    return user if not getattr(user, "pk", None) else type(user).objects.get(pk=user.pk)


def test_one_card_answers_as_the_querysets_do(people, cards):
    for user, card in itertools.product(people, cards):
        row = Asset.objects.get(pk=card.pk)
        assert permissions.may_read_card(fresh(user), row) == (
            permissions.visible_assets(fresh(user)).filter(pk=card.pk).exists()
        ), (user, card.owner_department.code)
        assert permissions.may_change_card(fresh(user), row) == (
            permissions.changeable_assets(fresh(user)).filter(pk=card.pk).exists()
        ), (user, card.owner_department.code)


def test_changing_implies_reading(people, cards):
    for user, card in itertools.product(people, cards):
        if permissions.may_change_card(user, card):
            assert permissions.may_read_card(user, card)


def test_one_project_answers_as_the_queryset_does(people, centre, office, other_bureau, bureau):
    projects = [
        make_project(builder=builder, owner=owner, code=f"P-{builder.code}-{owner.code}")
        for builder, owner in itertools.permutations([centre, office, other_bureau, bureau], 2)
    ]
    for user, project in itertools.product(people, projects):
        row = DelegatedProject.objects.get(pk=project.pk)
        assert permissions.may_change_project(fresh(user), row) == (
            permissions.changeable_projects(fresh(user)).filter(pk=project.pk).exists()
        ), (user, project.code)


def test_the_inbox_holds_what_its_reader_may_decide(people, centre, office, other_bureau):
    clerk = UserFactory(username="builder-clerk", department=centre, roles=["clerk"])
    handovers = []
    for owner in (office, other_bureau):
        project = make_project(builder=centre, owner=owner, code=f"P-{owner.code}")
        card = make_asset(owner=centre, project=project)
        handover = hs.create_handover(actor=clerk, project=project, assets=[card])
        handovers.append(hs.submit_handover(handover=handover, actor=clerk))
    for user, handover in itertools.product(people, handovers):
        inbox = permissions.decidable_handovers(fresh(user), Handover.objects.all())
        assert inbox.filter(pk=handover.pk).exists() == permissions.can_decide_handover(
            fresh(user), handover
        ), (user, handover.to_department.code)
