"""The disposal pages in Chinese: the clerk builds and submits, the approver approves or rejects
from the inbox, the auditor reads with filters, the retire page points at the disposal route."""

from datetime import date

import pytest
from django.urls import reverse

from assets.disposals import services as ds
from assets.models import Asset, DisposalCase
from tests.factories import make_asset

pytestmark = pytest.mark.django_db
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def page(client, url, **params):
    response = client.get(url, params, **ZH)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_clerk_builds_a_case_from_tags_and_submits_it(client, clerk, centre, tiers):
    cards = [make_asset(owner=centre, in_service_on=date(2012, 1, 1)) for _ in range(2)]
    client.force_login(clerk)
    form = page(client, reverse("assets:disposal-create"), tags=",".join(c.tag for c in cards))
    assert "新建处置单" in form and cards[0].tag in form
    response = client.post(
        reverse("assets:disposal-create"),
        {
            "method": "scrap",
            "grounds": "obsolete",
            "components": "refuse",
            "tags": "\n".join(c.tag for c in cards),
        },
        **ZH,
    )
    assert response.status_code == 302
    case = DisposalCase.objects.get()
    detail = page(client, response["Location"])
    assert "提交审批" in detail and "¥12,000.00" in detail
    client.post(reverse("assets:disposal-submit", args=[case.number]), **ZH)
    case.refresh_from_db()
    assert case.state == "submitted"
    assert {Asset.objects.get(pk=c.pk).status for c in cards} == {"pending_disposal"}
    assert "单位负责人" in page(client, reverse("assets:disposal-detail", args=[case.number]))


def test_the_form_names_a_young_card_and_keeps_nothing(client, clerk, centre, tiers):
    young = make_asset(owner=centre, in_service_on=date.today())
    client.force_login(clerk)
    response = client.post(
        reverse("assets:disposal-create"),
        {"method": "scrap", "grounds": "obsolete", "components": "refuse", "tags": young.tag},
        **ZH,
    )
    assert response.status_code == 400
    assert "未达到使用年限" in response.content.decode()
    assert not DisposalCase.objects.exists()


def test_approver_inbox_and_approval(client, approver, submitted):
    client.force_login(approver)
    inbox = page(client, reverse("assets:disposal-inbox"))
    assert submitted.number in inbox
    detail = page(client, reverse("assets:disposal-detail", args=[submitted.number]))
    assert "批复文号" in detail and "data-confirm" in detail
    response = client.post(
        reverse("assets:disposal-approve", args=[submitted.number]),
        {"approval_no": "", "approved_on": str(date.today())},
        **ZH,
    )
    assert response.status_code == 400
    submitted.refresh_from_db()
    assert submitted.state == "submitted"
    client.post(
        reverse("assets:disposal-approve", args=[submitted.number]),
        {"approval_no": "批复〔2026〕7号", "approved_on": str(date.today())},
        **ZH,
    )
    submitted.refresh_from_db()
    assert submitted.state == "approved"
    link = reverse("assets:disposal-detail", args=[submitted.number])
    assert link not in page(client, reverse("assets:disposal-inbox"))


def test_approver_rejects_with_a_reason(client, approver, submitted, cards):
    client.force_login(approver)
    client.post(
        reverse("assets:disposal-reject", args=[submitted.number]), {"reason": "尚可使用"}, **ZH
    )
    submitted.refresh_from_db()
    assert submitted.state == "rejected"
    assert {Asset.objects.get(pk=c.pk).status for c in cards} == {"in_use"}


def test_clerk_may_not_approve_from_the_page(client, clerk, submitted):
    client.force_login(clerk)
    response = client.post(
        reverse("assets:disposal-approve", args=[submitted.number]),
        {"approval_no": "X", "approved_on": str(date.today())},
        **ZH,
    )
    assert response.status_code == 403


def test_auditor_reads_every_case_with_filters_and_no_buttons(client, auditor, submitted):
    client.force_login(auditor)
    listing = page(client, reverse("assets:disposal-list"), state="submitted")
    assert submitted.number in listing and "新建处置单" not in listing
    assert submitted.number not in page(client, reverse("assets:disposal-list"), method="sale")
    detail = page(client, reverse("assets:disposal-detail", args=[submitted.number]))
    assert "disposal-approve" not in detail and "提交审批</button>" not in detail


def test_another_departments_case_is_404(client, other_clerk, draft):
    client.force_login(other_clerk)
    response = client.get(reverse("assets:disposal-detail", args=[draft.number]), **ZH)
    assert response.status_code == 404


