"""The user's account page (issue 20): an administrator sets up two-factor sign-in by scanning
the QR code (decoded here from the screenshot, the code computed from what it holds) and signs in
again with a code; a clerk creates a scoped API token, sees its key once, uses it, revokes it."""

import io
from urllib.parse import parse_qs, urlsplit

import pytest
from PIL import Image

from tests.assets.accounts.totp import code_for
from tests.browser.support import DESK, PHONE, Visit, decode_qr, sign_in
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def open_account(visit, device):
    page = visit.page
    if device == "phone":
        page.click(".nav-toggle")
    page.click(".user-menu summary")
    with page.expect_navigation():
        page.click("a[href='/accounts/']")
    assert page.inner_text("h1") == visit.t("My account")


@pytest.mark.parametrize("device", ["phone", "desk"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_admin_enrols_a_totp_app_and_signs_in_with_a_code(
    language, device, base_url, new_context, settings, bureau
):
    settings.YIKA_2FA_REQUIRED_ROLES = ["admin"]
    # A wrong code delays the next try by a second (django-otp's throttle); a person types slower.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    UserFactory(username="admin", department=bureau, roles=["admin"], is_staff=True)
    visit = Visit(
        new_context(language, **(PHONE if device == "phone" else DESK)), language=language
    )
    page = visit.page
    sign_in(visit, base_url, "admin")
    # The password alone leads to the set-up, not to the register.
    assert "/accounts/two-factor/setup/" in page.url
    assert page.inner_text("h1") == visit.t("Set up two-factor sign-in")
    page.wait_for_function("document.querySelector('img.qr').naturalWidth > 0")
    visit.check(f"two-factor-setup-{device}")
    shot = Image.open(io.BytesIO(page.locator("img.qr").screenshot()))
    found = decode_qr(shot.convert("L"))
    assert len(found) == 1
    otpauth = urlsplit(found[0].text)
    assert otpauth.scheme == "otpauth" and otpauth.path.endswith("admin")
    secret = parse_qs(otpauth.query)["secret"][0]
    assert secret == page.inner_text("#totp-secret")
    page.fill("input[name=code]", code_for(secret_b32=secret))
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    assert page.inner_text("h1") == visit.t("Recovery codes")
    assert page.locator(".recovery-codes li").count() == 10
    visit.check(f"two-factor-recovery-codes-{device}")
    with page.expect_navigation():
        page.click(".form-actions a")
    assert "/accounts/" not in page.url

    # Signed out and in again: the second step asks for the code.
    if device == "phone":
        page.click(".nav-toggle")
    page.click(".user-menu summary")
    with page.expect_navigation():
        page.click(".user-menu form button")
    sign_in(visit, base_url, "admin")
    assert "/accounts/two-factor/" in page.url
    assert page.inner_text("h1") == visit.t("Two-factor sign-in")
    visit.check(f"two-factor-verify-{device}")
    page.fill("input[name=code]", "000000")
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    assert visit.t(
        "That code is wrong, expired or already used. Wait for the next code and try again."
    ) in page.inner_text(".field__error")
    page.fill("input[name=code]", code_for(secret_b32=secret, steps_ahead=1))
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    assert "/accounts/" not in page.url
    open_account(visit, device)
    assert visit.t("On") in page.inner_text("#two-factor")


@pytest.mark.parametrize("device", ["phone", "desk"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_clerk_creates_a_scan_token_sees_the_key_once_and_revokes_it(
    language, device, base_url, new_context, clerk
):
    from rest_framework.test import APIClient

    from assets.models import ApiToken

    visit = Visit(
        new_context(language, **(PHONE if device == "phone" else DESK)),
        language=language,
        allowed_words={"Authorization", "Token"},
    )
    page = visit.page
    sign_in(visit, base_url, "clerk")
    open_account(visit, device)
    visit.check(f"account-{device}")
    page.fill("input[name=name]", "PDA 3")
    page.select_option("select[name=scope]", "scan")
    with page.expect_navigation():
        page.click("#tokens form.form button[type=submit]")
    assert page.inner_text("h1") == visit.t("New API token")
    key = page.inner_text("#token-key").strip()
    visit.check(f"account-token-created-{device}")
    token = ApiToken.objects.get(user=clerk)
    assert token.scope == "scan" and token.name == "PDA 3" and key.startswith(token.prefix)
    api = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/assets/").status_code == 200
    assert api.post("/api/v1/tokens/", {"name": "x"}, format="json").status_code == 403

    with page.expect_navigation():
        page.click(".form-actions a")
    row = page.locator("#tokens tbody tr")
    assert row.count() == 1 and "PDA 3" in row.inner_text()
    assert key not in page.content()
    visit.check(f"account-tokens-{device}", full_page=True)
    asked = []

    def accept(dialog):
        asked.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    with page.expect_navigation():
        row.locator("button").click()
    assert asked and "PDA 3" in asked[0]
    assert page.locator("#tokens tbody tr").count() == 0
    assert not ApiToken.objects.filter(user=clerk).exists()
    assert api.get("/api/v1/assets/").status_code == 401
