"""`/api/docs/` works with no internet, under the site's CSP: Chromium aborts every request to
another host, the policy is not bypassed, and the operations are listed (issues 15.16, 14.10)."""

from urllib.parse import urlsplit

import pytest

from tests.browser.support import DESK, PASSWORD, PHONE, Visit

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def offline_context(chromium, base_url, language, **options):
    """A profile that cannot reach anything but the site, and that obeys its CSP."""
    context = chromium.new_context(locale=language, **options)
    context.add_cookies([{"name": "django_language", "value": language, "url": base_url}])
    context.set_default_timeout(15_000)
    site = urlsplit(base_url).netloc
    outside = []

    def route(route):
        if urlsplit(route.request.url).netloc == site:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort("internetdisconnected")

    context.route("**/*", route)
    return context, outside


# The operations Swagger UI has rendered now: block id → path.
RENDERED = """() => Object.fromEntries(Array.from(document.querySelectorAll('.opblock[id]'),
    (block) => [block.id, block.querySelector('.opblock-summary-path')?.innerText ?? '']))"""
# Scroll down most of a screen; true when the page was already at its bottom.
SCROLL_DOWN = """() => { const before = window.scrollY; window.scrollBy(0, window.innerHeight * 0.8);
    return window.scrollY === before; }"""
NEXT_FRAMES = (
    "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"
)


def walk_operations(page, *, until=None, steps: int = 400) -> dict[str, str]:
    """Every operation the docs list (block id → path), scrolling from the top to the bottom:
    with as many operations as the register has, Swagger UI renders only those near the
    viewport. With `until` (a path), stop as soon as an operation of that path is rendered."""
    page.evaluate("() => window.scrollTo(0, 0)")
    seen: dict[str, str] = {}
    for _ in range(steps):
        page.evaluate(NEXT_FRAMES)
        seen.update(page.evaluate(RENDERED))
        if until is not None and until in seen.values():
            return seen
        if page.evaluate(SCROLL_DOWN):
            page.evaluate(NEXT_FRAMES)
            seen.update(page.evaluate(RENDERED))
            return seen
    raise AssertionError(f"the docs page never ended after {steps} screens")


@pytest.mark.parametrize("device", ["phone", "desk"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_api_docs_list_the_operations_offline(language, device, base_url, chromium, clerk):
    context, outside = offline_context(
        chromium, base_url, language, **(PHONE if device == "phone" else DESK)
    )
    try:
        visit = Visit(context, language=language)
        page = visit.page
        # Not support.sign_in: its axe-core check injects a script, which this CSP refuses.
        visit.goto(f"{base_url}/accounts/login/")
        page.fill("input[name=username]", "clerk")
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.click("form button[type=submit]")
        if device == "phone":
            page.click(".nav-toggle")
        page.click(".user-menu summary")
        page.click("a[href='/api/docs/']")
        page.wait_for_selector(".opblock-summary-path", state="visible")
        paths = list(walk_operations(page).values())
        assert any("/api/v1/assets/" in p for p in paths), paths[:10]
        assert any("/api/v1/stocktakes/" in p for p in paths), paths[:10]
        assert len(paths) > 40
        walk_operations(page, until="/api/v1/auth/token/")
        page.locator(".opblock-summary-path", has_text="/api/v1/auth/token/").first.click()
        page.wait_for_selector(".opblock-body", state="visible")
        visit.screenshot(f"api-docs-{device}")
        assert outside == []
        assert visit.errors == [], visit.errors
    finally:
        context.close()
