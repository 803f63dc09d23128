"""config.net.client_address: the one answer to "which address is this request from", read by
the sign-in lockout (django-axes) and the public label page's limit."""

import pytest
from django.conf import settings as django_settings
from django.test import RequestFactory

from config.net import client_address


def request(remote="10.0.0.5", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_proxies_the_connecting_address_counts_whatever_the_header_says(settings):
    settings.YIKA_TRUSTED_PROXIES = 0
    assert client_address(request(forwarded="198.51.100.7")) == "10.0.0.5"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "203.0.113.99, 198.51.100.7", "198.51.100.7"),  # the client's own entry is ignored
        (2, "203.0.113.99, 198.51.100.7, 10.0.0.9", "198.51.100.7"),
        (2, "198.51.100.7", "198.51.100.7"),  # shorter than the chain: its leftmost entry
        (1, "", "10.0.0.5"),
        (1, "not-an-address", "10.0.0.5"),
    ],
)
def test_behind_trusted_proxies_the_address_the_outermost_proxy_saw(
    settings, proxies, forwarded, expected
):
    settings.YIKA_TRUSTED_PROXIES = proxies
    assert client_address(request(forwarded=forwarded)) == expected


def test_the_sign_in_lockout_reads_the_same_address():
    assert django_settings.AXES_CLIENT_IP_CALLABLE == "config.net.client_address"


def test_a_request_without_an_address_has_none(settings):
    """django-axes stores the address in an IP field: "unknown" would be refused on PostgreSQL."""
    settings.YIKA_TRUSTED_PROXIES = 1
    bare = RequestFactory().get("/")
    del bare.META["REMOTE_ADDR"]
    assert client_address(bare) is None
