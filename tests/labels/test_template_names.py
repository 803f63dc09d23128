"""Built-in label templates are named in the reader's language (issue 14: their Chinese names
stayed on English pages); a template an administrator named keeps its own name. The card's value
type reads as clean English, no Chinese gloss."""

import pytest
from django.urls import reverse

from labels.models import LabelTemplate
from tests.factories import make_asset

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "shown", "hidden"),
    [
        ("en", "A4 label sheet 70×40 (3×7)", "A4 标签纸 70×40（3×7）"),
        ("zh-hans", "A4 标签纸 70×40（3×7）", "A4 label sheet 70×40 (3×7)"),
    ],
)
def test_the_print_page_names_built_in_templates_in_the_readers_language(
    client, clerk, language, shown, hidden
):
    client.force_login(clerk)
    body = client.get(reverse("labels:queue"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert shown in body and hidden not in body
    assert "热敏卷标" not in body if language == "en" else "热敏卷标 50×30" in body


def test_an_administrators_own_name_is_kept(client, clerk):
    LabelTemplate.objects.filter(code="thermal-50x30").update(name="机房热敏标签")
    mine = LabelTemplate.objects.get(code="a4-60x40")
    mine.pk, mine.code, mine.name = None, "my-sheet", "我的标签纸"
    mine.save()
    client.force_login(clerk)
    body = client.get(reverse("labels:queue"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "机房热敏标签" in body and "我的标签纸" in body and "Thermal roll 50×30" not in body


@pytest.mark.parametrize(
    ("value_type", "words"),
    [("provisional", "Provisional estimate"), ("final", "Final accounts")],
)
def test_the_cards_value_type_reads_without_a_chinese_gloss(
    client, clerk, centre, value_type, words
):
    card = make_asset(owner=centre, actor=clerk, value_type=value_type)
    client.force_login(clerk)
    body = client.get(
        reverse("assets:asset-detail", args=[card.tag]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert f"<dd>{words}</dd>" in body
    assert "(暂估)" not in body and "(决算)" not in body
    zh = client.get(reverse("assets:asset-detail", args=[card.tag]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert (
        "<dd>暂估</dd>" if value_type == "provisional" else "<dd>决算</dd>"
    ) in zh.content.decode()
