"""The import API on the generic base (tests/api_base.py): jobs and the template.

Jobs are made through the API itself, as an importer makes them. The rules of a ledger (preview,
all-or-nothing apply, errors per row) are in test_services.py beside this module.
"""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from assets.models import AssetEvent, ImportJob
from tests.api_base import (
    ActionEventTests,
    AnonymousTests,
    APITestBase,
    CreateTests,
    ListTests,
    RetrieveTests,
    ScopeTests,
    WrongRoleTests,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HEADERS = ["原资产编号", "资产名称", "资产分类代码", "权属单位", "使用部门", "原值", "取得日期"]


def ledger_file(prefix: str, count: int = 2) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    for n in range(1, count + 1):
        sheet.append(
            [
                f"{prefix}-{n:05d}",
                f"台式计算机{n}",
                "A02010105",
                "BDC",
                "BDC",
                5000 + n,
                "2023-01-05",
            ]
        )
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile(f"{prefix}.xlsx", out.getvalue())


@pytest.fixture
def colleague(centre):
    """Another clerk of the centre: a job is private to its uploader, not to a department."""
    return UserFactory(username="colleague", department=centre, roles=["clerk"])


class TestImportJobAPI(
    ListTests,
    RetrieveTests,
    CreateTests,
    AnonymousTests,
    WrongRoleTests,
    ScopeTests,
    ActionEventTests,
):
    """A job is its uploader's alone (another clerk of the same department gets a 404); applying
    it registers each row's card with its created event."""

    basename = "import"
    lookup = "id"
    lookup_url_kwarg = "pk"
    reader = "clerk"
    writer = "clerk"
    wrong_role = "auditor"
    request_format = "multipart"
    event_action = "apply"

    def upload(self, request, role, prefix):
        response = self.client_for(request, role).post(
            self.list_url(), {"file": ledger_file(prefix)}, format="multipart"
        )
        assert response.status_code == 201, response.content
        return ImportJob.objects.get(pk=response.json()["id"])

    def make_object(self, request):
        return self.upload(request, "clerk", "GD")

    def make_other_object(self, request):
        return self.upload(request, "colleague", "QT")

    def get_create_data(self, request):
        request.getfixturevalue("centre")
        return {"file": ledger_file("NEW")}

    def write(self, client, obj):
        return client.post(self.action_url(obj, "apply"))

    def events_of(self, obj):
        return AssetEvent.objects.filter(actor=obj.created_by, kind=AssetEvent.Kind.CREATED)

    def expected_events(self, obj):
        return obj.create_count


class TestImportTemplateAPI(APITestBase):
    """The template is for importers: clerks and admins."""

    url_names = ("import-template-xlsx", "import-template-csv")

    @pytest.mark.parametrize("name", url_names)
    def test_an_importer_downloads_the_template(self, request, name):
        response = self.client_for(request, "clerk").get(reverse(name))
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")

    @pytest.mark.parametrize("name", url_names)
    @pytest.mark.parametrize(("role", "status"), [(None, 401), ("auditor", 403), ("receiver", 403)])
    def test_others_cannot_download_it(self, request, name, role, status):
        assert self.client_for(request, role).get(reverse(name)).status_code == status
