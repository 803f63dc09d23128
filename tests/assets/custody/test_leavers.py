"""A leaver's list: a deactivated user's cards go to the clerks through the reminder ledger,
and a page lists the cards held by inactive users for the clerk to reassign."""

import pytest
from django.urls import reverse

from assets import services
from assets.custody import services as cs
from inventory.models import Notification, ReminderKind, ReminderLog
from tests.factories import make_asset

pytestmark = pytest.mark.django_db


@pytest.fixture
def cards(centre, clerk, holder):
    held = [make_asset(owner=centre, name=name) for name in ("笔记本电脑", "投影仪")]
    for card in held:
        cs.checkout_asset(asset=card, actor=clerk, holder=holder)
    return held


def _deactivate(admin_user, user):
    return services.save_user(actor=admin_user, user=user, fields={"is_active": False})


def test_deactivating_a_holder_sends_their_cards_to_the_clerk(admin_user, clerk, holder, cards):
    _deactivate(admin_user, holder)
    note = Notification.objects.get(recipient=clerk, kind=ReminderKind.LEAVER_CARDS)
    assert all(card.tag in note.body for card in cards)
    assert "张三" in note.title
    assert note.link == reverse("assets:custody-leavers")
    assert ReminderLog.objects.filter(kind=ReminderKind.LEAVER_CARDS, recipient=clerk).count() == 1


def test_the_leavers_list_is_sent_once_and_not_for_a_user_holding_nothing(
    admin_user, clerk, holder, cards, centre
):
    from tests.factories import UserFactory

    empty = UserFactory(username="wangwu", department=centre, roles=["staff"])
    _deactivate(admin_user, empty)
    assert not Notification.objects.filter(kind=ReminderKind.LEAVER_CARDS).exists()
    _deactivate(admin_user, holder)
    services.save_user(actor=admin_user, user=holder, fields={"is_active": True})
    _deactivate(admin_user, holder)
    assert Notification.objects.filter(kind=ReminderKind.LEAVER_CARDS).count() == 1


def test_the_clerk_sees_the_cards_held_by_inactive_users_and_reassigns_them(
    client, admin_user, clerk, holder, cards, other_bureau
):
    theirs = make_asset(owner=other_bureau, name="别处的电脑")
    _deactivate(admin_user, holder)
    client.force_login(clerk)
    page = client.get(reverse("assets:custody-leavers"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    text = page.content.decode()
    assert all(f'data-leaver-card="{card.tag}"' in text for card in cards)
    assert theirs.tag not in text
    assert reverse("assets:asset-custody", args=[cards[0].tag]) in text
    cs.checkin_asset(asset=cards[0], actor=clerk)
    text = client.get(reverse("assets:custody-leavers")).content.decode()
    assert f'data-leaver-card="{cards[0].tag}"' not in text
    assert f'data-leaver-card="{cards[1].tag}"' in text


def test_the_leavers_page_is_for_clerks(client, holder):
    client.force_login(holder)
    assert client.get(reverse("assets:custody-leavers")).status_code == 403


def test_a_clerk_answering_for_two_departments_gets_both_in_one_message(admin_user, bureau, holder):
    from assets.models import Asset
    from tests.factories import DepartmentFactory, UserFactory

    # Two sub-departments without clerks of their own: the bureau's clerk answers for both.
    parent_clerk = UserFactory(username="bureauclerk", department=bureau, roles=["clerk"])
    east = DepartmentFactory(code="EAST", name="东区", parent=bureau)
    west = DepartmentFactory(code="WEST", name="西区", parent=bureau)
    cards = [make_asset(owner=east, name="东区电脑"), make_asset(owner=west, name="西区电脑")]
    # Recorded in the holder's name directly: the message is under test, not the check-out.
    Asset.objects.filter(pk__in=[c.pk for c in cards]).update(custodian_user=holder)
    _deactivate(admin_user, holder)
    note = Notification.objects.get(recipient=parent_clerk, kind=ReminderKind.LEAVER_CARDS)
    assert all(card.tag in note.body for card in cards)


def test_deactivating_in_the_admin_sends_the_list_too(client, bureau, clerk, holder, cards):
    from tests.factories import UserFactory

    staff_admin = UserFactory(
        username="demo-admin", department=bureau, roles=["admin"], is_staff=True
    )
    client.force_login(staff_admin)
    data = {
        "username": holder.username,
        "display_name": holder.display_name,
        "department": holder.department_id,
        "language": "zh-hans",
        "date_joined_0": "2024-01-01",
        "date_joined_1": "00:00:00",
        "email": holder.email,
        "groups": list(holder.groups.values_list("pk", flat=True)),
    }  # "is_active" left out: the box unticked
    response = client.post(reverse("admin:assets_user_change", args=[holder.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    note = Notification.objects.get(recipient=clerk, kind=ReminderKind.LEAVER_CARDS)
    assert all(card.tag in note.body for card in cards)
