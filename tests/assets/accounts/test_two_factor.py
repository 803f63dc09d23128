"""Two-factor sign-in (issue 20): TOTP with recovery codes, required for administrators by
default, enforced on the site's pages, the Django admin and the token endpoint."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from assets.accounts import twofactor
from assets.models import ApiToken
from tests.assets.accounts.totp import code_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pass-word-123"
TOKEN = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def _admins_need_two_factor(settings):
    settings.YIKA_2FA_REQUIRED_ROLES = ["admin"]
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


@pytest.fixture
def chief(bureau):
    return UserFactory(username="chief", department=bureau, roles=["admin"], is_staff=True)


def enrol(user) -> list[str]:
    twofactor.start_enrolment(user=user)
    _device, codes = twofactor.confirm_enrolment(user=user, code=code_for(user))
    return codes


def password_sign_in(user, next_url="/"):
    browser = Client()
    response = browser.post(
        f"/accounts/login/?next={next_url}", {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    return browser, response


def test_an_admin_without_an_app_is_sent_to_set_it_up_and_reaches_nothing_else(chief):
    browser, _response = password_sign_in(chief)
    page = browser.get("/", follow=True)
    assert page.redirect_chain[-1][0].startswith("/accounts/two-factor/setup/")
    assert "您的角色要求在密码之后再验证一步" in page.content.decode()
    assert browser.get("/admin/").status_code == 302
    api = browser.get("/api/v1/assets/")
    assert api.status_code == 403 and api.json()["code"] == "two_factor_required"


def test_enrolment_turns_the_second_step_on_and_shows_recovery_codes_once(chief):
    browser, _response = password_sign_in(chief)
    setup = browser.get("/accounts/two-factor/setup/")
    assert setup.status_code == 200
    qr = browser.get("/accounts/two-factor/qr.svg")
    assert qr["Content-Type"] == "image/svg+xml" and qr.content.startswith(b"<svg")
    wrong = browser.post("/accounts/two-factor/setup/", {"code": "000000"})
    assert wrong.status_code == 400
    assert not twofactor.enrolled(chief)
    done = browser.post("/accounts/two-factor/setup/", {"code": code_for(chief), "next": "/admin/"})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10 and all(code in done.content.decode() for code in codes)
    assert twofactor.enrolled(chief)
    # This session went through the second step: the admin opens.
    assert browser.get("/admin/").status_code == 200
    assert browser.get("/api/v1/assets/").status_code == 200


def test_sign_in_asks_for_the_code_after_the_password(chief):
    enrol(chief)
    browser, _response = password_sign_in(chief, next_url="/admin/")
    step = browser.get("/admin/")
    assert step.status_code == 302 and step["Location"].startswith("/accounts/two-factor/?next=")
    refused = browser.post("/accounts/two-factor/", {"code": "123456", "next": "/admin/"})
    assert refused.status_code == 400
    assert browser.get("/admin/").status_code == 302
    passed = browser.post(
        "/accounts/two-factor/", {"code": code_for(chief, steps_ahead=1), "next": "/admin/"}
    )
    assert passed.status_code == 302 and passed["Location"] == "/admin/"
    assert browser.get("/admin/").status_code == 200


def test_a_totp_code_is_accepted_once(chief):
    enrol(chief)
    code = code_for(chief, steps_ahead=1)
    first, _r = password_sign_in(chief)
    second, _r = password_sign_in(chief)
    assert first.post("/accounts/two-factor/", {"code": code}).status_code == 302
    again = second.post("/accounts/two-factor/", {"code": code})
    assert again.status_code == 400
    assert second.get("/").status_code == 302


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_same_code_sent_twice_at_once_signs_in_once(chief):
    enrol(chief)
    code = code_for(chief, steps_ahead=1)
    barrier = threading.Barrier(2)
    results = []

    def attempt():
        try:
            barrier.wait()
            results.append(twofactor.verify_code(user=chief, code=code) is not None)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, True]


def test_a_recovery_code_signs_in_once(chief):
    codes = enrol(chief)
    browser, _r = password_sign_in(chief)
    assert browser.post("/accounts/two-factor/", {"code": codes[0].upper()}).status_code == 302
    assert StaticToken.objects.filter(device__user=chief).count() == 9
    other, _r = password_sign_in(chief)
    assert other.post("/accounts/two-factor/", {"code": codes[0]}).status_code == 400


def test_the_token_endpoint_wants_the_code_from_who_signs_in_with_two_factors(chief, clerk):
    api = APIClient()
    credentials = {"username": "chief", "password": PASSWORD}
    not_set_up = api.post(TOKEN, credentials, format="json")
    assert not_set_up.status_code == 403
    assert not_set_up.json()["code"] == "two_factor_setup_required"
    enrol(chief)
    missing = api.post(TOKEN, credentials, format="json")
    assert missing.status_code == 403 and missing.json()["code"] == "two_factor_required"
    wrong = api.post(TOKEN, {**credentials, "otp": "111111"}, format="json")
    assert wrong.status_code == 403 and wrong.json()["code"] == "two_factor_failed"
    assert not ApiToken.objects.filter(user=chief).exists()
    good = api.post(TOKEN, {**credentials, "otp": code_for(chief, steps_ahead=1)}, format="json")
    assert good.status_code == 200 and list(good.json()) == ["token"]
    # Roles that do not require it keep the contract's username and password.
    plain = api.post(TOKEN, {"username": clerk.username, "password": PASSWORD}, format="json")
    assert plain.status_code == 200


def test_a_clerk_who_enrolled_is_asked_too_and_may_turn_it_off(clerk):
    enrol(clerk)
    browser, _r = password_sign_in(clerk)
    assert browser.get("/").status_code == 302
    assert (
        browser.post("/accounts/two-factor/", {"code": code_for(clerk, steps_ahead=1)}).status_code
        == 302
    )
    assert browser.post("/accounts/security/two-factor-off/").status_code == 302
    assert not twofactor.enrolled(clerk)
    fresh, _r = password_sign_in(clerk)
    assert fresh.get("/").status_code == 200


def test_an_admin_may_not_turn_their_own_off(chief):
    enrol(chief)
    browser, _r = password_sign_in(chief)
    browser.post("/accounts/two-factor/", {"code": code_for(chief, steps_ahead=1)})
    browser.post("/accounts/security/two-factor-off/")
    assert twofactor.enrolled(chief)


def test_a_password_alone_cannot_replace_the_app(chief):
    enrol(chief)
    browser, _r = password_sign_in(chief)
    response = browser.get("/accounts/two-factor/setup/?restart=1")
    assert response.status_code == 302 and response["Location"] == "/accounts/two-factor/"
    assert browser.get("/accounts/two-factor/qr.svg").status_code == 404
    assert TOTPDevice.objects.filter(user=chief).count() == 1


def test_an_admin_resets_a_lost_phone_in_the_admin(chief, clerk):
    enrol(clerk)
    enrol(chief)
    browser, _r = password_sign_in(chief)
    browser.post("/accounts/two-factor/", {"code": code_for(chief, steps_ahead=1)})
    response = browser.post(
        "/admin/assets/user/",
        {"action": "reset_two_factor", "_selected_action": [clerk.pk]},
    )
    assert response.status_code == 302
    assert not twofactor.enrolled(clerk)
    assert twofactor.enrolled(chief)


def test_a_session_without_the_second_step_gets_no_token(chief):
    browser, _r = password_sign_in(chief)
    response = browser.post("/api/v1/tokens/", {"name": "script"}, content_type="application/json")
    assert response.status_code == 403 and response.json()["code"] == "two_factor_required"
    page = browser.post("/accounts/tokens/", {"name": "script", "scope": "full"})
    assert page.status_code == 302
    assert not ApiToken.objects.filter(user=chief).exists()


def test_another_authorization_header_does_not_skip_the_second_step(chief):
    browser, _r = password_sign_in(chief)
    basic = browser.get("/api/v1/assets/", HTTP_AUTHORIZATION="Basic Y2hpZWY6eA==")
    assert basic.status_code == 403 and basic.json()["code"] == "two_factor_required"
    bogus = browser.get("/api/v1/assets/", HTTP_AUTHORIZATION="Token not-a-key")
    assert bogus.status_code == 401


def test_enrolment_a_wrong_second_step_and_a_reset_are_in_the_security_log(chief, clerk):
    from assets.security.models import SecurityEvent

    Kind = SecurityEvent.Kind
    enrol(chief)
    enrolled = SecurityEvent.objects.get(kind=Kind.TWO_FACTOR_ENABLED)
    assert enrolled.user == chief
    browser, _r = password_sign_in(chief)
    assert browser.post("/accounts/two-factor/", {"code": "123456"}).status_code == 400
    failed = SecurityEvent.objects.filter(kind=Kind.SIGN_IN_FAILED).get()
    assert failed.user == chief and failed.detail == {"method": "two_factor"}
    browser.post("/accounts/two-factor/", {"code": code_for(chief, steps_ahead=1)})
    enrol(clerk)
    browser.post(
        "/admin/assets/user/", {"action": "reset_two_factor", "_selected_action": [clerk.pk]}
    )
    reset = SecurityEvent.objects.get(kind=Kind.TWO_FACTOR_RESET)
    assert reset.user == clerk and reset.detail == {"by": "chief"}


def test_a_recovery_code_used_is_in_the_security_log_with_the_codes_left(chief):
    from assets.security.models import SecurityEvent

    codes = enrol(chief)
    browser, _r = password_sign_in(chief)
    assert browser.post("/accounts/two-factor/", {"code": codes[3]}).status_code == 302
    used = SecurityEvent.objects.get(kind=SecurityEvent.Kind.RECOVERY_CODE_USED)
    assert used.user == chief and used.detail == {"left": 9}
    assert used.address == "127.0.0.1"
    api = APIClient().post(
        TOKEN, {"username": "chief", "password": PASSWORD, "otp": codes[4]}, format="json"
    )
    assert api.status_code == 200
    latest = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.RECOVERY_CODE_USED).first()
    assert latest.detail == {"left": 8}
    # A TOTP code is no recovery code: nothing more is logged as one.
    assert browser.post("/accounts/two-factor/", {"code": code_for(chief)}).status_code in (
        200,
        302,
    )
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.RECOVERY_CODE_USED).count() == 2


def test_the_token_endpoint_refusing_a_missing_second_factor_is_in_the_security_log(chief):
    from assets.security.models import SecurityEvent

    api = APIClient()
    credentials = {"username": "chief", "password": PASSWORD}
    assert api.post(TOKEN, credentials, format="json").status_code == 403
    enrol(chief)
    assert api.post(TOKEN, credentials, format="json").status_code == 403
    assert api.post(TOKEN, {**credentials, "otp": "111111"}, format="json").status_code == 403
    refusals = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.SIGN_IN_FAILED).order_by("id")
    assert [(event.user, event.detail) for event in refusals] == [
        (chief, {"method": "api_token", "reason": "two_factor_setup_required"}),
        (chief, {"method": "api_token", "reason": "two_factor_required"}),
        (chief, {"method": "api_token", "reason": "two_factor_failed"}),
    ]
    assert all(event.address == "127.0.0.1" for event in refusals)
