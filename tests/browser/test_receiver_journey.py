"""The receiving department at a desk: review a delegated-build handover item by item, by keyboard,
be told which item still lacks a result, reject one with a reason, accept the rest, and download
the certificate."""

import pytest

from assets.handovers import services as handover_services
from assets.models import Asset, Handover
from tests.browser.support import DESK, PHONE, Visit, sign_in, tab_to
from tests.factories import make_asset

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def handover(project, clerk):
    """The big data centre hands three cards of the project over to the health commission."""
    names = ["核心交换机", "防火墙", "存储阵列"]
    assets = [
        make_asset(owner=project.builder_department, actor=clerk, project=project, name=name)
        for name in names
    ]
    created = handover_services.create_handover(actor=clerk, project=project, assets=assets)
    return handover_services.submit_handover(handover=created, actor=clerk)


def choose(page, selector: str) -> None:
    """Select a radio button by keyboard: Tab to its group, arrow to it, Space."""
    tab_to(page, f"input[name='{page.get_attribute(selector, 'name')}']")
    for _ in range(4):
        if page.evaluate("(s) => document.activeElement === document.querySelector(s)", selector):
            break
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Space")
    assert page.is_checked(selector)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_receiver_reviews_item_by_item_rejects_one_and_downloads_the_certificate(
    language, base_url, new_context, handover, receiver, project, tmp_path
):
    tags = list(handover.items.order_by("asset__tag").values_list("asset__tag", flat=True))
    first, second, third = tags
    visit = Visit(
        new_context(language, **DESK),
        language=language,
        allowed_words={handover.number, project.code},
    )
    page = visit.page

    # The inbox lists the handover waiting for this department's decision.
    sign_in(visit, base_url, "receiver")
    page.click("a[href='/handovers/']")
    visit.check()
    page.click("a[href='/handovers/inbox/']")
    assert handover.number in page.inner_text("main")
    visit.check("receiver-inbox")
    page.click(f"a[href='/handovers/{handover.number}/review/']")
    visit.check("receiver-review")

    # Accept two, leave the third blank: the page names the item without a result.
    choose(page, f"#accept-{first}")
    choose(page, f"#accept-{second}")
    visit.expected_errors.append("status of 400")
    tab_to(page, "form.form--wide button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    alert = page.inner_text("[role=alert]")
    assert third in alert and first not in alert
    assert Handover.objects.get(pk=handover.pk).state == Handover.State.SUBMITTED
    visit.check("receiver-review-blank")
    visit.expected_errors.clear()

    # Reject the second with a reason, accept the rest, record the decision.
    assert page.is_checked(f"#accept-{first}")
    choose(page, f"#reject-{second}")
    tab_to(page, f"#reason-{second}")
    page.keyboard.type("序列号与合同不符" if language == "zh-hans" else "Serial number differs")
    choose(page, f"#accept-{third}")
    tab_to(page, "form.form--wide button[type=submit]")
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(f"/handovers/{handover.number}/")
    visit.check("receiver-decided")

    handover.refresh_from_db()
    assert handover.state == Handover.State.PARTIALLY_ACCEPTED
    owners = dict(Asset.objects.filter(tag__in=tags).values_list("tag", "owner_department__code"))
    assert owners == {
        first: project.owner_department.code,
        second: project.builder_department.code,
        third: project.owner_department.code,
    }

    # The certificate.
    with page.expect_download() as download:
        page.click(f"a[href='/handovers/{handover.number}/certificate.pdf']")
    pdf = tmp_path / download.value.suggested_filename
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize("device", ["phone", "desk"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_review_highlights_blank_items_and_the_decision_asks_before_it_is_recorded(
    language, device, base_url, new_context, handover, receiver, project
):
    """14.17 and 14.6: blank items are highlighted with the focus on the first; Enter in a
    reason box does not submit; the decision asks, in numbers, and dismissing changes nothing."""
    first, second, third = handover.items.order_by("asset__tag").values_list(
        "asset__tag", flat=True
    )
    visit = Visit(
        new_context(language, **(PHONE if device == "phone" else DESK)),
        language=language,
        allowed_words={handover.number, project.code},
    )
    page = visit.page
    suffix = "-phone" if device == "phone" else ""
    sign_in(visit, base_url, "receiver")
    visit.goto(f"{base_url}/handovers/{handover.number}/review/")

    # Accept only the first: nothing to confirm yet (nothing would change); the server refuses
    # and marks the two blank items, with the focus on the first of them.
    page.check(f"#accept-{first}")
    visit.expected_errors.append("status of 400")
    with page.expect_navigation():
        page.click("button[data-decide]")
    for tag in (second, third):
        item = page.locator(f"#item-{tag}")
        assert "card--invalid" in item.get_attribute("class")
        assert page.get_attribute(f"#accept-{tag}", "aria-invalid") == "true"
        assert page.locator(f"#error-{tag}").is_visible()
    assert page.get_attribute(f"#accept-{first}", "aria-invalid") is None
    assert page.evaluate("document.activeElement.id") == f"accept-{second}"
    visit.check(f"receiver-review-invalid{suffix}")
    visit.expected_errors.clear()

    # Reject the second: Enter in its reason box is a new line, never the decision.
    page.check(f"#reject-{second}")
    page.click(f"#reason-{second}")
    page.keyboard.type("序列号与合同不符" if language == "zh-hans" else "Serial number differs")
    page.keyboard.press("Enter")
    page.keyboard.type("2")
    page.fill(f"#custodian-{third}", "张三")
    page.focus(f"#custodian-{third}")
    page.keyboard.press("Enter")  # a one-line box does not submit the decision either
    page.wait_for_timeout(300)
    assert page.url.endswith(f"/handovers/{handover.number}/review/")
    assert "\n" in page.input_value(f"#reason-{second}")
    handover.refresh_from_db()
    assert handover.state == Handover.State.SUBMITTED
    page.check(f"#accept-{third}")

    # The decision asks first, saying what will happen; dismissing it changes nothing.
    asked = []

    def dismiss(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.click("button[data-decide]")
    page.wait_for_timeout(300)
    expected = (
        "将接收 2 项、拒收 1 项，接收的资产权属将转移给市卫健委"
        if language == "zh-hans"
        else "Accepted: 2, rejected: 1. Ownership of what is accepted moves to 市卫健委"
    )
    assert asked and expected in asked[0]
    handover.refresh_from_db()
    assert handover.state == Handover.State.SUBMITTED
    assert page.url.endswith("/review/")

    # Accepting it records the decision and the answer says what happened.
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click("button[data-decide]")
    handover.refresh_from_db()
    assert handover.state == Handover.State.PARTIALLY_ACCEPTED
    answer = page.inner_text(".messages")
    assert (
        "接收 2 项，拒收 1 项" if language == "zh-hans" else "2 items accepted, 1 rejected"
    ) in answer
    visit.check(f"receiver-decided-answer{suffix}")
