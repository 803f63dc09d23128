"""The reconciliation pages fit a phone (issue 14: the page was 469 px wide in a 390 px
viewport): upload, result (each result list) and a difference, in zh-hans and English; the
result names the columns no field reads."""

import pytest

from assets.reconciliations import services
from tests.assets.reconciliations.conftest import HEADERS, finance_rows, xlsx_bytes
from tests.assets.reconciliations.conftest import register as register  # the fixture
from tests.browser.support import DESK, PHONE, Visit, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

FILE = "finance-assets-export-2026-12-31-all-departments.xlsx"
WIDTH_JS = "() => document.documentElement.scrollWidth"


@pytest.mark.parametrize("device", ["phone", "desk"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_reconciliation_pages_fit_the_screen(
    language, device, base_url, new_context, clerk, register
):
    # The demo's shape: the uploader's name is long, the file name one Latin word.
    clerk.display_name = "王敏（大数据中心资产管理员）"
    clerk.save(update_fields=["display_name"])
    headers = [*HEADERS, "备注"]
    rows = [[*row, "待核"] for row in finance_rows(register, value="55000.00")]
    reconciliation = services.create_reconciliation(
        actor=clerk, data=xlsx_bytes(rows, headers=headers), name=FILE
    )
    difference = reconciliation.differences.get(kind="value_differs")
    size = PHONE if device == "phone" else DESK
    width = size["viewport"]["width"]
    words = {card.tag for card in register.values()} | {
        "GD",
        "CW",
        "xlsx",
        *FILE.replace(".", "-").split("-"),
    }
    visit = Visit(new_context(language, **size), language=language, allowed_words=words)
    page = visit.page
    sign_in(visit, base_url, "clerk")
    detail = f"{base_url}/reconciliations/{reconciliation.pk}/"
    pages = [
        ("upload", f"{base_url}/reconciliations/"),
        ("result", detail),
        *[(f"result-{key}", f"{detail}?result={key}") for key in
          ("matched", "only_in_register", "only_in_finance", "value_differs")],
        ("difference", f"{base_url}/reconciliations/differences/{difference.pk}/"),
    ]  # fmt: skip
    for name, url in pages:
        visit.goto(url)
        if name == "upload":
            page.click("#mapping summary")
        visit.check(f"walk-reconciliation-{name}-{device}", full_page=True)
        scroll = page.evaluate(WIDTH_JS)
        assert scroll <= width, f"{name}: {scroll} px wide in a {width} px viewport"
    visit.goto(detail)
    assert "备注" in page.inner_text("#ignored-columns")
