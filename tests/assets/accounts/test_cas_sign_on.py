"""Single sign-on through CAS (issue 20) against a real CAS server on 127.0.0.1
(django-mama-cas, started by `cas_server`): Yika's redirect, the server's sign-in, the ticket's
validation with its attributes, the same account rules as OIDC, and the refusals a page
explains."""

from types import SimpleNamespace
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import requests
from django.test import Client
from django_cas_ng.models import SessionTicket
from rest_framework.test import APIClient

from assets import credentials
from assets.accounts import twofactor
from assets.models import SsoIdentity, SsoRoleRule, User
from assets.security.models import SecurityEvent
from tests.assets.accounts.totp import code_for
from tests.factories import UserFactory, make_asset

pytestmark = pytest.mark.django_db

Kind = SecurityEvent.Kind


@pytest.fixture
def cas(cas_server, settings, centre, other_bureau):
    for name, value in cas_server.settings_for_yika().items():
        setattr(settings, name, value)
    settings.YIKA_SSO_CREATE_USERS = True
    SsoRoleRule.objects.create(claim="groups", value="zcgl", role="clerk")
    return cas_server


def start(client, query=""):
    response = client.get(f"/accounts/sso/cas/{query}")
    assert response.status_code == 302
    return response["Location"]


def sign_in(cas, username, client=None, query="", browser=None):
    client = client or Client()
    back = cas.sign_in(start(client, query), username, browser=browser)
    return client, back, client.get(back)


def service_of(login_url):
    return parse_qs(urlsplit(login_url).query)["service"][0]


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


# ---------------------------------------------------------------------------- next


def test_next_lands_on_that_page_after_the_sign_in(cas, centre):
    asset = make_asset(owner=centre)
    page = f"/assets/{asset.tag}/?tab=history"
    login = start(Client(), "?next=" + quote(page))
    assert parse_qs(urlsplit(service_of(login)).query)["next"] == [page]
    client, _back, answer = sign_in(cas, "zhao", query="?next=" + quote(page))
    assert answer.status_code == 302
    assert answer["Location"] == page
    assert client.get(page).status_code == 200


@pytest.mark.parametrize(
    "outside", ["https://evil.example/assets/", "//evil.example/assets/", "javascript:alert(1)"]
)
def test_an_outside_next_falls_back_to_the_default_landing_page(cas, outside):
    login = start(Client(), "?next=" + quote(outside))
    assert parse_qs(urlsplit(service_of(login)).query)["next"] == ["/dashboard/"]
    client, _back, answer = sign_in(cas, "zhao", query="?next=" + quote(outside))
    assert answer.status_code == 302
    assert answer["Location"] == "/dashboard/"
    assert "_auth_user_id" in client.session


def test_the_sign_in_pages_cas_button_carries_its_next(client, settings):
    settings.YIKA_CAS_ENABLED = True
    settings.CAS_SERVER_URL = "https://cas.example.gov.cn/cas/"
    page = client.get("/accounts/login/?next=" + quote("/assets/?status=idle")).content.decode()
    assert 'href="/accounts/sso/cas/?next=/assets/%3Fstatus%3Didle"' in page
    page = client.get("/accounts/login/?next=" + quote("https://evil.example/")).content.decode()
    assert 'id="sso-cas" href="/accounts/sso/cas/"' in page


# ---------------------------------------------------------------------------- sign-out


def logout_request_for(ticket):
    """The SAML logoutRequest mama-cas sends a service at single sign-out, built by its code."""
    from mama_cas.request import SingleSignOutRequest

    xml = SingleSignOutRequest(context={"ticket": SimpleNamespace(ticket=ticket)}).render_content()
    return xml.decode()  # as `requests` form-encodes mama-cas' bytes


def ticket_of(back):
    return parse_qs(urlsplit(back).query)["ticket"][0]


def test_the_cas_servers_logout_request_ends_that_session_without_a_csrf_token(cas):
    client, back, answer = sign_in(cas, "zhao")
    other, _other_back, _answer = sign_in(cas, "qian")
    assert answer.status_code == 302 and client.get("/dashboard/").status_code == 200
    server = Client(enforce_csrf_checks=True)
    sent = server.post("/accounts/sso/cas/", {"logoutRequest": logout_request_for(ticket_of(back))})
    assert sent.status_code == 200
    assert client.get("/dashboard/").status_code == 302
    assert other.get("/dashboard/").status_code == 200  # another person's session stays
    out = SecurityEvent.objects.get(kind=Kind.SIGN_OUT)
    assert out.user.username == "zhao" and out.detail == {"method": "cas_single_sign_out"}
    assert out.address == "127.0.0.1"
    # Sent again (or for a ticket Yika never saw), nothing more happens.
    again = server.post(
        "/accounts/sso/cas/", {"logoutRequest": logout_request_for(ticket_of(back))}
    )
    assert again.status_code == 200
    assert SecurityEvent.objects.filter(kind=Kind.SIGN_OUT).count() == 1


