"""Fourth walk 10 and 11: a tag typed with a wrong check character gets the scan page's answer
("mistyped?") on label printing by host and on the internal transfer form, and the transfer
form names every problem of one submit at once: the typo, the unknown tag and the card of
another unit."""

import pytest

from assets import tags
from assets.models import Handover
from labels.models import PrintBatch
from tests.browser.support import DESK, PHONE, Visit, sign_in
from tests.factories import DepartmentFactory, UserFactory, make_asset

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def mistyped(tag: str) -> str:
    """`tag` with a wrong check character: the same form, another last character."""
    return tag[:-1] + ("A" if tag[-1] != "A" else "B")


@pytest.mark.parametrize("device", ["phone", "desk"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_tag_box_explains_a_wrong_check_character_and_shows_every_problem(
    language, device, base_url, new_context, clerk, centre, bureau, other_bureau
):
    office = DepartmentFactory(code="OPS", name="运维科", kind="office", parent=bureau)
    # Only a department someone can decide is offered to an internal transfer.
    UserFactory(username="opsreceiver", department=office, roles=["receiver"])
    host = make_asset(owner=centre, actor=clerk, name="政务服务自助终端")
    foreign = make_asset(owner=other_bureau, using_department=centre, name="卫健委前置机")
    unknown = tags.make_tag("YK", 2026, 999998) or tags.make_tag("YK", 2026, 999997)
    typo = mistyped(host.tag)
    assert not tags.is_valid(typo) and tags.TAG_RE.match(typo)
    visit = Visit(
        new_context(language, **(PHONE if device == "phone" else DESK)),
        language=language,
        allowed_words={"OPS", "HEALTH", typo, unknown},
    )
    visit.expected_errors.append("status of 400")
    page = visit.page
    hint = "校验位不正确（是否输错？）" if language == "zh-hans" else "check character is wrong"
    sign_in(visit, base_url, "clerk")

    # Label printing by host: the typo is called a typo, not an unknown tag.
    visit.goto(f"{base_url}/labels/")
    page.fill("#id_host", typo)
    page.check("input[name=mode][value=host]")
    with page.expect_navigation():
        page.click("#print-panel button[type=submit]")
    errors = page.inner_text("#print-errors")
    assert hint in errors and typo in errors, errors
    assert not PrintBatch.objects.exists()

    # The internal transfer: two bad codes and another unit's card, all named at once.
    visit.goto(f"{base_url}/handovers/new/?project=internal")
    page.fill("textarea[name=scanned]", f"{typo}\n{unknown}\n{foreign.tag}")
    page.select_option("select[name=to_department]", "OPS")
    with page.expect_navigation():
        page.click("form.form--wide button.btn--primary")
    body = page.inner_text("main")
    assert hint in body and typo in body, body
    assert unknown in body
    outside = "不在您的部门范围内" if language == "zh-hans" else "outside your department scope"
    assert foreign.tag in body and outside in body, body
    visit.check(f"clerk-internal-transfer-every-problem-{device}", full_page=True)
    assert not Handover.objects.exists()
