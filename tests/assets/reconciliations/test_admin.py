"""The finance export's column mapping in the Django admin: each field under its Chinese name,
saved through the service; administrators change it, auditors read it and run no action."""

import pytest
from django.urls import reverse

from assets.reconciliations.columns import FIELDS
from assets.reconciliations.models import ReconciliationMapping
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.fixture
def staff_admin(bureau):
    return UserFactory(username="root", department=bureau, roles=["admin"], is_staff=True)


@pytest.fixture
def staff_auditor(bureau):
    return UserFactory(username="audit2", department=bureau, roles=["auditor"], is_staff=True)


def form_data(**headers):
    data = {"value_unit": ""}
    data.update({f"map_{item.key}": headers.get(item.key, "") for item in FIELDS})
    return data


def test_an_admin_saves_the_mapping_under_chinese_field_names(client, staff_admin):
    client.force_login(staff_admin)
    page = client.get(reverse("admin:assets_reconciliationmapping_add"), **ZH).content.decode()
    assert "资产编号" in page and "累计折旧" in page and "财务导出列对应关系" in page
    response = client.post(
        reverse("admin:assets_reconciliationmapping_add"),
        {**form_data(tag="卡片编号", original_value="账面原值"), "value_unit": "wan"},
        **ZH,
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    mapping = ReconciliationMapping.objects.get()
    assert mapping.columns == {"tag": "卡片编号", "original_value": "账面原值"}
    assert mapping.value_unit == "wan" and mapping.updated_by == staff_admin
    listing = client.get(reverse("admin:assets_reconciliationmapping_changelist"), **ZH)
    assert "卡片编号" in listing.content.decode()
    # One mapping per deployment: no second one to add.
    assert client.get(reverse("admin:assets_reconciliationmapping_add")).status_code == 403


def test_a_header_mapped_twice_is_a_form_error(client, staff_admin):
    client.force_login(staff_admin)
    response = client.post(
        reverse("admin:assets_reconciliationmapping_add"),
        form_data(tag="编号", legacy_number="编号"),
        **ZH,
    )
    assert response.status_code == 200
    assert "errornote" in response.content.decode()
    assert not ReconciliationMapping.objects.exists()


def test_the_clear_action_needs_change_permission(client, staff_admin, staff_auditor):
    mapping = ReconciliationMapping.objects.create(columns={"tag": "卡片编号"})
    url = reverse("admin:assets_reconciliationmapping_changelist")
    action = {"action": "clear_mapping", "_selected_action": [mapping.pk]}
    client.force_login(staff_auditor)
    page = client.get(url, **ZH)
    assert page.status_code == 200 and "clear_mapping" not in page.content.decode()
    assert client.post(url, action).status_code == 403
    change = reverse("admin:assets_reconciliationmapping_change", args=[mapping.pk])
    assert client.post(change, form_data(tag="x")).status_code == 403
    mapping.refresh_from_db()
    assert mapping.columns == {"tag": "卡片编号"}
    client.force_login(staff_admin)
    assert client.post(url, action).status_code == 302
    mapping.refresh_from_db()
    assert mapping.columns == {}
