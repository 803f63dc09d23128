"""API tokens end with the password that issued them, expire when idle and can be revoked
(SECURITY.md section 4, "Credentials that outlive their reason"; issue 15.4)."""

from datetime import timedelta

import pytest
from django.contrib.admin import helpers
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from assets import credentials
from assets.errors import NotInScope
from assets.models import ApiToken
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pass-word-123"
NEW_PASSWORD = "Neu-Kennwort-2026"
TOKEN = "/api/v1/auth/token/"
ASSETS = "/api/v1/assets/"


@pytest.fixture
def member(centre):
    return UserFactory(username="member", department=centre, roles=["clerk"])


@pytest.fixture
def staff_admin(bureau):
    return UserFactory(username="root", department=bureau, roles=["admin"], is_staff=True)


def sign_in_token(username=None, password=PASSWORD, user=None):
    username = username or user.username
    response = APIClient().post(TOKEN, {"username": username, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def bearer(key):
    return APIClient(HTTP_AUTHORIZATION=f"Token {key}")


def browser_for(user, password=PASSWORD):
    browser = Client()
    assert (
        browser.post(
            "/accounts/login/", {"username": user.username, "password": password}
        ).status_code
        == 302
    )
    assert browser.get(ASSETS).status_code == 200
    return browser


def test_token_endpoint_keeps_its_contract(member):
    response = APIClient().post(TOKEN, {"username": "member", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    assert list(response.json()) == ["token"]
    assert bearer(response.json()["token"]).get(ASSETS).status_code == 200


def test_each_sign_in_issues_a_new_token(member):
    first, second = sign_in_token(user=member), sign_in_token(user=member)
    assert first != second
    assert bearer(first).get(ASSETS).status_code == 200
    assert bearer(second).get(ASSETS).status_code == 200


def test_only_a_digest_of_the_key_is_stored(member):
    key = sign_in_token(user=member)
    token = ApiToken.objects.get(user=member)
    assert key not in (token.digest, token.prefix)
    assert key.startswith(token.prefix)


def test_delete_revokes_the_callers_token_only(member):
    phone, desk = sign_in_token(user=member), sign_in_token(user=member)
    response = bearer(phone).delete(TOKEN)
    assert response.status_code == 204
    assert bearer(phone).get(ASSETS).status_code == 401
    assert bearer(desk).get(ASSETS).status_code == 200
    assert ApiToken.objects.filter(user=member).count() == 1


def test_delete_without_a_token_is_401(member):
    browser = browser_for(member)
    assert browser.delete(TOKEN).status_code == 401
    assert APIClient().delete(TOKEN).status_code == 401


def test_password_set_through_the_api_ends_tokens_and_sessions(member, admin_user):
    key = sign_in_token(user=member)
    browser = browser_for(member)
    api = APIClient()
    api.force_authenticate(admin_user)
    response = api.patch(
        reverse("user-detail", args=[member.username]), {"password": NEW_PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    assert bearer(key).get(ASSETS).status_code == 401
    assert browser.get(ASSETS).status_code == 401
    assert not ApiToken.objects.filter(user=member).exists()
    assert bearer(sign_in_token(user=member, password=NEW_PASSWORD)).get(ASSETS).status_code == 200


def test_password_set_in_the_admin_ends_tokens_and_sessions(client, member, staff_admin):
    key = sign_in_token(user=member)
    browser = browser_for(member)
    client.force_login(staff_admin)
    response = client.post(
        reverse("admin:auth_user_password_change", args=[member.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)
    assert bearer(key).get(ASSETS).status_code == 401
    assert browser.get(ASSETS).status_code == 401
    # The administrator's own session is untouched.
    assert client.get(reverse("admin:assets_user_changelist")).status_code == 200


def test_own_password_form_ends_tokens_and_other_sessions_but_keeps_this_one(member):
    key = sign_in_token(user=member)
    other_device = browser_for(member)
    this_browser = browser_for(member)
    response = this_browser.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert this_browser.get(ASSETS).status_code == 200
    assert other_device.get(ASSETS).status_code == 401
    assert bearer(key).get(ASSETS).status_code == 401
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)


def test_own_password_form_with_a_wrong_old_password_changes_nothing(member):
    key = sign_in_token(user=member)
    browser = browser_for(member)
    response = browser.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert "field__error" in response.content.decode()
    assert bearer(key).get(ASSETS).status_code == 200
    member.refresh_from_db()
    assert member.check_password(PASSWORD)


def test_idle_token_expires(member, settings):
    settings.YIKA_TOKEN_IDLE_DAYS = 30
    key = sign_in_token(user=member)
    ApiToken.objects.filter(user=member).update(
        last_used_at=timezone.now() - timedelta(days=30, minutes=1)
    )
    response = bearer(key).get(ASSETS)
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    assert not ApiToken.objects.filter(user=member).exists()


def test_token_in_use_stays_valid(member, settings):
    settings.YIKA_TOKEN_IDLE_DAYS = 30
    key = sign_in_token(user=member)
    ApiToken.objects.filter(user=member).update(last_used_at=timezone.now() - timedelta(days=29))
    assert bearer(key).get(ASSETS).status_code == 200
    assert ApiToken.objects.get(user=member).last_used_at > timezone.now() - timedelta(minutes=1)


def test_last_use_is_written_at_most_once_a_minute(member):
    key = sign_in_token(user=member)
    client = bearer(key)
    table = ApiToken._meta.db_table

    def updates():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(ASSETS).status_code == 200
        return [q["sql"] for q in queries if q["sql"].startswith("UPDATE") and table in q["sql"]]

    assert len(updates()) == 1  # the first use is recorded
    assert updates() == []
    ApiToken.objects.filter(user=member).update(last_used_at=timezone.now() - timedelta(minutes=2))
    assert len(updates()) == 1
    assert updates() == []


def test_admin_revokes_a_users_tokens_from_the_accounts_list(client, member, staff_admin):
    key = sign_in_token(user=member)
    sign_in_token(user=member)
    client.force_login(staff_admin)
    response = client.post(
        reverse("admin:assets_user_changelist"),
        {"action": "revoke_api_tokens", "index": "0", helpers.ACTION_CHECKBOX_NAME: [member.pk]},
    )
    assert response.status_code == 302
    assert bearer(key).get(ASSETS).status_code == 401
    assert not ApiToken.objects.filter(user=member).exists()


def test_admin_lists_tokens_without_their_keys(client, member, staff_admin):
    key = sign_in_token(user=member)
    client.force_login(staff_admin)
    page = client.get(reverse("admin:assets_apitoken_changelist"))
    assert page.status_code == 200
    assert key[:8] in page.content.decode()
    assert key not in page.content.decode()


def test_auditor_sees_no_tokens_in_admin(client, bureau):
    auditor = UserFactory(username="aud", department=bureau, roles=["auditor"], is_staff=True)
    client.force_login(auditor)
    assert client.get(reverse("admin:assets_apitoken_changelist")).status_code == 403


def test_only_admins_revoke_someone_elses_tokens(member, clerk):
    credentials.issue_token(user=member)
    with pytest.raises(NotInScope):
        credentials.revoke_tokens(actor=clerk, user=member)
    assert ApiToken.objects.filter(user=member).count() == 1