def test_executing_from_the_page_retires_and_stores_the_form(client, clerk, approved, cards):
    client.force_login(clerk)
    client.post(reverse("assets:disposal-execute", args=[approved.number]), **ZH)
    approved.refresh_from_db()
    assert approved.state == "executed"
    assert {Asset.objects.get(pk=c.pk).status for c in cards} == {"retired"}
    pdf = client.get(reverse("assets:disposal-application", args=[approved.number]))
    assert pdf.status_code == 200
    assert pdf["X-Certificate-SHA256"] == approved.document_sha256
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_card_and_retire_pages_point_to_a_disposal_case(client, clerk, centre):
    card = make_asset(owner=centre)
    client.force_login(clerk)
    link = f"{reverse('assets:disposal-create')}?tags={card.tag}"
    assert link in page(client, reverse("assets:asset-detail", args=[card.tag]))
    retire = page(client, reverse("assets:asset-retire", args=[card.tag]))
    assert link in retire and "资产只能通过已批准的处置单核销" in retire
    client.post(reverse("assets:asset-retire", args=[card.tag]), {"reason": "报废"}, **ZH)
    card.refresh_from_db()
    assert card.status == "in_use"


def test_the_transfer_handover_page_names_its_case(
    client, clerk, centre, other_bureau, tiers, approver
):
    card = make_asset(owner=centre, in_service_on=date(2012, 1, 1))
    case = ds.create_disposal(
        actor=clerk,
        fields={"method": "transfer", "grounds": "reorganisation", "to_department": other_bureau},
        tags=[card.tag],
    )
    ds.submit_disposal(case=case, actor=clerk)
    ds.approve_disposal(case=case, actor=approver, approval_no="划转批复", approved_on=date.today())
    case = ds.execute_disposal(case=case, actor=clerk)
    client.force_login(clerk)
    body = page(client, reverse("assets:handover-detail", args=[case.handover.number]))
    assert "无偿划转" in body and reverse("assets:disposal-detail", args=[case.number]) in body


def test_a_receiver_reads_the_transfer_case_number_without_a_link_they_could_not_open(
    client, clerk, centre, other_bureau, tiers, approver, receiver
):
    """Walk 39: the disposal pages answer 403 to receivers, so their handover names the case
    without linking to it."""
    card = make_asset(owner=centre, in_service_on=date(2012, 1, 1))
    case = ds.create_disposal(
        actor=clerk,
        fields={"method": "transfer", "grounds": "reorganisation", "to_department": other_bureau},
        tags=[card.tag],
    )
    ds.submit_disposal(case=case, actor=clerk)
    ds.approve_disposal(case=case, actor=approver, approval_no="划转批复", approved_on=date.today())
    case = ds.execute_disposal(case=case, actor=clerk)
    client.force_login(receiver)
    body = page(client, reverse("assets:handover-detail", args=[case.handover.number]))
    assert case.number in body
    assert reverse("assets:disposal-detail", args=[case.number]) not in body
    detail = client.get(reverse("assets:disposal-detail", args=[case.number]), **ZH)
    assert detail.status_code == 403


def test_the_review_header_names_the_free_transfer_and_its_case(
    client, clerk, centre, other_bureau, tiers, approver, receiver
):
    """Walk 4 finding 9: a handover without project began its review header with a stray
    "· from → to" and named neither its kind nor the case that opened it."""
    card = make_asset(owner=centre, in_service_on=date(2012, 1, 1))
    case = ds.create_disposal(
        actor=clerk,
        fields={"method": "transfer", "grounds": "reorganisation", "to_department": other_bureau},
        tags=[card.tag],
    )
    ds.submit_disposal(case=case, actor=clerk)
    ds.approve_disposal(case=case, actor=approver, approval_no="划转批复", approved_on=date.today())
    case = ds.execute_disposal(case=case, actor=clerk)
    client.force_login(receiver)
    url = reverse("assets:handover-review", args=[case.handover.number])
    body = page(client, url)
    header = body.split("<p data-handover-kind>")[1].split("</p>")[0]
    assert header.startswith("无偿划转 · 处置单 " + case.number)
    assert f"{centre.name} → {other_bureau.name}" in header
    # The receiver may not open the case (403): named, not linked.
    assert reverse("assets:disposal-detail", args=[case.number]) not in header
    en = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    header = en.split("<p data-handover-kind>")[1].split("</p>")[0]
    assert header.startswith("Free transfer · disposal case " + case.number)
    # The clerk who executed it reads the case: linked on the handover page.
    client.force_login(clerk)
    body = page(client, reverse("assets:handover-detail", args=[case.handover.number]))
    kind = body.split("<dd data-handover-kind>")[1].split("</dd>")[0]
    assert f'href="{reverse("assets:disposal-detail", args=[case.number])}"' in kind
