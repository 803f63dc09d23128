"""Single sign-on in a browser (issue 20): the sign-in page's button, the provider's own sign-in
page (django-oauth-toolkit on 127.0.0.1, tests/assets/accounts/idp/), back to Yika signed in; and
a person whose department Yika does not know gets a page that says so."""

import pytest

from tests.assets.accounts.provider import IDP_PASSWORD, start_provider, stop_server
from tests.browser.support import DESK, PHONE, Visit

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(scope="module")
def identity_provider(tmp_path_factory, django_db_setup):
    provider = start_provider(tmp_path_factory.mktemp("idp"))
    yield provider
    stop_server(provider)


@pytest.fixture
def sso(identity_provider, settings, base_url, centre):
    from assets.models import SsoRoleRule

    for name, value in identity_provider.settings_for_yika().items():
        setattr(settings, name, value)
    settings.YIKA_SSO_CREATE_USERS = True
    SsoRoleRule.objects.create(claim="groups", value="zcgl", role="clerk")
    identity_provider.allow_redirect(f"{base_url}/accounts/sso/oidc/callback/")
    return identity_provider


def through_the_provider(visit, base_url, username):
    page = visit.page
    visit.goto(f"{base_url}/accounts/login/")
    with page.expect_navigation():
        page.click("#sso-oidc")
    # The provider's own sign-in page.
    assert page.url.startswith(visit.provider_url)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", IDP_PASSWORD)
    with page.expect_navigation(url=lambda url: url.startswith(base_url)):
        page.click("button")


@pytest.mark.parametrize("device", ["phone", "desk"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_clerk_signs_in_through_the_unified_identity_platform(
    language, device, base_url, new_context, sso
):
    from assets.models import User

    options = PHONE if device == "phone" else DESK
    visit = Visit(new_context(language, **options), language=language, allowed_words={"zhang"})
    visit.provider_url = sso.url
    visit.goto(f"{base_url}/accounts/login/")
    assert visit.page.inner_text("#sso-oidc") == visit.t(
        "Sign in with the unified identity platform"
    )
    visit.check(f"sso-login-{device}")
    through_the_provider(visit, base_url, "zhang")
    assert "/accounts/" not in visit.page.url
    if device == "phone":
        visit.page.click(".nav-toggle")
    assert "张伟" in visit.page.inner_text(".user-menu summary")
    user = User.objects.get(username="zhang")
    assert user.department.code == "BDC"
    assert set(user.groups.values_list("name", flat=True)) == {"clerk"}

    refused = Visit(new_context(language, **options), language=language)
    refused.provider_url = sso.url
    refused.expected_errors.append("status of 403")  # the refusal page answers 403
    through_the_provider(refused, base_url, "li")
    assert refused.page.inner_text("h1") == refused.t("Single sign-on refused")
    assert "NOPE" in refused.page.inner_text("#sso-reason")
    refused.check(f"sso-refused-{device}")
    assert not User.objects.filter(username="li").exists()
