import pytest
from django.db import IntegrityError, transaction

from labels.models import Label, LabelTemplate
from tests.factories import make_asset

pytestmark = pytest.mark.django_db


def test_default_templates_are_installed():
    codes = set(LabelTemplate.objects.values_list("code", flat=True))
    assert {"a4-70x40", "a4-60x40", "thermal-50x30", "mini-40x20", "flag-60x10"} <= codes
    assert LabelTemplate.objects.filter(kind=LabelTemplate.Kind.COMPONENT_SHEET).exists()


def test_database_refuses_a_second_active_label_for_one_card():
    asset = make_asset()
    Label.objects.create(asset=asset, serial=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Label.objects.create(asset=asset, serial=2)
