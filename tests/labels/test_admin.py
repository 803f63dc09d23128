"""Label templates in the Django admin: the administrator manages them (through
`labels.services.save_template`), the auditor reads them (issue 14.2)."""

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse

from labels.models import LabelTemplate, PrintBatch
from labels.services import TEMPLATE_FIELDS
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_admin(bureau):
    """As `seed_demo` makes it: the admin role and the staff flag, not a superuser."""
    return UserFactory(username="admin", department=bureau, roles=["admin"], is_staff=True)


@pytest.fixture
def staff_auditor(bureau):
    return UserFactory(username="audit-staff", department=bureau, roles=["auditor"], is_staff=True)


def _form_data(template: LabelTemplate, **changes) -> dict:
    data = model_to_dict(template, fields=TEMPLATE_FIELDS)
    # The printed fields are ticks (one value per ticked box), no longer a JSON text.
    data["fields"] = list(data["fields"])
    data.update(changes)
    for name in [n for n, v in data.items() if isinstance(v, bool)]:
        if data[name]:
            data[name] = "on"
        else:
            del data[name]
    return data


def test_admin_index_has_the_labels_section(client, demo_admin):
    client.force_login(demo_admin)
    page = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:labels_labeltemplate_changelist") in page
    assert reverse("admin:labels_printbatch_changelist") in page


def test_admin_lists_and_opens_label_templates(client, demo_admin, sheet_70x40):
    client.force_login(demo_admin)
    listing = client.get(reverse("admin:labels_labeltemplate_changelist"))
    assert listing.status_code == 200
    assert sheet_70x40.code in listing.content.decode()
    change = reverse("admin:labels_labeltemplate_change", args=[sheet_70x40.pk])
    assert client.get(change).status_code == 200
    assert client.get(reverse("admin:labels_printbatch_changelist")).status_code == 200


def test_admin_adds_a_template_through_the_service(client, demo_admin, sheet_70x40):
    client.force_login(demo_admin)
    data = _form_data(sheet_70x40, code="a4-test", name="测试标签")
    response = client.post(reverse("admin:labels_labeltemplate_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    added = LabelTemplate.objects.get(code="a4-test")
    assert added.name == "测试标签"
    assert added.columns == sheet_70x40.columns


def test_admin_changes_a_template(client, demo_admin, sheet_70x40):
    client.force_login(demo_admin)
    url = reverse("admin:labels_labeltemplate_change", args=[sheet_70x40.pk])
    response = client.post(url, _form_data(sheet_70x40, name="改名的标签"))
    assert response.status_code == 302, response.content.decode()[:3000]
    sheet_70x40.refresh_from_db()
    assert sheet_70x40.name == "改名的标签"


def test_admin_template_that_overflows_is_refused_on_the_form(client, demo_admin, sheet_70x40):
    client.force_login(demo_admin)
    url = reverse("admin:labels_labeltemplate_change", args=[sheet_70x40.pk])
    response = client.post(url, _form_data(sheet_70x40, columns=40))
    assert response.status_code == 200
    assert "errornote" in response.content.decode()
    sheet_70x40.refresh_from_db()
    assert sheet_70x40.columns != 40


def test_auditor_reads_templates_but_cannot_change_them(client, staff_auditor, sheet_70x40):
    client.force_login(staff_auditor)
    assert client.get(reverse("admin:labels_labeltemplate_changelist")).status_code == 200
    url = reverse("admin:labels_labeltemplate_change", args=[sheet_70x40.pk])
    assert client.get(url).status_code == 200
    client.post(url, _form_data(sheet_70x40, name="审计改名"))
    sheet_70x40.refresh_from_db()
    assert sheet_70x40.name != "审计改名"
    add = client.post(
        reverse("admin:labels_labeltemplate_add"), _form_data(sheet_70x40, code="a4-audit")
    )
    assert add.status_code == 403
    assert not LabelTemplate.objects.filter(code="a4-audit").exists()


def test_clerk_with_staff_flag_sees_no_label_admin(client, centre):
    clerk = UserFactory(username="staffclerk", department=centre, roles=["clerk"], is_staff=True)
    client.force_login(clerk)
    assert client.get(reverse("admin:labels_labeltemplate_changelist")).status_code == 403
    assert PrintBatch.objects.count() == 0
