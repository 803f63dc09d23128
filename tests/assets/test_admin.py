"""The Django admin: reference data for administrators, read-only cards and history, no deletes."""

import pytest
from django.urls import reverse

from assets.models import Asset, User
from tests.factories import UserFactory, make_asset

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_admin(bureau):
    return UserFactory(username="root", department=bureau, roles=["admin"], is_staff=True)


@pytest.fixture
def staff_auditor(bureau):
    return UserFactory(username="audit2", department=bureau, roles=["auditor"], is_staff=True)


@pytest.mark.parametrize(
    "model", ["department", "location", "category", "user", "asset", "assetevent"]
)
def test_admin_lists_render(client, staff_admin, centre, model):
    make_asset(owner=centre)
    client.force_login(staff_admin)
    assert client.get(reverse(f"admin:assets_{model}_changelist")).status_code == 200


def test_no_delete_anywhere(client, staff_admin, centre):
    asset = make_asset(owner=centre)
    client.force_login(staff_admin)
    assert (
        client.get(reverse("admin:assets_department_delete", args=[centre.pk])).status_code == 403
    )
    assert client.get(reverse("admin:assets_asset_delete", args=[asset.pk])).status_code == 403
    page = client.get(reverse("admin:assets_department_changelist")).content.decode()
    assert "delete_selected" not in page


def test_cards_are_read_only_in_admin(client, staff_admin, centre):
    asset = make_asset(owner=centre, name="服务器")
    client.force_login(staff_admin)
    url = reverse("admin:assets_asset_change", args=[asset.pk])
    client.post(url, {"name": "changed"})
    asset.refresh_from_db()
    assert asset.name == "服务器"
    assert asset.events.count() == 1


def test_auditor_reads_reference_data_but_cannot_change_it(client, staff_auditor, centre):
    client.force_login(staff_auditor)
    url = reverse("admin:assets_department_change", args=[centre.pk])
    assert client.get(url).status_code == 200
    client.post(url, {"code": centre.code, "name": "改名", "kind": "centre"})
    centre.refresh_from_db()
    assert centre.name == "市大数据中心"


def test_auditor_does_not_see_accounts(client, staff_auditor):
    client.force_login(staff_auditor)
    assert client.get(reverse("admin:assets_user_changelist")).status_code == 403


def test_clerk_with_staff_flag_sees_no_admin_models(client, centre):
    clerk = UserFactory(username="staffclerk", department=centre, roles=["clerk"], is_staff=True)
    client.force_login(clerk)
    assert client.get(reverse("admin:assets_asset_changelist")).status_code == 403


def test_admin_creates_a_user_with_department_and_role(client, staff_admin, centre):
    from django.contrib.auth.models import Group

    client.force_login(staff_admin)
    response = client.post(
        reverse("admin:assets_user_add"),
        {
            "username": "newclerk",
            "password1": "Xy7-long-password",
            "password2": "Xy7-long-password",
            "usable_password": "true",
            "department": centre.pk,
            "groups": [Group.objects.get(name="clerk").pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="newclerk")
    assert user.department == centre
    assert user.check_password("Xy7-long-password")
    assert list(user.groups.values_list("name", flat=True)) == ["clerk"]


def test_moving_a_user_to_another_department_in_admin_ends_their_token(
    client, staff_admin, clerk, other_bureau
):
    from assets import credentials
    from assets.models import ApiToken

    credentials.issue_token(user=clerk)
    client.force_login(staff_admin)
    data = {
        "username": clerk.username,
        "department": other_bureau.pk,
        "language": "zh-hans",
        "is_active": "on",
        "date_joined_0": "2024-01-01",
        "date_joined_1": "00:00:00",
        "email": clerk.email,
        "groups": list(clerk.groups.values_list("pk", flat=True)),
    }
    response = client.post(reverse("admin:assets_user_change", args=[clerk.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert not ApiToken.objects.filter(user=clerk).exists()
    assert Asset.objects.count() == 0


def test_admin_card_search_is_the_registers_search(client, staff_admin, centre):
    found = make_asset(owner=centre, name="交换机", model="S5735-L48T4X")
    make_asset(owner=centre, name="打印机", model="M437")
    client.force_login(staff_admin)
    page = client.get(reverse("admin:assets_asset_changelist"), {"q": "s5735"}).content.decode()
    assert found.tag in page
    assert "打印机" not in page


@pytest.mark.parametrize(("language", "role"), [("zh-hans", "资产管理员"), ("en", "Asset clerk")])
def test_the_user_forms_role_picker_names_roles_not_group_codes(
    client, staff_admin, clerk, language, role
):
    """Issue 14: the group picker listed `clerk`, `receiver` … instead of the roles' names."""
    from django.contrib.auth.models import Group

    client.force_login(staff_admin)
    clerk_group = Group.objects.get(name="clerk").pk
    for url in (
        reverse("admin:assets_user_add"),
        reverse("admin:assets_user_change", args=[clerk.pk]),
    ):
        body = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert f'<option value="{clerk_group}"' in body
        option = body.split(f'<option value="{clerk_group}"', 1)[1].split("</option>", 1)[0]
        assert option.endswith(role), option
        assert ">clerk</option>" not in body
