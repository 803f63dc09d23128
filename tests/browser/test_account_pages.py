"""The user's own account pages: changing the password from the user menu (issue 15.4)."""

import pytest

from tests.browser.support import DESK, PASSWORD, PHONE, Visit, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

NEW_PASSWORD = "Neu-Kennwort-2026"


@pytest.mark.parametrize("device", ["phone", "desk"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_clerk_changes_their_password_from_the_user_menu(
    language, device, base_url, new_context, clerk
):
    from assets import credentials
    from assets.models import ApiToken

    key_owner = credentials.issue_token(user=clerk)
    assert key_owner
    visit = Visit(
        new_context(language, **(PHONE if device == "phone" else DESK)), language=language
    )
    page = visit.page
    sign_in(visit, base_url, "clerk")
    if device == "phone":
        page.click(".nav-toggle")
    page.click(".user-menu summary")
    page.click("a[href='/accounts/password/']")
    assert page.inner_text("h1") == visit.t("Change password")
    visit.check(f"password-change-{device}")
    page.fill("input[name=old_password]", PASSWORD)
    page.fill("input[name=new_password1]", NEW_PASSWORD)
    page.fill("input[name=new_password2]", NEW_PASSWORD)
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    message = visit.t(
        "Your password has been changed. Your other sign-ins and your API tokens have been ended."
    )
    assert message in page.inner_text(".messages")
    visit.check(f"password-changed-{device}")
    clerk.refresh_from_db()
    assert clerk.check_password(NEW_PASSWORD)
    assert not ApiToken.objects.filter(user=clerk).exists()
