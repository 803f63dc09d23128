"""Single sign-on through CAS (issue 20) against a real CAS server on 127.0.0.1
(django-mama-cas, started by `cas_server`): Yika's redirect, the server's sign-in, the ticket's
validation with its attributes, the same account rules as OIDC, and the refusals a page
explains."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from rest_framework.test import APIClient

from assets import credentials
from assets.models import SsoIdentity, SsoRoleRule, User
from assets.security.models import SecurityEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Kind = SecurityEvent.Kind


@pytest.fixture
def cas(cas_server, settings, centre, other_bureau):
    for name, value in cas_server.settings_for_yika().items():
        setattr(settings, name, value)
    settings.YIKA_SSO_CREATE_USERS = True
    SsoRoleRule.objects.create(claim="groups", value="zcgl", role="clerk")
    return cas_server


def start(client):
    response = client.get("/accounts/sso/cas/")
    assert response.status_code == 302
    return response["Location"]


def sign_in(cas, username, client=None):
    client = client or Client()
    back = cas.sign_in(start(client), username)
    return client, back, client.get(back)


def refusal(response):
    return str(response.context["reason"])


def test_the_sign_in_page_offers_cas_only_when_it_is_on(client, settings):
    settings.YIKA_CAS_ENABLED = False
    assert 'id="sso-cas"' not in client.get("/accounts/login/").content.decode()
    assert client.get("/accounts/sso/cas/").status_code == 404
    settings.YIKA_CAS_ENABLED = True
    settings.CAS_SERVER_URL = "https://cas.example.gov.cn/cas/"
    page = client.get("/accounts/login/").content.decode()
    assert 'id="sso-cas"' in page and 'href="/accounts/sso/cas/"' in page
    login = urlsplit(client.get("/accounts/sso/cas/")["Location"])
    assert f"{login.scheme}://{login.netloc}{login.path}" == "https://cas.example.gov.cn/cas/login"
    service = parse_qs(login.query)["service"][0]
    assert service.startswith("http://testserver/accounts/sso/cas/")


def test_first_sign_in_creates_the_user_from_the_attributes(cas, centre):
    client, _back, answer = sign_in(cas, "zhao")
    assert answer.status_code == 302, answer.content.decode()[:2000]
    assert answer["Location"] == "/dashboard/"
    user = User.objects.get(username="zhao")
    assert user.department == centre
    assert set(user.groups.values_list("name", flat=True)) == {"clerk"}
    assert user.display_name == "赵敏" and user.email == "zhao@example.gov.cn"
    assert not user.has_usable_password()
    assert client.get("/dashboard/").status_code == 200
    created = SecurityEvent.objects.get(kind=Kind.ACCOUNT_CREATED)
    assert created.user == user
    assert created.detail == {
        "method": "cas",
        "subject": "zhao",
        "department": "BDC",
        "roles": ["clerk"],
    }
    assert SecurityEvent.objects.get(kind=Kind.SIGN_IN).detail == {"method": "sso"}


def test_an_existing_account_is_linked_once(cas, centre):
    user = UserFactory(username="qian", department=centre, roles=["clerk"])
    for _time in range(2):
        _client, _back, answer = sign_in(cas, "qian")
        assert answer.status_code == 302
    assert User.objects.filter(username="qian").count() == 1
    assert SsoIdentity.objects.get(user=user).method == "cas"
    linked = SecurityEvent.objects.get(kind=Kind.SSO_LINKED)
    assert linked.user == user and linked.detail == {"method": "cas", "subject": "qian"}
    assert not SecurityEvent.objects.filter(kind=Kind.ACCOUNT_CREATED).exists()
    assert SecurityEvent.objects.filter(kind=Kind.SIGN_IN).count() == 2


def test_a_reused_ticket_is_refused_and_logged(cas):
    first, back, answer = sign_in(cas, "zhao")
    assert answer.status_code == 302
    thief = Client()
    replay = thief.get(back)
    assert replay.status_code == 403
    assert "used already" in refusal(replay) or "已被使用" in refusal(replay)
    assert "_auth_user_id" not in thief.session
    assert thief.get("/dashboard/").status_code == 302
    failed = SecurityEvent.objects.get(kind=Kind.SIGN_IN_FAILED)
    assert failed.detail == {"method": "sso", "reason": "cas_ticket"}
    assert first.get("/dashboard/").status_code == 200


def test_a_made_up_ticket_is_refused(cas):
    client = Client()
    answer = client.get("/accounts/sso/cas/?ticket=ST-1-forged")
    assert answer.status_code == 403
    assert "_auth_user_id" not in client.session


def test_without_creation_an_unknown_person_is_refused(cas, settings):
    settings.YIKA_SSO_CREATE_USERS = False
    client, _back, answer = sign_in(cas, "zhao")
    assert answer.status_code == 403
    assert "zhao" in refusal(answer)
    assert not User.objects.filter(username="zhao").exists()
    assert client.get("/dashboard/").status_code == 302


def test_an_unknown_department_is_refused_with_its_code(cas):
    _client, _back, answer = sign_in(cas, "sun")
    assert answer.status_code == 403
    assert "NOPE" in answer.content.decode()
    assert not User.objects.filter(username="sun").exists()


def test_a_person_without_a_mapped_group_is_refused(cas):
    _client, _back, answer = sign_in(cas, "zhou")
    assert answer.status_code == 403
    assert not User.objects.filter(username="zhou").exists()


def test_a_move_in_the_directory_ends_tokens_and_sessions(cas, other_bureau):
    first, _back, answer = sign_in(cas, "qian")
    assert answer.status_code == 302
    user = User.objects.get(username="qian")
    key = credentials.issue_token(user=user)
    cas.move("qian", "HEALTH")
    try:
        _second, _back, answer = sign_in(cas, "qian")
        assert answer.status_code == 302
    finally:
        cas.move("qian", "BDC")
    user.refresh_from_db()
    assert user.department == other_bureau
    assert APIClient(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/assets/").status_code == 401
    assert first.get("/dashboard/").status_code == 302
    moved = SecurityEvent.objects.get(kind=Kind.DEPARTMENT_CHANGED)
    assert moved.detail["from"] == "BDC" and moved.detail["to"] == "HEALTH"


def test_a_cas_server_that_is_down_is_a_page_not_a_500(cas, settings):
    settings.CAS_SERVER_URL = "http://127.0.0.1:9/cas/"
    client = Client()
    answer = client.get("/accounts/sso/cas/?ticket=ST-1-anything")
    assert answer.status_code == 502
    assert "_auth_user_id" not in client.session
