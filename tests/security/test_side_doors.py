"""Side doors get the services' own checks (issue 16; SECURITY.md §1 A: "the check exists on the
main route and is missing on a side door"). An admin page or action, or a management command,
run by a user who may not, reaches the same `assets.permissions` rule as the API and the page
would, and nothing changes. The admin's own gate (`RoleScopedAdmin`) is bypassed here on purpose:
the service must refuse even then."""

import io
from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.utils import translation

from assets import credentials
from assets.errors import NotInScope
from assets.models import ApiToken, Asset, AssetEvent, User
from labels.models import LabelTemplate
from tests.assets.imports.test_services import csv_data, ledger
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_clerk(centre):
    return UserFactory(username="staffclerk", department=centre, roles=["clerk"], is_staff=True)


@pytest.fixture
def target(centre):
    return UserFactory(username="target", department=centre, roles=["clerk"], display_name="甲")


def admin_request(user):
    request = RequestFactory().post("/admin/")
    request.user = user
    return request


def test_the_account_admins_save_asks_save_users_check(staff_clerk, target):
    model_admin = admin.site._registry[User]
    changed = User.objects.get(pk=target.pk)
    changed.display_name = "乙"
    changed.is_superuser = True
    form = SimpleNamespace(cleaned_data={"display_name": "乙", "is_superuser": True})
    with pytest.raises(PermissionDenied):
        model_admin.save_model(admin_request(staff_clerk), changed, form, change=True)
    target.refresh_from_db()
    assert (target.display_name, target.is_superuser) == ("甲", False)


def test_the_account_admins_save_works_for_an_admin(admin_user, target):
    model_admin = admin.site._registry[User]
    changed = User.objects.get(pk=target.pk)
    changed.display_name = "乙"
    model_admin.save_model(
        admin_request(admin_user),
        changed,
        SimpleNamespace(cleaned_data={"display_name": "乙"}),
        change=True,
    )
    target.refresh_from_db()
    assert target.display_name == "乙"


def test_the_revoke_tokens_action_asks_the_credentials_check(staff_clerk, target):
    credentials.issue_token(user=target)
    model_admin = admin.site._registry[User]
    with pytest.raises(NotInScope):
        model_admin.revoke_api_tokens(admin_request(staff_clerk), User.objects.filter(pk=target.pk))
    assert ApiToken.objects.filter(user=target).count() == 1


def test_the_template_admins_save_asks_save_templates_check(auditor):
    template = LabelTemplate.objects.get(code="a4-70x40")
    before = list(LabelTemplate.objects.order_by("pk").values())
    template.name = "改名"
    with pytest.raises(NotInScope):
        admin.site._registry[LabelTemplate].save_model(
            admin_request(auditor), template, form=None, change=True
        )
    assert list(LabelTemplate.objects.order_by("pk").values()) == before


def test_the_import_command_refuses_a_user_whose_role_registers_nothing(tmp_path, auditor):
    # The rows are for the centre, inside the auditor's bureau: only the role refuses.
    path = tmp_path / "ledger.csv"
    path.write_bytes(csv_data(ledger(2)))
    with translation.override("en"), pytest.raises(CommandError) as refusal:
        call_command("import_assets", str(path), "--user", auditor.username, stdout=io.StringIO())
    assert "Your role may not register assets." in str(refusal.value)
    assert not Asset.objects.exists() and not AssetEvent.objects.exists()
