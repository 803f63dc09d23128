"""Accounts: lockout, CSRF on sign-in, session rotation, open redirects, password rules, and
sessions/tokens that die with a deactivation or a department move (SECURITY.md tests 15, 16)."""

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from rest_framework.test import APIClient

from assets import services
from assets.models import ApiToken
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pass-word-123"
LOGIN = "/accounts/login/"
TOKEN = "/api/v1/auth/token/"


@pytest.fixture
def member(centre):
    return UserFactory(username="member", department=centre, roles=["clerk"])


def fail(client, path, username, times):
    for _ in range(times):
        response = client.post(path, {"username": username, "password": "wrong-password"})
        assert response.status_code in (200, 400, 429)


def test_sign_in_page_locks_username_and_address_after_repeated_failures(member):
    browser = Client(REMOTE_ADDR="10.0.0.1")
    fail(browser, LOGIN, "member", settings.AXES_FAILURE_LIMIT)
    response = browser.post(LOGIN, {"username": "member", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in browser.session
    assert "15" in response.content.decode()


def test_token_endpoint_locks_username_and_address_after_repeated_failures(member):
    api = APIClient(REMOTE_ADDR="10.0.0.2")
    fail(api, TOKEN, "member", settings.AXES_FAILURE_LIMIT)
    response = api.post(TOKEN, {"username": "member", "password": PASSWORD}, format="json")
    assert response.status_code == 429
    assert response.json()["code"] == "locked_out"
    assert not ApiToken.objects.filter(user=member).exists()


def test_lockout_of_one_address_leaves_the_user_free_elsewhere(member):
    fail(APIClient(REMOTE_ADDR="10.0.0.3"), TOKEN, "member", settings.AXES_FAILURE_LIMIT)
    response = APIClient(REMOTE_ADDR="10.0.0.4").post(
        TOKEN, {"username": "member", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["token"]


def test_failures_below_the_limit_do_not_lock(member):
    api = APIClient(REMOTE_ADDR="10.0.0.5")
    fail(api, TOKEN, "member", settings.AXES_FAILURE_LIMIT - 1)
    response = api.post(TOKEN, {"username": "member", "password": PASSWORD}, format="json")
    assert response.status_code == 200


def test_sign_in_without_csrf_token_is_refused(member):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(LOGIN, {"username": "member", "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in browser.session


def test_sign_in_rotates_the_session_key(member):
    browser = Client()
    session = SessionStore()
    session["seen"] = True
    session.create()
    browser.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    response = browser.post(LOGIN, {"username": "member", "password": PASSWORD})
    assert response.status_code == 302
    new_key = browser.cookies[settings.SESSION_COOKIE_NAME].value
    assert new_key != session.session_key
    assert not SessionStore().exists(session.session_key)


@pytest.mark.parametrize(
    "target",
    ["//evil.example/", "https://evil.example/", "/\\evil.example", "http:evil.example"],
)
def test_next_to_another_site_stays_on_site(member, target):
    response = Client().post(
        f"{LOGIN}?next={target}", {"username": "member", "password": PASSWORD, "next": target}
    )
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("/") and not location.startswith("//")
    assert "evil.example" not in location


def test_next_on_site_is_followed(member):
    response = Client().post(LOGIN, {"username": "member", "password": PASSWORD, "next": "/a/"})
    assert response["Location"] == "/a/"


@pytest.mark.parametrize("password", ["123456789", "password", "short1", "member-member"])
def test_creating_a_user_with_a_weak_password_is_a_400(api, admin_user, centre, password):
    response = api.as_user(admin_user).post(
        "/api/v1/users/",
        {"username": "member-member", "password": password, "department": centre.code},
        format="json",
    )
    assert response.status_code == 400
    assert "password" in response.json()


def test_creating_a_user_with_a_strong_password_works(api, admin_user, centre):
    response = api.as_user(admin_user).post(
        "/api/v1/users/",
        {"username": "newclerk", "password": "Lantern-Harbour-42", "department": centre.code},
        format="json",
    )
    assert response.status_code == 201


def signed_in_twice(user):
    """A browser session and an API token for `user`."""
    browser = Client()
    assert browser.post(LOGIN, {"username": user.username, "password": PASSWORD}).status_code == 302
    token = APIClient().post(
        TOKEN, {"username": user.username, "password": PASSWORD}, format="json"
    )
    assert token.status_code == 200
    bearer = APIClient(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    assert browser.get("/api/v1/assets/").status_code == 200
    assert bearer.get("/api/v1/assets/").status_code == 200
    return browser, bearer


def assert_both_signed_out(browser, bearer):
    assert browser.get("/api/v1/assets/").status_code == 401
    assert bearer.get("/api/v1/assets/").status_code == 401
    page = browser.get("/")
    assert page.status_code == 302 and page["Location"].startswith(LOGIN)


def test_deactivating_a_user_ends_session_and_token(member, admin_user):
    browser, bearer = signed_in_twice(member)
    services.save_user(actor=admin_user, user=member, fields={"is_active": False})
    assert_both_signed_out(browser, bearer)


def test_deactivating_through_the_api_ends_session_and_token(member, admin_user, api):
    browser, bearer = signed_in_twice(member)
    response = api.as_user(admin_user).patch(
        "/api/v1/users/member/", {"is_active": False}, format="json"
    )
    assert response.status_code == 200
    assert_both_signed_out(browser, bearer)


def test_moving_a_user_to_another_department_ends_session_and_token(
    member, admin_user, other_bureau
):
    browser, bearer = signed_in_twice(member)
    services.save_user(actor=admin_user, user=member, fields={"department": other_bureau})
    assert_both_signed_out(browser, bearer)


def test_saving_a_user_without_a_move_keeps_their_session(member, admin_user):
    browser, bearer = signed_in_twice(member)
    services.save_user(actor=admin_user, user=member, fields={"display_name": "张三"})
    assert browser.get("/api/v1/assets/").status_code == 200
    assert bearer.get("/api/v1/assets/").status_code == 200
