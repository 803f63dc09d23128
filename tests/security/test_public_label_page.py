"""15.15 / SECURITY.md test 2: anonymous users walked sequential tags on `/a/{TAG}` (60 in 0.5 s,
name and owning unit each). With the defaults, one address gets at most YIKA_PUBLIC_SCAN_RATE
(30 a minute) pages and then a 429; no page shows more than the tag, owning unit and contact,
and never the asset's name."""

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import make_asset

pytestmark = pytest.mark.django_db


def test_walking_sequential_tags_anonymously_is_throttled_and_shows_no_names(centre):
    assert settings.YIKA_PUBLIC_SCAN_RATE == "30/min"
    assert settings.YIKA_PUBLIC_LABEL_FIELDS == ["owner", "contact"]
    assets = [make_asset(owner=centre, name=f"涉密服务器{n:02d}") for n in range(40)]
    browser = Client()
    statuses = []
    for asset in assets + assets[:20]:  # 60 requests, as in the finding
        response = browser.get(f"/a/{asset.tag}")
        statuses.append(response.status_code)
        body = response.content.decode()
        assert "涉密服务器" not in body, f"/a/{asset.tag} shows the name"
    assert statuses[:30] == [200] * 30
    assert set(statuses[30:]) == {429}


def test_a_second_address_is_counted_on_its_own(centre):
    asset = make_asset(owner=centre)
    browser = Client()
    for _ in range(30):
        browser.get(f"/a/{asset.tag}", REMOTE_ADDR="192.0.2.1")
    assert browser.get(f"/a/{asset.tag}", REMOTE_ADDR="192.0.2.1").status_code == 429
    assert browser.get(f"/a/{asset.tag}", REMOTE_ADDR="192.0.2.2").status_code == 200


def test_a_forwarded_header_does_not_reset_the_count(centre):
    asset = make_asset(owner=centre)
    browser = Client()
    for n in range(30):
        browser.get(f"/a/{asset.tag}", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    answer = browser.get(f"/a/{asset.tag}", HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert answer.status_code == 429


def test_behind_a_trusted_proxy_each_visitor_is_counted_on_their_own(centre, settings):
    """Behind the reverse proxy the operator guide recommends, every request connects from the
    proxy: counting REMOTE_ADDR would let one visitor lock everyone out."""
    settings.YIKA_TRUSTED_PROXIES = 1
    asset = make_asset(owner=centre)
    browser = Client()
    proxy = {"REMOTE_ADDR": "10.0.0.5"}
    for _ in range(30):
        browser.get(f"/a/{asset.tag}", HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy)
    walker = browser.get(f"/a/{asset.tag}", HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy)
    assert walker.status_code == 429
    # The walker cannot start a fresh count by writing their own entries in front of the proxy's.
    forged = browser.get(
        f"/a/{asset.tag}", HTTP_X_FORWARDED_FOR="203.0.113.99, 198.51.100.7", **proxy
    )
    assert forged.status_code == 429
    other = browser.get(f"/a/{asset.tag}", HTTP_X_FORWARDED_FOR="198.51.100.8", **proxy)
    assert other.status_code == 200
