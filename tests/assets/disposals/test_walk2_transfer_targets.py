"""Walk2-36: a free transfer (无偿划转) goes to another unit, so the disposal form's 划入单位
offers no department of the clerk's own unit (those receive by an internal transfer)."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


def test_the_transfer_target_excludes_the_clerks_own_unit(clerk, centre, bureau, other_bureau):
    own_office = DepartmentFactory(code="BDC-AQB", name="安全保障部", kind="office", parent=centre)
    bureau_office = DepartmentFactory(
        code="BUREAU-OFF", name="办公室", kind="office", parent=bureau
    )
    browser = Client()
    browser.force_login(clerk)
    page = browser.get(reverse("assets:disposal-create"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    offered = set(page.context["form"].fields["to_department"].queryset)
    assert other_bureau in offered
    assert not offered & {centre, bureau, own_office, bureau_office}
