"""Administrators manage other users' API tokens and the single sign-on role rules in the Django
admin (issue 20)."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from assets import credentials
from assets.models import ApiToken, SsoRoleRule
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_admin(bureau):
    return UserFactory(username="root", department=bureau, roles=["admin"], is_staff=True)


def test_an_admin_revokes_one_token_of_another_user(client, staff_admin, clerk):
    phone, phone_key = credentials.create_token(user=clerk, name="PDA 1", scope="scan")
    _desk, desk_key = credentials.create_token(user=clerk, name="desk")
    client.force_login(staff_admin)
    listing = client.get(reverse("admin:assets_apitoken_changelist")).content.decode()
    assert "PDA 1" in listing and "desk" in listing
    response = client.post(
        reverse("admin:assets_apitoken_changelist"),
        {"action": "revoke_selected_tokens", "index": "0", "_selected_action": [phone.pk]},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert (
        APIClient(HTTP_AUTHORIZATION=f"Token {phone_key}").get("/api/v1/assets/").status_code == 401
    )
    assert (
        APIClient(HTTP_AUTHORIZATION=f"Token {desk_key}").get("/api/v1/assets/").status_code == 200
    )


def test_an_auditor_sees_no_tokens_and_revokes_nothing(client, bureau, clerk):
    auditor = UserFactory(username="aud", department=bureau, roles=["auditor"], is_staff=True)
    token, _key = credentials.create_token(user=clerk, name="PDA 1")
    client.force_login(auditor)
    assert client.get(reverse("admin:assets_apitoken_changelist")).status_code == 403
    client.post(
        reverse("admin:assets_apitoken_changelist"),
        {"action": "revoke_selected_tokens", "_selected_action": [token.pk]},
    )
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_an_admin_adds_a_role_rule(client, staff_admin):
    client.force_login(staff_admin)
    response = client.post(
        reverse("admin:assets_ssorolerule_add"),
        {"claim": "groups", "value": "zcgl", "role": "clerk"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert SsoRoleRule.objects.filter(value="zcgl", role="clerk").exists()
    refused = client.post(
        reverse("admin:assets_ssorolerule_add"),
        {"claim": "groups", "value": "x", "role": "superuser"},
    )
    assert refused.status_code == 200
    assert not SsoRoleRule.objects.filter(value="x").exists()
