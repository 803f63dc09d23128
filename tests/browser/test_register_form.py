"""The clerk's register form (14.19): a long paste is kept and refused with the limit, every
problem shows at once, and an acquisition date in the future is refused."""

import pytest

from assets.models import Asset
from tests.browser.support import DESK, PHONE, Visit, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("device", ["phone", "desk"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_register_form_shows_every_error_at_once_and_never_cuts_a_paste(
    language, device, base_url, new_context, clerk
):
    visit = Visit(
        new_context(language, **(PHONE if device == "phone" else DESK)), language=language
    )
    page = visit.page
    sign_in(visit, base_url, "clerk")
    visit.goto(f"{base_url}/assets/new/")
    page.fill("#id_name", "机" * 5000)
    assert len(page.input_value("#id_name")) == 5000  # no maxlength cutting the paste
    page.fill("#id_model", "型" * 300)
    page.select_option("#id_category", index=1)
    page.fill("#id_acquired_on", "2030-01-01")
    page.fill("#id_original_value", "-5")
    visit.expected_errors.append("status of 400")
    with page.expect_navigation():
        page.click("form.form--wide button.btn--primary")
    visit.expected_errors.clear()
    assert not Asset.objects.exists()
    summary = page.inner_text("[role=alert]")
    for field in ("#id_name", "#id_model", "#id_acquired_on", "#id_original_value"):
        assert page.locator(f"{field} ~ .field__error").count() == 1, field
    if language == "en":
        assert "At most 200 characters; this text has 5000." in summary
        assert "2030-01-01 is in the future" in summary
    else:
        assert "最多 200 个字，现有 5000 个字" in summary
        assert "取得日期 2030-01-01 晚于今天" in summary
    assert len(page.input_value("#id_name")) == 5000  # the text comes back whole to shorten
    suffix = "-phone" if device == "phone" else ""
    visit.check(f"clerk-register-errors{suffix}")


@pytest.mark.parametrize("device", ["phone", "desk"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_useful_life_is_empty_and_its_placeholder_follows_the_category(
    language, device, base_url, new_context, clerk
):
    """Walk 2 finding 37: no prefilled 72; empty means the category's default, which the
    placeholder shows for the chosen category (a local script, under the page's CSP)."""
    import json

    from assets.models import Category

    visit = Visit(
        new_context(language, **(PHONE if device == "phone" else DESK)), language=language
    )
    page = visit.page
    sign_in(visit, base_url, "clerk")
    visit.goto(f"{base_url}/assets/new/")
    assert page.input_value("#id_useful_life_months") == ""
    lives = json.loads(page.inner_text("#category-lives"))
    by_life = {}
    for pk, months in lives.items():
        by_life.setdefault(months, pk)
    assert len(by_life) >= 2, lives
    word = "分类默认：{months}" if language == "zh-hans" else "Category default: {months}"
    for months, pk in list(by_life.items())[:2]:
        page.select_option("#id_category", value=pk)
        placeholder = page.get_attribute("#id_useful_life_months", "placeholder")
        assert placeholder == word.format(months=months)
        assert Category.objects.get(pk=pk).default_useful_life_months == months
    page.locator("#id_useful_life_months").scroll_into_view_if_needed()
    suffix = "-phone" if device == "phone" else ""
    visit.check(f"clerk-register-life{suffix}")
