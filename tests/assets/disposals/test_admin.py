"""Approval tiers in the Django admin: administrators edit them, auditors read, bad input is a
form error; cases are read-only."""

import pytest
from django.urls import reverse

from assets.models import ApprovalTier
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_admin(bureau):
    return UserFactory(username="root", department=bureau, roles=["admin"], is_staff=True)


@pytest.fixture
def staff_auditor(bureau):
    return UserFactory(username="audit2", department=bureau, roles=["auditor"], is_staff=True)


def test_admin_adds_and_edits_a_tier(client, staff_admin):
    client.force_login(staff_admin)
    response = client.post(
        reverse("admin:assets_approvaltier_add"),
        {"up_to": "50000", "approver_role": "approver", "body": "分管领导"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    tier = ApprovalTier.objects.get()
    assert tier.body == "分管领导"
    response = client.post(
        reverse("admin:assets_approvaltier_change", args=[tier.pk]),
        {"up_to": "", "approver_role": "admin", "body": "市财政局"},
    )
    assert response.status_code == 302
    tier.refresh_from_db()
    assert tier.up_to is None and tier.approver_role == "admin"


def test_a_second_unlimited_tier_is_a_form_error(client, staff_admin, tiers):
    client.force_login(staff_admin)
    response = client.post(
        reverse("admin:assets_approvaltier_add"),
        {"up_to": "", "approver_role": "approver", "body": "另一个"},
    )
    assert response.status_code == 200
    assert "已有不设上限的审批权限" in response.content.decode()
    assert ApprovalTier.objects.count() == 2


def test_auditor_reads_tiers_and_cases_but_changes_nothing(client, staff_auditor, tiers, draft):
    client.force_login(staff_auditor)
    assert client.get(reverse("admin:assets_approvaltier_changelist")).status_code == 200
    assert client.get(reverse("admin:assets_disposalcase_changelist")).status_code == 200
    response = client.post(
        reverse("admin:assets_approvaltier_change", args=[tiers[0].pk]),
        {"up_to": "1", "approver_role": "admin", "body": "x"},
    )
    assert response.status_code == 403
    tiers[0].refresh_from_db()
    assert tiers[0].body == "单位负责人"
