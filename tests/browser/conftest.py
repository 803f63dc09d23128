"""Chromium (Debian's, never a downloaded build) driven by Playwright against a live server.

Each test module marks its tests `browser` and
`django_db(transaction=True, serialized_rollback=True)`: the live server's thread reads what the
test commits, and the serialized rollback brings back the reference rows the migrations load
(categories, roles, label templates) after the flush.
"""

import os

import pytest

from tests.browser.support import CHROMIUM, CHROMIUM_ARGS


@pytest.fixture(scope="module")
def playwright(django_db_setup):
    """Playwright's sync API runs an asyncio loop in this thread. Django then sees an async
    context: its async-safety check would refuse the test's own queries (hence
    DJANGO_ALLOW_ASYNC_UNSAFE), and `connections` (an asgiref Local) hands out new connection
    objects, which lack the serialized migration data that `serialized_rollback` restores, so it
    is carried over to them."""
    from django.db import connections
    from playwright.sync_api import sync_playwright

    serialized = {
        alias: getattr(connections[alias], "_test_serialized_contents", None)
        for alias in connections
    }
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as driver:
            for alias, contents in serialized.items():
                if contents is not None:
                    connections[alias]._test_serialized_contents = contents
            yield driver
            # These connections belong to the loop's context: close them, or PostgreSQL refuses
            # to drop the test database at the end of the session.
            connections.close_all()
    finally:
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture(scope="module")
def launch(playwright):
    """`launch(*extra_args)` starts a Chromium; all are closed with the module."""
    browsers = []

    def start(*extra_args):
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=[*CHROMIUM_ARGS, *extra_args]
        )
        browsers.append(browser)
        return browser

    yield start
    for browser in browsers:
        browser.close()


@pytest.fixture(scope="module")
def chromium(launch):
    return launch()


@pytest.fixture
def base_url(live_server):
    return live_server.url


@pytest.fixture
def new_context(chromium, base_url):
    """`new_context(language, **options)`: a fresh browser profile speaking `language`.

    `bypass_csp` lets the test inject axe-core; the pages' own scripts still obey the policy.
    """
    contexts = []

    def make(language, *, browser=None, **options):
        context = (browser or chromium).new_context(
            bypass_csp=True, accept_downloads=True, locale=language, **options
        )
        context.add_cookies([{"name": "django_language", "value": language, "url": base_url}])
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
