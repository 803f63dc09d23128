"""Issue 15.9: references on a card resolve through the clerk's scope.

A project neither built nor owned by the clerk's department, and an account of another
department, get the same 400 as a code or username that does not exist (so the answer reveals
nothing), through the API, the ledger import and the service itself.
"""

import pytest
from django.core.exceptions import ValidationError

from assets import services, spreadsheets
from assets.imports.plan import plan_import
from tests.factories import DepartmentFactory, UserFactory, make_asset, make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def elsewhere(other_bureau):
    """A project of the finance bureau for the health commission, and a health account."""
    finance = DepartmentFactory(code="FIN", name="市财政局", kind="bureau")
    return {
        "project": make_project(builder=finance, owner=other_bureau, code="DJ-FIN-01"),
        "user": UserFactory(username="healthnurse", department=other_bureau, roles=["staff"]),
    }


@pytest.fixture
def card(centre, clerk):
    return make_asset(owner=centre, actor=clerk, name="台式计算机")


def patch(api, clerk, card, **fields):
    return api.as_user(clerk).patch(f"/api/v1/assets/{card.tag}/", fields, format="json")


@pytest.mark.parametrize(
    ("field", "outside", "missing"),
    [("project", "DJ-FIN-01", "DJ-NONE-99"), ("custodian_user", "healthnurse", "nobody99")],
)
def test_a_reference_outside_the_scope_is_refused_like_an_unknown_one(
    api, clerk, card, elsewhere, field, outside, missing
):
    answer_outside = patch(api, clerk, card, **{field: outside})
    answer_missing = patch(api, clerk, card, **{field: missing})
    assert answer_outside.status_code == answer_missing.status_code == 400
    assert answer_outside.json()[field] == [
        message.replace(missing, outside) for message in answer_missing.json()[field]
    ]
    card.refresh_from_db()
    assert card.project_id is None and card.custodian_user_id is None


def test_a_reference_outside_the_scope_is_refused_on_registration(api, clerk, centre, elsewhere):
    answer = api.as_user(clerk).post(
        "/api/v1/assets/",
        {
            "name": "服务器",
            "category": "A02010105",
            "original_value": "1000.00",
            "owner_department": centre.code,
            "project": "DJ-FIN-01",
        },
        format="json",
    )
    assert answer.status_code == 400
    assert "project" in answer.json()


def test_references_in_scope_are_accepted(api, clerk, card, centre, other_bureau):
    project = make_project(builder=centre, owner=other_bureau, code="DJ-BDC-01")
    colleague = UserFactory(username="colleague", department=centre, roles=["staff"])
    answer = patch(api, clerk, card, project=project.code, custodian_user=colleague.username)
    assert answer.status_code == 200, answer.content
    card.refresh_from_db()
    assert (card.project, card.custodian_user) == (project, colleague)


def test_the_service_refuses_references_outside_the_scope(clerk, card, elsewhere):
    """Web forms and commands that hand the service a resolved object get the same refusal."""
    for field, value in (("project", elsewhere["project"]), ("custodian_user", elsewhere["user"])):
        with pytest.raises(ValidationError) as refused:
            services.update_asset(asset=card, actor=clerk, fields={field: value})
        assert field in refused.value.message_dict


def test_the_import_reads_a_reference_outside_the_scope_as_unknown(clerk, centre, card, elsewhere):
    second = make_asset(owner=centre, actor=clerk, name="显示器")
    table = spreadsheets.Table(
        headers=["资产编号", "资产名称", "资产分类代码", "权属单位", "代建项目编号", "使用人账号"],
        rows=[
            (2, [card.tag, "台式计算机", "A02010105", centre.code, "DJ-FIN-01", "healthnurse"]),
            (3, [second.tag, "显示器", "A02010105", centre.code, "DJ-NONE-99", "nobody99"]),
        ],
    )
    plan = plan_import(actor=clerk, table=table)
    messages = {(error.row, error.column): error.as_dict()["message"] for error in plan.errors}
    assert len(plan.errors) == 4, plan.errors
    for column, outside, missing in (
        ("代建项目编号", "DJ-FIN-01", "DJ-NONE-99"),
        ("使用人账号", "healthnurse", "nobody99"),
    ):
        assert messages[(2, column)] == messages[(3, column)].replace(missing, outside)


def test_the_card_form_offers_only_projects_of_the_scope(client, clerk, card, elsewhere):
    client.force_login(clerk)
    response = client.get(f"/assets/{card.tag}/edit/")
    assert response.status_code == 200
    assert "DJ-FIN-01" not in response.content.decode()