def test_a_logout_request_that_is_not_one_ends_nothing(cas):
    client, _back, _answer = sign_in(cas, "zhao")
    server = Client(enforce_csrf_checks=True)
    assert server.post("/accounts/sso/cas/", {}).status_code == 400
    entity = (
        '<!DOCTYPE x [<!ENTITY e "ST">]><samlp:LogoutRequest '
        'xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">'
        "<samlp:SessionIndex>&e;</samlp:SessionIndex></samlp:LogoutRequest>"
    )
    for body in ("not xml", entity):
        assert server.post("/accounts/sso/cas/", {"logoutRequest": body}).status_code == 200
    assert client.get("/dashboard/").status_code == 200
    assert not SecurityEvent.objects.filter(kind=Kind.SIGN_OUT).exists()


def test_only_the_cas_login_view_is_exempt_from_csrf(cas):
    client, _back, _answer = sign_in(cas, "zhao")
    client = Client(enforce_csrf_checks=True)
    assert client.post("/accounts/logout/").status_code == 403


def test_signing_out_of_yika_ends_the_cas_session_too(cas):
    browser = requests.Session()
    client, _back, answer = sign_in(cas, "zhao", browser=browser)
    assert answer.status_code == 302
    out = client.post("/accounts/logout/")
    assert client.get("/dashboard/").status_code == 302
    logout = urlsplit(out["Location"])
    assert f"{logout.scheme}://{logout.netloc}{logout.path}" == f"{cas.url}/cas/logout"
    assert parse_qs(logout.query)["service"] == ["http://testserver/accounts/login/"]
    assert not SessionTicket.objects.exists()
    assert SecurityEvent.objects.filter(kind=Kind.SIGN_OUT, user__username="zhao").count() == 1
    # The browser follows it: the CAS server signs it out and sends it back to Yika's sign-in.
    back = browser.get(out["Location"], allow_redirects=False, timeout=10)
    assert back.status_code == 302, back.text[:3000]
    assert back.headers["Location"] == "http://testserver/accounts/login/"
    # A new sign-in through CAS asks for the password again (no single sign-on session left).
    login = start(Client())
    assert browser.get(login, allow_redirects=False, timeout=10).status_code == 200


def test_a_cas_session_at_the_server_signs_in_again_without_a_password(cas):
    """The counterpart of the test above: without Yika's sign-out going on to the server's,
    the server would sign the browser straight back in."""
    browser = requests.Session()
    sign_in(cas, "zhao", browser=browser)
    again = browser.get(start(Client()), allow_redirects=False, timeout=10)
    assert again.status_code == 302 and "ticket=" in again.headers["Location"]


def test_a_password_sign_out_stays_on_yika(cas, centre):
    user = UserFactory(username="li", department=centre, roles=["clerk"])
    client = Client()
    client.force_login(user)
    out = client.post("/accounts/logout/")
    assert out.status_code == 302 and out["Location"] == "/accounts/login/"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_signing_out_at_the_cas_server_ends_the_yika_session(cas, live_server):
    """Single sign-out end to end: mama-cas itself POSTs its logoutRequest to Yika's live
    server when the person signs out there."""
    browser = requests.Session()
    service = f"{live_server.url}/accounts/sso/cas/"
    login = browser.get(service, allow_redirects=False, timeout=10).headers["Location"]
    back = cas.sign_in(login, "zhao", browser=browser, service=service)
    landed = browser.get(f"{live_server.url}{back}", allow_redirects=False, timeout=10)
    assert landed.status_code == 302 and landed.headers["Location"] == "/dashboard/"
    dashboard = f"{live_server.url}/dashboard/"
    assert browser.get(dashboard, allow_redirects=False, timeout=10).status_code == 200
    browser.get(f"{cas.url}/cas/logout", allow_redirects=False, timeout=10)
    assert browser.get(dashboard, allow_redirects=False, timeout=10).status_code == 302
    out = SecurityEvent.objects.get(kind=Kind.SIGN_OUT)
    assert out.user.username == "zhao" and out.detail == {"method": "cas_single_sign_out"}
    assert not SessionTicket.objects.exists()


def test_single_sign_out_still_ends_a_session_after_the_second_step(cas, centre):
    """The second step gives the session a new key; the CAS ticket must follow it."""
    user = UserFactory(username="qian", department=centre, roles=["clerk"])
    twofactor.start_enrolment(user=user)
    twofactor.confirm_enrolment(user=user, code=code_for(user))
    client, back, answer = sign_in(cas, "qian")
    assert client.get("/dashboard/").status_code == 302  # to the second step
    key = client.session.session_key
    passed = client.post("/accounts/two-factor/", {"code": code_for(user, steps_ahead=1)})
    assert passed.status_code == 302
    assert client.session.session_key != key
    assert client.get("/dashboard/").status_code == 200
    Client().post("/accounts/sso/cas/", {"logoutRequest": logout_request_for(ticket_of(back))})
    assert client.get("/dashboard/").status_code == 302
    assert SecurityEvent.objects.filter(kind=Kind.SIGN_OUT, user=user).count() == 1
