"""The upload pages' shared history table (`assets/_upload_history.html`): each page's own
count column, its badges and its links, and the `attribute` filter that names the column."""

from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from assets.templatetags.yika import attribute


def test_the_attribute_filter_reads_a_named_field_and_never_a_private_one():
    upload = SimpleNamespace(error_count=3, _secret="x")
    assert attribute(upload, "error_count") == 3
    assert attribute(upload, "_secret") == ""
    assert attribute(upload, "__class__") == ""


@pytest.mark.django_db
def test_the_table_shows_each_pages_count_badge_and_link():
    upload = SimpleNamespace(
        pk=7,
        original_name="台账.xlsx",
        created_at=timezone.now(),
        created_by="clerk",
        state="invalid",
        get_state_display="有错误",
        row_count=12,
        error_count=2,
        matched_count=9,
    )
    html = render_to_string(
        "assets/_upload_history.html",
        {
            "uploads": [upload],
            "title": "导入记录",
            "detail": "assets:import-detail",
            "count_title": "错误",
            "count_field": "error_count",
            "ok_state": "applied",
            "danger_state": "invalid",
        },
    )
    assert html.count(f'href="{reverse("assets:import-detail", args=[7])}"') == 2
    assert "badge--danger" in html and ">2</td>" in html and "· clerk" not in html
    html = render_to_string(
        "assets/_upload_history.html",
        {
            "uploads": [upload],
            "detail": "assets:reconciliation-detail",
            "count_field": "matched_count",
            "ok_state": "cleared",
            "show_uploader": True,
        },
    )
    assert "badge--info" in html and ">9</td>" in html and "· clerk" in html
