"""The register's services check who acts themselves (issue 16): called directly, as a management
command, an admin action or a task would, by a user who may not, they refuse and change nothing.

A card out of the actor's view is `NotInScope` (404, as if it did not exist); one they read but
may not change is `PermissionDenied` (403). `permissions.SYSTEM` is the system's own path.
"""

from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from assets import permissions, services
from assets.errors import NotInScope
from assets.models import Asset, AssetEvent, User
from tests.factories import LocationFactory, UserFactory, leaf_category, make_asset

pytestmark = pytest.mark.django_db


def register_state():
    """Every card's row and the history: what a refused change must leave as it was."""
    return (
        list(Asset.objects.order_by("pk").values()),
        list(AssetEvent.objects.order_by("pk").values_list("pk", "asset_id", "kind")),
    )


@pytest.fixture
def card(centre):
    return make_asset(owner=centre, name="台式计算机", location=LocationFactory(code="R1"))


@pytest.fixture
def foreign_host(other_bureau):
    return make_asset(owner=other_bureau, name="机柜", category_code="A02010105")


@pytest.fixture
def reading_clerk(centre):
    """A clerk of the centre who is an auditor too: reads every card, changes the centre's."""
    return UserFactory(username="readingclerk", department=centre, roles=["clerk", "auditor"])


def card_fields(owner, **extra):
    return {
        "name": "笔记本电脑",
        "owner_department": owner,
        "category": leaf_category("A02010105"),
        **extra,
    }


# --- registering -------------------------------------------------------------------------------


def test_register_asset_refuses_a_role_that_registers_nothing(auditor, bureau):
    # The auditor's own department: only the role refuses.
    with pytest.raises(PermissionDenied):
        services.register_asset(actor=auditor, fields=card_fields(bureau))
    assert not Asset.objects.exists() and not AssetEvent.objects.exists()


def test_register_assets_refuses_a_role_that_registers_nothing(receiver, other_bureau):
    with pytest.raises(PermissionDenied):
        services.register_assets(actor=receiver, cards=[card_fields(other_bureau)])
    assert not Asset.objects.exists() and not AssetEvent.objects.exists()


def test_register_asset_refuses_a_host_out_of_view_like_an_unknown_tag(clerk, centre, foreign_host):
    before = register_state()
    with pytest.raises(ValidationError) as refusal:
        services.register_asset(actor=clerk, fields=card_fields(centre, parent=foreign_host))
    assert foreign_host.tag in refusal.value.message_dict["parent"][0]
    assert register_state() == before


def test_register_asset_refuses_a_host_the_actor_reads_but_may_not_change(
    reading_clerk, centre, foreign_host
):
    before = register_state()
    with pytest.raises(PermissionDenied) as refusal:
        services.register_asset(
            actor=reading_clerk, fields=card_fields(centre, parent=foreign_host)
        )
    assert foreign_host.tag in str(refusal.value)
    assert register_state() == before


def test_register_assets_asks_the_host_check_too(reading_clerk, centre, foreign_host):
    before = register_state()
    with pytest.raises(PermissionDenied):
        services.register_assets(
            actor=reading_clerk, cards=[card_fields(centre, parent=foreign_host)]
        )
    assert register_state() == before


# --- changing a card ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "refusal"), [("auditor", PermissionDenied), ("other_clerk", NotInScope)]
)
def test_update_asset_refuses_who_may_not_change_the_card(card, who, refusal, request):
    before = register_state()
    with pytest.raises(refusal):
        services.update_asset(
            asset=card, actor=request.getfixturevalue(who), fields={"name": "改名"}
        )
    assert register_state() == before


@pytest.mark.parametrize(
    ("who", "refusal"), [("auditor", PermissionDenied), ("other_clerk", NotInScope)]
)
def test_update_assets_refuses_who_may_not_change_a_card(card, centre, who, refusal, request):
    own = make_asset(owner=centre)
    before = register_state()
    with pytest.raises(refusal):
        services.update_assets(
            actor=request.getfixturevalue(who),
            updates=[(own, {"name": "改名"}), (card, {"name": "改名"})],
        )
    assert register_state() == before


def test_a_read_only_refusal_says_why(card, auditor):
    with translation.override("en"), pytest.raises(PermissionDenied) as refusal:
        services.change_status(asset=card, actor=auditor, status=Asset.Status.IDLE)
    assert str(refusal.value) == "You may read this card but not change it."


# --- nesting: the host check -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "refusal"), [("auditor", PermissionDenied), ("other_clerk", NotInScope)]
)
def test_nest_asset_refuses_who_may_not_change_the_component(card, centre, who, refusal, request):
    host = make_asset(owner=centre, name="机柜")
    before = register_state()
    with pytest.raises(refusal):
        services.nest_asset(
            asset=card, actor=request.getfixturevalue(who), parent=host, embedded=False
        )
    assert register_state() == before


def test_nest_asset_refuses_a_host_out_of_view_like_an_unknown_tag(card, clerk, foreign_host):
    before = register_state()
    with pytest.raises(ValidationError) as refusal:
        services.nest_asset(asset=card, actor=clerk, parent=foreign_host, embedded=True)
    assert foreign_host.tag in refusal.value.message_dict["parent"][0]
    assert register_state() == before


