"""Lists of names and tags read in the reader's language: 、 between Chinese items, ", " in
English, through one helper (issue 14, walk 3: tags joined with ", " inside Chinese text)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from config import formatting
from labels import selectors as label_selectors

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "expected", "cut"),
    [("zh-hans", "A、B、C", "A、B…"), ("en", "A, B, C", "A, B…")],
)
def test_a_list_joins_in_the_readers_language(language, expected, cut):
    with translation.override(language):
        assert formatting.text_list(["A", "B", "C"]) == expected
        assert formatting.text_list(["A", "B", "C"], limit=2) == cut


def test_a_refusal_naming_tags_lists_them_with_the_chinese_comma(clerk):
    from assets import tags

    # Well-formed tags (right check character) that no card carries.
    unknown = [body + tags.check_character(body) for body in ("BDCNOPE1", "BDCNOPE2")]
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        label_selectors.resolve_tags(user=clerk, raw_tags=unknown)
    text = str(refused.value.message_dict["tags"][0])
    assert "、".join(unknown) in text and ", " not in text


def test_the_dashboards_report_files_are_named_not_format_codes_after_a_colon(client, clerk):
    client.force_login(clerk)
    for language, words in (("zh-hans", "电子表格（XLSX）"), ("en", "Spreadsheet (XLSX)")):
        body = client.get(reverse("assets:dashboard"), HTTP_ACCEPT_LANGUAGE=language)
        text = body.content.decode()
        assert words in text
        assert ">XLSX</a>" not in text and "</a> ·\n      <a" in text
        assert "资产总表: " not in text and "日终的资产总表:" not in text
