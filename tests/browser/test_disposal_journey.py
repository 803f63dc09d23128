"""A disposal from start to end in the browser: the clerk opens a case from the card page, saves
it, submits it (asked first); the approver finds it in their inbox and approves it with the
approval number (asked first); the clerk executes it (asked first) and downloads the form."""

from datetime import date
from decimal import Decimal

import pytest

from assets.disposals import services as ds
from assets.models import Asset, DisposalCase
from tests.browser.support import DESK, PHONE, Visit, sign_in
from tests.factories import UserFactory, make_asset

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def setup(centre, bureau, clerk):
    ds.save_tier(
        actor=None,
        fields={"up_to": Decimal("200000"), "approver_role": "approver", "body": "单位负责人"},
    )
    UserFactory(username="approver", department=bureau, roles=["approver"])
    UserFactory(username="auditor", department=bureau, roles=["auditor"])
    return [
        make_asset(owner=centre, actor=clerk, name=name, in_service_on=date(2013, 5, 1))
        for name in ("旧台式计算机", "旧激光打印机")
    ]


@pytest.mark.parametrize(
    "language, device",
    [("zh-hans", "phone"), ("zh-hans", "desk"), ("en", "phone"), ("en", "desk")],
)
def test_clerk_submits_approver_approves_clerk_executes(
    language, device, base_url, new_context, setup, tmp_path
):
    first, second = setup
    options = PHONE if device == "phone" else DESK
    suffix = "-phone" if device == "phone" else ""
    visit = Visit(new_context(language, **options), language=language)
    page = visit.page

    # The card page offers the disposal route; the form arrives with the card's tag.
    sign_in(visit, base_url, "clerk")
    visit.goto(f"{base_url}/assets/{first.tag}/")
    page.click(f"a[href='/disposals/new/?tags={first.tag}']")
    assert first.tag in page.input_value("#id_tags")
    page.fill("#id_tags", f"{first.tag}\n{second.tag}")
    page.select_option("#id_method", "scrap")
    page.select_option("#id_grounds", "past_life")
    page.fill("#id_evidence", "技术鉴定报告 JD-2026-07")
    visit.check(f"disposal-form{suffix}", full_page=True)
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    case = DisposalCase.objects.get()
    assert page.url.endswith(f"/disposals/{case.number}/")
    visit.allowed.append(case.number)
    visit.check(f"disposal-draft{suffix}", full_page=True)

    # Submitting asks first; dismissing changes nothing.
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click(f"button:has-text('{visit.t('Submit for approval')}')")
    assert DisposalCase.objects.get().state == "draft"
    question = []

    def accept(dialog):
        question.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    with page.expect_navigation():
        page.click(f"button:has-text('{visit.t('Submit for approval')}')")
    assert "2" in question[0]
    assert DisposalCase.objects.get().state == "submitted"
    assert set(
        Asset.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)
    ) == {"pending_disposal"}
    visit.check(f"disposal-submitted{suffix}", full_page=True)
    visit.context.clear_cookies()  # the next person, on the same device

    # The approver's inbox, the approval with number and date.
    sign_in(visit, base_url, "approver")
    visit.goto(f"{base_url}/disposals/")
    page.click("a[href='/disposals/inbox/']")
    assert case.number in page.inner_text("main")
    visit.check(f"disposal-inbox{suffix}")
    page.click(f"a[href='/disposals/{case.number}/']")
    page.fill("#approve-form input[name=approval_no]", "数据局〔2026〕处置批复 7 号")
    # A future approval date is refused by the browser before the question is put.
    today = page.input_value("#approve-form input[name=approved_on]")
    asked = []

    def refuse(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", refuse)
    page.fill("#approve-form input[name=approved_on]", "2099-01-01")
    page.click("#approve-form button[type=submit]")
    page.remove_listener("dialog", refuse)
    assert asked == [] and DisposalCase.objects.get().state == "submitted"
    # Sent anyway (a browser that does not check dates), the page comes back with the
    # error summary in view and focused, naming the field.
    page.evaluate(
        "document.querySelector('#approve-form input[name=approved_on]').removeAttribute('max')"
    )
    visit.expected_errors.append("status of 400")  # the form sent back is a 400
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click("#approve-form button[type=submit]")
    assert DisposalCase.objects.get().state == "submitted"
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    summary = page.locator("[data-error-summary]")
    box = summary.bounding_box()
    assert box and 0 <= box["y"] < page.viewport_size["height"]
    assert visit.t("Approved on") in summary.inner_text()
    visit.check(f"disposal-approve-error{suffix}")
    page.fill("#approve-form input[name=approval_no]", "数据局〔2026〕处置批复 7 号")
    page.fill("#approve-form input[name=approved_on]", today)
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click("#approve-form button[type=submit]")
    assert DisposalCase.objects.get().state == "approved"
    visit.check(f"disposal-approved{suffix}", full_page=True)
    visit.context.clear_cookies()  # the next person, on the same device

    # The clerk executes it: the cards are retired; the stored form downloads with its hash.
    sign_in(visit, base_url, "clerk")
    visit.goto(f"{base_url}/disposals/{case.number}/")
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click(f"button:has-text('{visit.t('Execute')}')")
    case.refresh_from_db()
    assert case.state == "executed"
    assert set(
        Asset.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)
    ) == {"retired"}
    assert case.document_sha256 in page.inner_text("main")
    visit.check(f"disposal-executed{suffix}", full_page=True)
    with page.expect_download() as download:
        page.click(f"a[href='/disposals/{case.number}/application.pdf']")
    pdf = tmp_path / download.value.suggested_filename
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
