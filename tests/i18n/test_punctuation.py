"""Chinese pages punctuate in Chinese (walk finding 8): the form error summary joins a field and
its message with the catalogue's "：", a department or place shows its code in full-width
brackets, a count after a heading is "附件（1）"; English keeps ASCII. The same check runs over
every page in tests/i18n/test_page_language.py; these pages need a form sent back or a file."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.assets.attachments import files
from tests.assets.attachments.test_api import attach
from tests.factories import make_asset
from tests.i18n.spy import ascii_punctuation, prose_lines

pytestmark = pytest.mark.django_db


def browser(user, language):
    user.language = language
    user.save(update_fields=["language"])
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def summary_of(page: str) -> str:
    match = re.search(r'<div class="form-errors"[^>]*>(.*?)</div>', page, re.DOTALL)
    assert match, "the form came back without its error summary"
    return match.group(0)


def test_the_card_forms_error_summary_is_the_shared_one_in_chinese(clerk):
    response = browser(clerk, "zh-hans").post(reverse("assets:asset-create"), {"name": ""})
    assert response.status_code == 200
    page = response.content.decode()
    summary = summary_of(page)
    # The shared summary: it takes the focus (app.js) and names every field at once.
    assert "data-error-summary" in summary
    form = response.context["form"]
    wrong = [field for field in form if field.errors]
    assert len(wrong) > 1
    for field in wrong:
        assert f'<a href="#{field.id_for_label}">{field.label}</a>：' in summary
    assert ": " not in re.sub(r"<[^>]+>", "", summary)
    assert not ascii_punctuation(prose_lines(page))


def test_the_card_forms_error_summary_keeps_ascii_in_english(clerk):
    response = browser(clerk, "en").post(reverse("assets:asset-create"), {"name": ""})
    summary = summary_of(response.content.decode())
    assert "data-error-summary" in summary
    assert re.search(r"</a>: \S", summary)


def test_a_department_shows_its_code_in_the_readers_brackets(centre):
    with translation.override("zh-hans"):
        assert str(centre) == "市大数据中心（BDC）"
    with translation.override("en"):
        assert str(centre) == "市大数据中心 (BDC)"


@pytest.fixture
def card_with_a_file(clerk, centre, settings, tmp_path):
    files.use_attachment_storage(settings, tmp_path)
    card = make_asset(owner=centre, actor=clerk)
    attach(clerk, card)
    return card


def test_the_files_heading_counts_in_full_width_brackets(clerk, card_with_a_file):
    url = reverse("assets:asset-detail", args=[card_with_a_file.tag])
    chinese = browser(clerk, "zh-hans").get(url).content.decode()
    assert re.search(r'附件<span class="muted small">（1）</span>', chinese)
    assert not ascii_punctuation(prose_lines(chinese))
    english = browser(clerk, "en").get(url).content.decode()
    assert re.search(r'Files<span class="muted small"> \(1\)</span>', english)