def test_nest_asset_refuses_a_host_the_actor_reads_but_may_not_change(
    card, reading_clerk, foreign_host
):
    before = register_state()
    with translation.override("en"), pytest.raises(PermissionDenied) as refusal:
        services.nest_asset(asset=card, actor=reading_clerk, parent=foreign_host, embedded=True)
    assert str(refusal.value) == f"You may not change the host {foreign_host.tag}."
    assert register_state() == before


def test_nest_asset_takes_a_component_out_only_for_who_may_change_it(card, centre, auditor):
    host = make_asset(owner=centre, name="机柜")
    services.nest_asset(asset=card, actor=permissions.SYSTEM, parent=host, embedded=False)
    before = register_state()
    with pytest.raises(PermissionDenied):
        services.nest_asset(asset=card, actor=auditor, parent=None, embedded=False)
    assert register_state() == before


# --- moving, status, retiring, revaluing -------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "refusal"),
    [("auditor", PermissionDenied), ("other_clerk", NotInScope), ("receiver", NotInScope)],
)
def test_move_asset_refuses_who_may_not_change_the_card(card, who, refusal, request):
    before = register_state()
    with pytest.raises(refusal):
        services.move_asset(
            asset=card, actor=request.getfixturevalue(who), location=LocationFactory(code="R2")
        )
    assert register_state() == before


def test_change_status_refuses_a_receiver_of_the_cards_department(other_bureau, receiver):
    # The receiver reads their department's cards; receivers change none.
    theirs = make_asset(owner=other_bureau)
    before = register_state()
    with pytest.raises(PermissionDenied):
        services.change_status(asset=theirs, actor=receiver, status=Asset.Status.IDLE)
    assert register_state() == before


@pytest.mark.parametrize(
    ("who", "refusal"), [("auditor", PermissionDenied), ("other_clerk", NotInScope)]
)
def test_retire_asset_refuses_who_may_not_change_the_card(card, who, refusal, request):
    before = register_state()
    with pytest.raises(refusal):
        services.retire_asset(asset=card, actor=request.getfixturevalue(who), reason="报废")
    assert register_state() == before


def test_retiring_a_host_detaches_components_of_other_departments(
    card, clerk, other_bureau, settings
):
    settings.YIKA_DISPOSAL_APPROVAL = False  # retiring directly, as without disposal approval
    # The clerk may retire the host; its components leave it whoever's they are (the retire
    # page counts those it does not name): the internal path that asks no second question.
    foreign = make_asset(owner=other_bureau, parent=card)
    services.retire_asset(asset=card, actor=clerk, reason="报废", components="detach")
    foreign.refresh_from_db()
    assert foreign.parent_id is None and foreign.status == Asset.Status.IN_USE


@pytest.mark.parametrize(
    ("who", "refusal"), [("auditor", PermissionDenied), ("other_clerk", NotInScope)]
)
def test_revalue_asset_refuses_who_may_not_change_the_card(card, who, refusal, request):
    before = register_state()
    with pytest.raises(refusal):
        services.revalue_asset(
            asset=card,
            actor=request.getfixturevalue(who),
            original_value=Decimal("1.00"),
            value_type=Asset.ValueType.FINAL,
        )
    assert register_state() == before


# --- accounts ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["clerk", "auditor"])
def test_save_user_refuses_everyone_but_admins(who, request, centre):
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.save_user(
            actor=actor,
            fields={"username": "newcomer", "password": "pass-word-123", "department": centre},
        )
    with pytest.raises(PermissionDenied):
        services.save_user(actor=actor, user=actor, fields={"roles": ["admin"]})
    assert not User.objects.filter(username="newcomer").exists()
    assert permissions.roles_of(User.objects.get(pk=actor.pk)) == {who}


def test_save_user_works_for_an_admin(admin_user, centre):
    user = services.save_user(
        actor=admin_user,
        fields={"username": "newcomer", "password": "pass-word-123", "department": centre},
    )
    assert User.objects.get(username="newcomer").pk == user.pk


# --- who acts ----------------------------------------------------------------------------------


def test_the_system_is_none_and_keeps_to_no_scope(card, foreign_host):
    assert permissions.SYSTEM is None and permissions.is_system(None)
    services.nest_asset(asset=card, actor=permissions.SYSTEM, parent=foreign_host, embedded=True)
    card.refresh_from_db()
    assert card.parent_id == foreign_host.pk


def test_an_anonymous_request_user_is_not_the_system(card, centre):
    # What a request without a sign-in carries: refused like anyone who cannot read the card.
    anonymous = AnonymousUser()
    assert not permissions.is_system(anonymous)
    before = register_state()
    with pytest.raises(NotInScope):
        services.update_asset(asset=card, actor=anonymous, fields={"name": "改名"})
    with pytest.raises(PermissionDenied):
        services.register_asset(actor=anonymous, fields=card_fields(centre))
    assert register_state() == before


def test_a_serializer_without_a_request_reads_as_nobody_not_as_the_system(project, card, clerk):
    # Were it the system, a payload's references would resolve without any scope.
    from assets.api.serializers import AssetCreateSerializer

    fields = AssetCreateSerializer(context={}).fields
    assert not fields["project"].get_queryset().exists()
    assert not fields["custodian_user"].get_queryset().exists()
    assert not fields["parent"].get_queryset().exists()
    assert isinstance(permissions.requester(None), AnonymousUser)
