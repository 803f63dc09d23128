"""The reconciliation API on the generic base (tests/api_base.py), its bad input and its 409."""

import io
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from assets.errors import TransitionNotAllowed
from assets.models import AssetEvent, Reconciliation, ReconciliationDifference
from assets.reconciliations import services
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
from tests.assets.reconciliations.conftest import csv_bytes, finance_rows, xlsx_bytes
from tests.factories import make_asset

pytestmark = pytest.mark.django_db


def upload(data: bytes, name: str = "finance.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def reconcile_for(request, role: str = "clerk", value: str = "55000.00") -> Reconciliation:
    register = request.getfixturevalue("register")
    user = request.getfixturevalue(role)
    return services.create_reconciliation(
        actor=user, data=xlsx_bytes(finance_rows(register, value=value)), name="f.xlsx"
    )


def other_reconciliation(request) -> Reconciliation:
    other_clerk = request.getfixturevalue("other_clerk")
    admin = request.getfixturevalue("admin_user")
    card = make_asset(owner=other_clerk.department, actor=admin, legacy_number="HX-1")
    data = xlsx_bytes([["", "HX-1", "", "服务器", "A02010105", "1", "0", "HEALTH", "", ""]])
    assert card.pk
    return services.create_reconciliation(actor=other_clerk, data=data, name="hx.xlsx")


class TestReconciliationAPI(
    ListTests, RetrieveTests, CreateTests, AnonymousTests, WrongRoleTests, ScopeTests
):
    """Clerks and admins reconcile; auditors read; another department's reconciliation is 404."""

    basename = "reconciliation"
    lookup = "id"
    lookup_url_kwarg = "pk"
    reader = "clerk"
    writer = "clerk"
    wrong_role = "auditor"
    request_format = "multipart"

    def make_object(self, request):
        return reconcile_for(request)

    def make_other_object(self, request):
        return other_reconciliation(request)

    def get_create_data(self, request):
        register = request.getfixturevalue("register")
        return {"file": upload(xlsx_bytes(finance_rows(register)))}

    def write(self, client, obj):
        difference = obj.differences.first()
        url = reverse("reconciliation-difference-explain", kwargs={"pk": difference.pk})
        return client.post(url, {"reason": "x", "treatment": "finance"}, format="json")

    def test_the_job_answers_counts_and_totals(self, request):
        register = request.getfixturevalue("register")
        client = self.client_for(request, "clerk")
        response = client.post(
            self.list_url(),
            {"file": upload(xlsx_bytes(finance_rows(register)))},
            format="multipart",
        )
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["counts"] == {
            "matched": 3,
            "value_differs": 0,
            "category_differs": 0,
            "department_differs": 0,
            "only_in_finance": 1,
            "only_in_register": 1,
        }
        assert body["totals"]["agree"] is False
        rows = client.get(
            self.action_url(Reconciliation(pk=body["id"]), "rows"), {"result": "matched"}
        )
        assert rows.json()["count"] == 3
        assert {r["matched_by"] for r in rows.json()["results"]} == {
            "tag",
            "legacy_number",
            "serial_number",
        }
        only = client.get(
            self.action_url(Reconciliation(pk=body["id"]), "rows"), {"result": "only_in_finance"}
        )
        assert [r["finance"]["legacy_number"] for r in only.json()["results"]] == ["CW-9999"]

    def test_an_unknown_result_is_a_400(self, request):
        obj = self.make_object(request)
        response = self.client_for(request, "clerk").get(
            self.action_url(obj, "rows"), {"result": "x"}
        )
        assert response.status_code == 400
        assert "result" in response.json()

    def test_wrong_encoding_is_a_400_on_file(self, request):
        register = request.getfixturevalue("register")
        data = csv_bytes(finance_rows(register)).decode("utf-8-sig").encode("utf-16")
        response = self.client_for(request, "clerk").post(
            self.list_url(), {"file": upload(data, "f.csv")}, format="multipart"
        )
        assert response.status_code == 400
        assert "UTF-8" in response.json()["file"][0]
        assert Reconciliation.objects.count() == 0

    def test_row_errors_list_every_row_and_store_nothing(self, request):
        register = request.getfixturevalue("register")
        rows = finance_rows(register)
        rows.append(list(rows[0]))
        rows[1][5] = "abc"
        response = self.client_for(request, "clerk").post(
            self.list_url(), {"file": upload(xlsx_bytes(rows))}, format="multipart"
        )
        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "rows_have_errors"
        assert sorted(e["row"] for e in body["errors"]) == [3, 6]
        assert Reconciliation.objects.count() == 0

    def test_a_column_mapped_twice_is_a_400_on_mapping(self, request):
        register = request.getfixturevalue("register")
        response = self.client_for(request, "clerk").post(
            self.list_url(),
            {
                "file": upload(xlsx_bytes(finance_rows(register))),
                "mapping": '{"tag": "资产编号", "legacy_number": "资产编号"}',
            },
            format="multipart",
        )
        assert response.status_code == 400
        assert "资产编号" in response.json()["mapping"][0]

    def test_wan_in_cells_asks_for_the_unit(self, request):
        register = request.getfixturevalue("register")
        rows = finance_rows(register)
        rows[0][5] = "5.6万"
        client = self.client_for(request, "clerk")
        response = client.post(
            self.list_url(), {"file": upload(xlsx_bytes(rows))}, format="multipart"
        )
        assert response.status_code == 400
        assert "万元" in response.json()["value_unit"][0]
        response = client.post(
            self.list_url(),
            {"file": upload(xlsx_bytes(rows)), "value_unit": "wan"},
            format="multipart",
        )
        assert response.status_code == 201, response.content
        # 5.6万 is the card's 56,000 yuan; the plain numbers are read as 万元 too, so differ.
        assert response.json()["counts"]["matched"] == 1
        assert response.json()["counts"]["value_differs"] == 2

    def test_the_finance_task_list_is_an_xlsx(self, request):
        rec = reconcile_for(request)
        admin = request.getfixturevalue("admin_user")
        difference = rec.differences.get(kind="only_in_finance")
        services.explain_difference(difference=difference, actor=request.getfixturevalue("clerk"),
                                    reason="财务多记", treatment="finance")  # fmt: skip
        services.approve_difference(difference=difference, actor=admin)
        response = self.client_for(request, "auditor").get(
            reverse("reconciliation-finance-tasks-xlsx", kwargs={"pk": rec.pk})
        )
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        values = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
        assert "CW-9999" in values and "财务多记" in values


class TestReconciliationDifferenceAPI(
    ListTests, RetrieveTests, AnonymousTests, WrongRoleTests, ScopeTests, ActionEventTests
):
    """Clerks explain, admins approve and post; posting to the card writes its event."""

    basename = "reconciliation-difference"
    lookup = "id"
    lookup_url_kwarg = "pk"
    reader = "clerk"
    writer = "admin_user"
    wrong_role = "auditor"
    event_action = "post"

    def make_object(self, request):
        rec = reconcile_for(request)
        difference = rec.differences.get(kind=ReconciliationDifference.Kind.VALUE_DIFFERS)
        services.explain_difference(difference=difference, actor=request.getfixturevalue("clerk"),
                                    reason="决算调整", treatment="card")  # fmt: skip
        return services.approve_difference(
            difference=difference, actor=request.getfixturevalue("admin_user")
        )

    def make_other_object(self, request):
        return other_reconciliation(request).differences.first()

    def write(self, client, obj):
        url = self.action_url(obj, "explain")
        return client.post(url, {"reason": "x", "treatment": "finance"}, format="json")

    def events_of(self, obj):
        return AssetEvent.objects.filter(
            asset=obj.asset, note__contains=f"#{obj.reconciliation_id}"
        )

    def test_explain_approve_post_through_the_api(self, request):
        rec = reconcile_for(request)
        difference = rec.differences.get(kind="value_differs")
        clerk = self.client_for(request, "clerk")
        admin = self.client_for(request, "admin_user")
        explained = clerk.post(self.action_url(difference, "explain"),
                               {"reason": "决算调整", "treatment": "card"}, format="json")  # fmt: skip
        assert explained.status_code == 200, explained.content
        assert explained.json()["state"] == "explained"
        assert clerk.post(self.action_url(difference, "approve")).status_code == 403
        assert admin.post(self.action_url(difference, "approve")).json()["state"] == "approved"
        posted = admin.post(self.action_url(difference, "post"))
        assert posted.json()["state"] == "posted"
        assert admin.post(self.action_url(difference, "post")).status_code == 409
        card = request.getfixturevalue("register")["tag"]
        card.refresh_from_db()
        assert str(card.original_value) == "55000.00"

    def test_explain_without_a_reason_is_a_400(self, request):
        difference = reconcile_for(request).differences.first()
        response = self.client_for(request, "clerk").post(
            self.action_url(difference, "explain"), {"treatment": "finance"}, format="json"
        )
        assert response.status_code == 400
        assert "reason" in response.json()

    def test_filter_by_kind(self, request):
        rec = reconcile_for(request)
        response = self.client_for(request, "auditor").get(
            self.list_url(), {"reconciliation": rec.pk, "kind": "only_in_register"}
        )
        assert [r["kind"] for r in response.json()["results"]] == ["only_in_register"]
        bad = self.client_for(request, "auditor").get(self.list_url(), {"kind": "nope"})
        assert bad.status_code == 400


class TestReconciliationMappingAPI(APITestBase):
    """Everyone who reconciles reads the saved mapping; only admins change it."""

    url_names = ("reconciliation-mapping",)

    def test_admin_saves_and_clerk_reads(self, request):
        url = reverse("reconciliation-mapping")
        data = {"columns": {"tag": "卡片编号", "original_value": "原值（万元）"}, "value_unit": ""}
        response = self.client_for(request, "admin_user").put(url, data, format="json")
        assert response.status_code == 200, response.content
        read = self.client_for(request, "clerk").get(url)
        assert read.json()["columns"] == data["columns"]
        assert read.json()["updated_by"] == "admin"

    @pytest.mark.parametrize(("role", "status"), [(None, 401), ("clerk", 403), ("auditor", 403)])
    def test_others_cannot_change_it(self, request, role, status):
        url = reverse("reconciliation-mapping")
        response = self.client_for(request, role).put(url, {"columns": {}}, format="json")
        assert response.status_code == status

    def test_a_header_mapped_twice_is_a_400(self, request):
        url = reverse("reconciliation-mapping")
        data = {"columns": {"tag": "编号", "legacy_number": "编号"}}
        response = self.client_for(request, "admin_user").put(url, data, format="json")
        assert response.status_code == 400
        assert "mapping" in response.json()


class TestFinanceTaskExport(APITestBase):
    url_names = ("reconciliation-finance-tasks-xlsx",)

    def test_another_departments_list_is_404(self, request):
        rec = other_reconciliation(request)
        url = reverse("reconciliation-finance-tasks-xlsx", kwargs={"pk": rec.pk})
        assert self.client_for(request, "clerk").get(url).status_code == 404
        assert self.client_for(request, None).get(url).status_code == 401


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_approvals_at_once_yield_one(request, clerk, admin_user, register):
    from tests.factories import UserFactory

    second = UserFactory(username="admin2", department=admin_user.department, roles=["admin"])
    rec = reconcile_for(request)
    difference = rec.differences.get(kind="value_differs")
    services.explain_difference(difference=difference, actor=clerk, reason="r", treatment="card")
    barrier = threading.Barrier(2)
    outcomes = {}

    def approve(user):
        try:
            barrier.wait()
            services.approve_difference(difference=difference, actor=user)
            outcomes[user.username] = "won"
        except TransitionNotAllowed:
            outcomes[user.username] = "409"
        except Exception as error:  # anything else is a bug the test must show
            outcomes[user.username] = repr(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(u,)) for u in (admin_user, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes.values()) == ["409", "won"], outcomes
