import pytest
from django.test import override_settings
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from assets import tags
from labels import qr

issued_tags = st.builds(
    lambda seq: tags.make_tag("YK", 2026, seq), st.integers(min_value=1, max_value=999_999)
).filter(lambda t: t is not None)


@given(issued_tags, st.integers(min_value=1, max_value=10_000))
def test_encoded_url_parses_back_to_its_tag_and_serial(tag, serial):
    code = qr.parse(qr.encode(site_url="https://yika.example.gov.cn", tag=tag, label_serial=serial))
    assert (code.tag, code.label_serial) == (tag, serial)


@given(issued_tags)
def test_labels_printed_under_an_earlier_site_address_still_parse(tag):
    with override_settings(YIKA_EARLIER_SITE_URLS=["http://old-server.local:8080"]):
        code = qr.parse(f"http://old-server.local:8080/a/{tag}?l=3")
    assert code.tag == tag and code.label_serial == 3


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/a/{tag}?l=1",
        "http://yika.example.gov.cn:8080/a/{tag}?l=1",
        "https://yika.example.gov.cn.evil.example/a/{tag}",
        "http://old-server.local:8080/a/{tag}?l=3",
    ],
)
def test_walk4_12_an_address_of_another_site_is_not_our_label(url):
    """The scan box took https://example.com/a/YK2026000168W?l=1 as that card's label."""
    tag = tags.make_tag("YK", 2026, 168)
    with pytest.raises(qr.QRPayloadError) as refused, translation.override("en"):
        qr.parse(url.format(tag=tag))
        assert "another site" in str(refused.value.message)
    assert "(yika.example.gov.cn)" in str(refused.value.message)
    # This site's own address and a bare tag count.
    assert qr.parse(f"HTTPS://Yika.Example.gov.cn:443/a/{tag}?l=1").tag == tag
    assert qr.parse(tag).tag == tag


@given(issued_tags, st.sampled_from(["", " ", "\t", "\r\n", "\n"]), st.booleans())
def test_wedge_scanner_input_parses(tag, junk, lower):
    text = f"{junk}{tag.lower() if lower else tag}{junk}\r"
    assert qr.parse(text).tag == tag


@given(st.text(max_size=600))
def test_fuzz_parse_never_raises_anything_but_its_own_error(text):
    try:
        qr.parse(text)
    except qr.QRPayloadError:
        pass


@given(st.binary(max_size=200))
def test_fuzz_bytes_decoded_as_text(data):
    try:
        qr.parse(data.decode("utf-8", errors="replace"))
    except qr.QRPayloadError:
        pass


@pytest.mark.parametrize(
    "text",
    ["", "   ", "https://example.org/other/page", "ftp://x/a/YK20260001237", "YK2026000123X"],
)
def test_foreign_codes_are_refused_with_a_reason(text):
    with pytest.raises(qr.QRPayloadError) as error:
        qr.parse(text)
    assert str(error.value.message)
