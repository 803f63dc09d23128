"""The receiving department at a desk: review a delegated-build handover item by item, by keyboard,
be told which item still lacks a result, reject one with a reason, accept the rest, and download
the certificate."""

import pytest

from assets import handover_services
from assets.models import Asset, Handover
from tests.browser.support import DESK, Visit, sign_in, tab_to
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
