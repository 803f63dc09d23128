"""The site's own error pages in a browser: navigation, the reason, a way back (issue 14.9)."""

import pytest

from tests.browser.support import DESK, PHONE, Visit, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("device", ["phone", "desk"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_auditor_meets_the_sites_403_and_404_pages(
    language, device, base_url, new_context, auditor, admin_user, centre, clerk
):
    from tests.factories import make_asset, make_campaign

    make_asset(owner=centre, actor=clerk, name="台式计算机")
    campaign = make_campaign(actor=admin_user, departments=[centre])
    visit = Visit(
        new_context(language, **(PHONE if device == "phone" else DESK)), language=language
    )
    page = visit.page
    # Chromium logs the document's own error status; anything else still fails the page.
    visit.expected_errors = [f"the server responded with a status of {n}" for n in (400, 403, 404)]
    sign_in(visit, base_url, "auditor")

    response = page.goto(f"{base_url}/stocktakes/{campaign.pk}/scan")
    assert response.status == 403
    assert page.inner_text("h1") == visit.t("You may not open this page")
    # The scan view's own reason, not the general sentence.
    reason = visit.t(
        "Only asset clerks scan during a stocktake; you can follow its progress and read its "
        "results."
    )
    assert page.inner_text(".error-page__reason") == reason
    assert page.locator("#site-nav").count() == 1
    visit.check(f"error-403-{device}")
    with page.expect_navigation():
        page.click(".error-page a.btn--primary")
    assert page.url.rstrip("/") == base_url

    response = page.goto(f"{base_url}/assets/YK-NO-SUCH-CARD/")
    assert response.status == 404
    assert page.inner_text("h1") == visit.t("Page not found")
    visit.check(f"error-404-{device}")

    response = page.goto(f"{base_url}/assets/%00/")
    assert response.status == 400
    assert "NUL" in page.inner_text(".error-page__reason")
    visit.check(f"error-400-{device}")
