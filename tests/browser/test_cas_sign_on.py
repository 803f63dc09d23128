"""CAS single sign-on in a browser (issue 20): the sign-in page's CAS button (beside the OIDC
one when both are on), the CAS server's own sign-in page (django-mama-cas on 127.0.0.1,
tests/assets/accounts/cas/), back to Yika's dashboard signed in."""

import pytest

from tests.assets.accounts.provider import IDP_PASSWORD, start_cas_server, stop_server
from tests.browser.support import DESK, PHONE, Visit

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(scope="module")
def cas_server(django_db_setup):
    server = start_cas_server()
    yield server
    stop_server(server)


@pytest.fixture
def cas(cas_server, settings, centre):
    from assets.models import SsoRoleRule

    for name, value in cas_server.settings_for_yika().items():
        setattr(settings, name, value)
    settings.YIKA_OIDC_ENABLED = True  # both may be on: two buttons
    settings.YIKA_SSO_CREATE_USERS = True
    SsoRoleRule.objects.create(claim="groups", value="zcgl", role="clerk")
    return cas_server


@pytest.mark.parametrize("device", ["phone", "desk"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_clerk_signs_in_through_cas(language, device, base_url, new_context, cas):
    from assets.models import User

    options = PHONE if device == "phone" else DESK
    visit = Visit(new_context(language, **options), language=language, allowed_words={"CAS"})
    page = visit.page
    visit.goto(f"{base_url}/accounts/login/")
    assert page.inner_text("#sso-cas") == visit.t("Sign in with CAS")
    assert page.is_visible("#sso-oidc")
    visit.check(f"sso-login-cas-{device}")
    with page.expect_navigation():
        page.click("#sso-cas")
    # The CAS server's own sign-in page.
    assert page.url.startswith(f"{cas.url}/cas/login?service=")
    page.fill("input[name=username]", "zhao")
    page.fill("input[name=password]", IDP_PASSWORD)
    with page.expect_navigation(url=lambda url: url.startswith(base_url)):
        page.click("button")
    page.wait_for_load_state("load")
    assert page.url == f"{base_url}/dashboard/"
    if device == "phone":
        page.click(".nav-toggle")
    assert "赵敏" in page.inner_text(".user-menu summary")
    user = User.objects.get(username="zhao")
    assert user.department.code == "BDC"
    assert set(user.groups.values_list("name", flat=True)) == {"clerk"}
