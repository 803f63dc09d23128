"""Fourth walk 1: a clerk edits a card used by a department outside their scope. The selects
open on the card's values (using department, custodian account, project), saving two text
fields keeps them, and choosing another department outside the scope is still refused."""

import pytest

from assets.models import Asset, AssetEvent
from tests.browser.support import DESK, PHONE, Visit, sign_in
from tests.factories import DepartmentFactory, UserFactory, make_asset, make_project

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def kiosk(centre, other_bureau, clerk):
    holder = UserFactory(username="zwfw_staff", department=other_bureau, roles=["staff"])
    builder = DepartmentFactory(code="DJZX", name="市代建中心", kind="centre")
    project = make_project(builder=builder, owner=other_bureau, code="DJ-ZW-01")
    return make_asset(
        owner=centre,
        actor=None,
        name="政务服务自助终端",
        brand="新北洋",
        using_department=other_bureau,
        custodian_user=holder,
        project=project,
    )


@pytest.mark.parametrize("device", ["phone", "desk"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_editing_two_fields_keeps_a_using_department_outside_the_clerks_scope(
    new_context, base_url, kiosk, other_bureau, language, device
):
    third = DepartmentFactory(code="EDU", name="市教育局", kind="bureau")
    context = new_context(language, **(PHONE if device == "phone" else DESK))
    visit = Visit(context, language=language)
    sign_in(visit, base_url, "clerk")
    page = visit.page

    visit.goto(f"{base_url}/assets/{kiosk.tag}/edit/")
    visit.check(f"clerk-edit-foreign-using-department-{device}", full_page=True)
    for name, expected in (
        ("using_department", kiosk.using_department_id),
        ("custodian_user", kiosk.custodian_user_id),
        ("project", kiosk.project_id),
        ("category", kiosk.category_id),
    ):
        assert page.input_value(f"select[name={name}]") == str(expected), name
    # Only the current value is added: no other department outside the clerk's scope.
    options = page.locator("select[name=using_department] option").all_inner_texts()
    assert not any("EDU" in text for text in options)

    page.fill("input[name=brand]", "广电运通")
    page.fill("textarea[name=notes]", "走查测试备注")
    with page.expect_navigation():
        page.click("form:has(input[name=brand]) button[type=submit]")
    card = Asset.objects.get(pk=kiosk.pk)
    assert card.brand == "广电运通" and card.notes == "走查测试备注"
    assert card.using_department_id == other_bureau.pk
    assert card.custodian_user_id == kiosk.custodian_user_id
    assert card.project_id == kiosk.project_id
    event = AssetEvent.objects.filter(asset=card, kind=AssetEvent.Kind.UPDATED).get()
    assert set(event.changes) == {"brand", "notes"}

    # A change to another department outside the scope is refused (a forged option).
    visit.goto(f"{base_url}/assets/{kiosk.tag}/edit/")
    page.evaluate(
        """(pk) => { const select = document.querySelector('select[name=using_department]');
        const option = new Option('EDU', pk); select.add(option); select.value = pk; }""",
        str(third.pk),
    )
    page.click("form:has(input[name=brand]) button[type=submit]")
    page.wait_for_load_state("load")
    assert "/edit/" in page.url
    assert Asset.objects.get(pk=kiosk.pk).using_department_id == other_bureau.pk
