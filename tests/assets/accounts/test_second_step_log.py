"""Walk findings 9 and 40: with two-factor sign-in the sign-in is logged once, after the second
step, with both methods; the prompt between them offers only signing out; the disposal
application form's download is in the security log like the other PDFs."""

import pytest
from django.test import Client
from django.urls import reverse

from assets.accounts import twofactor
from assets.models import SecurityEvent
from tests.assets.accounts.totp import code_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "pass-word-123"
Kind = SecurityEvent.Kind


@pytest.fixture(autouse=True)
def _admins_need_two_factor(settings):
    settings.YIKA_2FA_REQUIRED_ROLES = ["admin"]
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


@pytest.fixture
def chief(bureau):
    user = UserFactory(username="chief", department=bureau, roles=["admin"], is_staff=True)
    twofactor.start_enrolment(user=user)
    twofactor.confirm_enrolment(user=user, code=code_for(user))
    return user


def sign_ins(user):
    return list(SecurityEvent.objects.filter(kind=Kind.SIGN_IN, user=user).values_list("detail"))


def test_the_sign_in_is_logged_once_after_the_second_step_with_both_methods(chief):
    browser = Client()
    browser.post("/accounts/login/", {"username": "chief", "password": PASSWORD})
    assert sign_ins(chief) == []
    code = code_for(chief, steps_ahead=1)
    response = browser.post(reverse("accounts:two-factor"), {"code": code})
    assert response.status_code == 302
    assert sign_ins(chief) == [({"method": "password", "second_factor": "totp"},)]
    log = browser.get(reverse("assets:security-log"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "身份验证器应用验证码" in log.content.decode()


def test_a_password_only_sign_in_is_still_logged_at_once(clerk):
    browser = Client()
    browser.post("/accounts/login/", {"username": "clerk", "password": PASSWORD})
    assert sign_ins(clerk) == [({"method": "password"},)]


def test_the_second_step_prompt_offers_only_signing_out(chief):
    browser = Client()
    browser.post("/accounts/login/", {"username": "chief", "password": PASSWORD})
    page = browser.get(reverse("accounts:two-factor"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    body = page.content.decode()
    assert reverse("logout") in body
    for hidden in ("labels:queue", "assets:dashboard", "assets:security-log", "admin:index"):
        assert f'href="{reverse(hidden)}"' not in body, hidden
    assert f'href="{reverse("accounts:account")}"' not in body


def test_the_disposal_application_download_is_logged(client, clerk, centre):
    from assets.disposals import services as ds
    from tests.factories import make_asset

    card = make_asset(owner=centre, name="旧服务器")
    case = ds.create_disposal(
        actor=clerk,
        fields={"method": "scrap", "grounds": "other", "reason": "损坏"},
        tags=[card.tag],
    )
    client.force_login(clerk)
    response = client.get(reverse("assets:disposal-application", args=[case.number]))
    assert response.status_code == 200
    event = SecurityEvent.objects.get(kind=Kind.EXPORT)
    assert event.user == clerk
    assert event.detail == {"what": "disposal-application.pdf", "disposal": case.number}
