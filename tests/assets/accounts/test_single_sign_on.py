"""Single sign-on through OIDC (issue 20) against a real provider on 127.0.0.1
(django-oauth-toolkit, started by `identity_provider`): the whole redirect flow, claims to
department and roles, and the refusals a page explains."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from assets import credentials
from assets.models import SsoRoleRule, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pass-word-123"


@pytest.fixture
def sso(identity_provider, settings, centre, other_bureau):
    for name, value in identity_provider.settings_for_yika().items():
        setattr(settings, name, value)
    settings.YIKA_SSO_CREATE_USERS = True
    SsoRoleRule.objects.create(claim="groups", value="zcgl", role="clerk")
    return identity_provider


def start(client):
    response = client.get("/accounts/sso/oidc/")
    assert response.status_code == 302
    return response["Location"]


def sign_in(sso, username, client=None):
    client = client or Client()
    callback = sso.sign_in(start(client), username)
    return client, client.get(callback)


def refusal(response):
    return response.context["reason"]


def test_first_sign_in_creates_the_user_with_department_and_roles(sso, centre):
    client, answer = sign_in(sso, "zhang")
    assert answer.status_code == 302, answer.content.decode()[:2000]
    user = User.objects.get(username="zhang")
    assert user.department == centre
    assert set(user.groups.values_list("name", flat=True)) == {"clerk"}
    assert user.display_name == "张伟" and not user.has_usable_password()
    assert client.get("/").status_code == 200


def test_without_creation_an_unknown_person_is_refused(sso, settings):
    settings.YIKA_SSO_CREATE_USERS = False
    client, answer = sign_in(sso, "wang")
    assert answer.status_code == 403
    assert "wang" in refusal(answer)
    assert not User.objects.filter(username="wang").exists()
    assert client.get("/").status_code == 302


def test_an_unknown_department_is_refused_with_its_code(sso):
    client, answer = sign_in(sso, "li")
    assert answer.status_code == 403
    assert "NOPE" in refusal(answer)
    assert "NOPE" in answer.content.decode()
    assert not User.objects.filter(username="li").exists()


def test_a_person_without_a_mapped_group_is_refused(sso):
    _client, answer = sign_in(sso, "guest")
    assert answer.status_code == 403
    assert not User.objects.filter(username="guest").exists()


@pytest.mark.parametrize(
    "username, why",
    [
        ("tampered", "signature"),
        ("foreign-aud", "another application"),
        ("expired", "expired"),
    ],
)
def test_a_bad_id_token_is_refused(sso, username, why, settings):
    settings.LANGUAGE_CODE = "en"
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.cookies["django_language"] = "en"
    client, answer = sign_in(sso, username, client)
    assert answer.status_code == 403
    assert why in refusal(answer)
    assert not User.objects.filter(username=username).exists()
    assert "_auth_user_id" not in client.session


def test_a_replayed_state_is_refused(sso):
    client = Client()
    callback = sso.sign_in(start(client), "zhang")
    assert client.get(callback).status_code == 302
    client.post("/accounts/logout/")
    replay = client.get(callback)
    assert replay.status_code == 400
    assert "used already" in str(refusal(replay)) or "已被使用" in str(refusal(replay))
    assert client.get("/").status_code == 302


def test_a_state_from_another_browser_is_refused(sso):
    mine, theirs = Client(), Client()
    callback = sso.sign_in(start(theirs), "zhang")
    start(mine)
    answer = mine.get(callback)
    assert answer.status_code == 400
    assert not User.objects.filter(username="zhang").exists()


def test_a_move_at_the_provider_ends_tokens_and_sessions(sso, other_bureau):
    first, answer = sign_in(sso, "wang")
    assert answer.status_code == 302
    user = User.objects.get(username="wang")
    key = credentials.issue_token(user=user)
    assert first.get("/").status_code == 200
    sso.move("wang", "HEALTH")
    try:
        _second, answer = sign_in(sso, "wang")
        assert answer.status_code == 302
    finally:
        sso.move("wang", "BDC")
    user.refresh_from_db()
    assert user.department == other_bureau
    assert APIClient(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/assets/").status_code == 401
    assert first.get("/").status_code == 302


def test_local_passwords_only_for_break_glass_accounts(sso, settings, bureau, centre):
    settings.YIKA_LOCAL_LOGIN_USERS = ["root"]
    UserFactory(username="root", department=bureau, roles=["admin"])
    UserFactory(username="clerk2", department=centre, roles=["clerk"])
    page = Client().get("/accounts/login/")
    assert 'id="sso-oidc"' in page.content.decode()
    refused = Client().post("/accounts/login/", {"username": "clerk2", "password": PASSWORD})
    assert refused.status_code == 200
    api = APIClient().post(
        "/api/v1/auth/token/", {"username": "clerk2", "password": PASSWORD}, format="json"
    )
    assert api.status_code == 400
    allowed = Client().post("/accounts/login/", {"username": "root", "password": PASSWORD})
    assert allowed.status_code == 302


def test_single_sign_on_is_off_by_default(client, settings):
    settings.YIKA_OIDC_ENABLED = False
    assert client.get("/accounts/sso/oidc/").status_code == 404
    assert client.get("/accounts/sso/oidc/callback/?code=x&state=y").status_code == 404
    assert 'id="sso-oidc"' not in client.get("/accounts/login/").content.decode()


def test_single_sign_on_and_its_refusals_are_in_the_security_log(sso):
    from assets.security.models import SecurityEvent

    Kind = SecurityEvent.Kind
    _client, answer = sign_in(sso, "zhang")
    assert answer.status_code == 302
    signed_in = SecurityEvent.objects.get(kind=Kind.SIGN_IN)
    assert signed_in.username == "zhang" and signed_in.detail == {"method": "sso"}
    _client, answer = sign_in(sso, "li")
    assert answer.status_code == 403
    refused = SecurityEvent.objects.get(kind=Kind.SIGN_IN_FAILED)
    assert refused.detail == {"method": "sso", "reason": "unknown_department", "department": "NOPE"}


def test_an_account_created_or_linked_at_first_sign_in_is_in_the_security_log(sso, centre):
    from assets.models import SsoIdentity
    from assets.security.models import SecurityEvent

    Kind = SecurityEvent.Kind
    _client, answer = sign_in(sso, "zhang")
    assert answer.status_code == 302
    zhang = User.objects.get(username="zhang")
    created = SecurityEvent.objects.get(kind=Kind.ACCOUNT_CREATED)
    assert created.user == zhang
    assert created.detail["method"] == "oidc" and created.detail["roles"] == ["clerk"]
    assert created.detail["subject"] == SsoIdentity.objects.get(user=zhang).subject != ""
    wang = UserFactory(username="wang", department=centre, roles=["clerk"])
    for _time in range(2):
        _client, answer = sign_in(sso, "wang")
        assert answer.status_code == 302
    linked = SecurityEvent.objects.get(kind=Kind.SSO_LINKED)
    assert linked.user == wang and linked.detail["method"] == "oidc"
    assert SecurityEvent.objects.filter(kind=Kind.ACCOUNT_CREATED).count() == 1
