"""The builder's clerk drafts a handover: picks the project once, ticks every item with
"select all" in the item table, and creates the draft (14.17), on a phone and at a desk."""

import pytest

from assets.models import Handover
from tests.browser.support import DESK, PHONE, Visit, sign_in
from tests.factories import make_asset

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("device", ["phone", "desk"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_clerk_picks_the_project_once_and_selects_all_items(
    language, device, base_url, new_context, project, clerk
):
    assets = [
        make_asset(
            owner=project.builder_department, actor=clerk, project=project, name=name, model=model
        )
        for name, model in [
            ("核心交换机", "CE12804"),
            ("防火墙", "USG6650"),
            ("存储阵列", "OceanStor"),
        ]
    ]
    visit = Visit(
        new_context(language, **(PHONE if device == "phone" else DESK)),
        language=language,
        allowed_words={project.code, "CE12804", "USG6650", "OceanStor"},
    )
    page = visit.page
    sign_in(visit, base_url, "clerk")
    visit.goto(f"{base_url}/handovers/new/")
    with page.expect_navigation():
        page.select_option("#pick-project", project.code)  # submits itself
    assert page.locator("form.form--wide select[name=project]").count() == 0
    assert page.locator("select[name=project]").count() == 1
    headings = [h.strip() for h in page.locator("table[data-select-table] th").all_inner_texts()]
    if language == "en":
        assert headings[:4] == ["Select", "Tag", "Name", "Model"]
    else:
        assert headings[0] == "选择" and headings[1] == "资产编号"

    page.check("[data-select-all]")
    for asset in assets:
        assert page.is_checked(f"#asset-{asset.tag}")
    counter = page.inner_text("[data-select-count]")
    assert "3" in counter
    suffix = "-phone" if device == "phone" else ""
    visit.check(f"clerk-handover-new{suffix}", full_page=True)
    page.uncheck(f"#asset-{assets[2].tag}")
    assert page.evaluate("document.querySelector('[data-select-all]').indeterminate")
    page.check("[data-select-all]")

    with page.expect_navigation():
        page.click("form.form--wide button.btn--primary")
    handover = Handover.objects.get()
    assert page.url.endswith(f"/handovers/{handover.number}/")
    assert set(handover.items.values_list("asset__tag", flat=True)) == {a.tag for a in assets}
    visit.check(f"clerk-handover-draft{suffix}")
