"""Template checks: content can never overflow a label (the same checks as admin and service)."""

import pytest
from django.core.exceptions import ValidationError

from labels.layout import template_problems
from labels.models import LabelTemplate

pytestmark = pytest.mark.django_db
SITE = "https://yika.example.gov.cn"


def _template(**changes):
    template = LabelTemplate.objects.get(code="a4-70x40")
    for name, value in changes.items():
        setattr(template, name, value)
    return template


def test_every_shipped_template_fits_its_content():
    for template in LabelTemplate.objects.all():
        assert template_problems(template.spec(), site_url=SITE) == {}, template.code


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"columns": 4}, "columns"),
        ({"rows": 8}, "rows"),
        ({"qr_size_mm": 38}, "qr_size_mm"),
        ({"qr_size_mm": 6}, "qr_size_mm"),
        ({"fields": ["owner", "owner"]}, "fields"),
        ({"fields": ["custodian"]}, "fields"),
        ({"min_font_size_pt": 3}, "min_font_size_pt"),
        ({"min_font_size_pt": 9}, "min_font_size_pt"),
        ({"label_width_mm": 36, "columns": 1}, "label_width_mm"),
        ({"code128_height_mm": 2}, "code128_height_mm"),
        ({"qr_size_mm": 0}, "qr_size_mm"),
    ],
)
def test_a_template_that_cannot_hold_its_content_names_the_field(changes, field):
    problems = template_problems(_template(**changes).spec(), site_url=SITE)
    assert field in problems


def test_too_many_lines_for_the_label_height_are_refused():
    template = LabelTemplate.objects.get(code="thermal-50x30")
    template.fields = ["owner", "name", "model", "in_service_on", "components"]
    template.label_height_mm = template.page_height_mm = 20
    template.qr_size_mm = 15
    template.font_size_pt = template.min_font_size_pt = 8
    assert "fields" in template_problems(template.spec(), site_url=SITE)


def test_a_long_site_url_can_make_a_mini_qr_too_small():
    spec = LabelTemplate.objects.get(code="flag-60x10").spec()
    long_site = "https://assets.municipal-big-data-centre.example.gov.cn/yika/register"
    assert "qr_size_mm" in template_problems(spec, site_url=long_site)


def test_model_clean_refuses_an_overflowing_template(settings):
    settings.SITE_URL = SITE
    with pytest.raises(ValidationError) as error:
        _template(qr_size_mm=38).full_clean()
    assert "qr_size_mm" in error.value.message_dict
