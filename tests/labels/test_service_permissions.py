"""The label services check who acts themselves (issue 16): called directly, as a management
command or an admin action would, by a user who may not change every card concerned, they refuse
as for cards that do not exist (`NotInScope`, 404; SECURITY.md test 7) and change nothing."""

import pytest

from assets.errors import NotInScope
from labels import services
from labels.models import Label, LabelTemplate, PrintBatch
from tests.factories import UserFactory, make_asset

pytestmark = pytest.mark.django_db


@pytest.fixture
def reading_clerk(centre):
    """A clerk of the centre who is an auditor too: reads every card, changes the centre's."""
    return UserFactory(username="readingclerk", department=centre, roles=["clerk", "auditor"])


def labels_state():
    return (
        list(Label.objects.order_by("pk").values()),
        list(PrintBatch.objects.order_by("pk").values("pk", "state", "attempts", "error")),
    )


def test_print_labels_refuses_a_card_the_actor_reads_but_may_not_change(
    reading_clerk, centre, other_bureau, sheet_70x40
):
    cards = [make_asset(owner=centre), make_asset(owner=other_bureau)]
    with pytest.raises(NotInScope):
        services.print_labels(actor=reading_clerk, assets=cards, template=sheet_70x40)
    assert labels_state() == ([], [])


@pytest.mark.parametrize("who", ["other_clerk", "auditor", "receiver"])
def test_void_label_refuses_who_may_not_change_the_card(clerk, centre, sheet_70x40, who, request):
    card = make_asset(owner=centre)
    services.print_labels(actor=clerk, assets=[card], template=sheet_70x40)
    before = labels_state()
    with pytest.raises(NotInScope):
        services.void_label(actor=request.getfixturevalue(who), asset=card, reason="丢失")
    assert labels_state() == before
    assert not card.events.filter(kind="label_voided").exists()


@pytest.mark.parametrize("who", ["clerk", "auditor"])
def test_retry_batch_refuses_who_may_not_change_every_card_of_it(
    admin_user, centre, other_bureau, sheet_70x40, who, request
):
    cards = [make_asset(owner=centre), make_asset(owner=other_bureau)]
    batch = services.print_labels(actor=admin_user, assets=cards, template=sheet_70x40)
    batch = services.fail_batch(batch_id=batch.pk, error="disk full")
    before = labels_state()
    with pytest.raises(NotInScope):
        services.retry_batch(actor=request.getfixturevalue(who), batch=batch)
    assert labels_state() == before


def test_retry_batch_works_for_who_may_change_every_card(clerk, centre, sheet_70x40):
    batch = services.print_labels(
        actor=clerk, assets=[make_asset(owner=centre)], template=sheet_70x40
    )
    batch = services.fail_batch(batch_id=batch.pk, error="disk full")
    assert services.retry_batch(actor=clerk, batch=batch).state == PrintBatch.State.QUEUED


@pytest.mark.parametrize("who", ["clerk", "auditor"])
def test_save_template_refuses_everyone_but_admins(sheet_70x40, who, request):
    before = list(LabelTemplate.objects.order_by("pk").values())
    with pytest.raises(NotInScope):
        services.save_template(
            actor=request.getfixturevalue(who), fields={"name": "改名"}, template=sheet_70x40
        )
    assert list(LabelTemplate.objects.order_by("pk").values()) == before
