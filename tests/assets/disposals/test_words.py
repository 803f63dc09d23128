"""A disposal case is rejected as 驳回 (an approver's decision), never 拒收, the handover's word
for refusing delivery (walk finding 14): the button, its state and the list filter."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def test_the_approver_rejects_a_case_with_the_word_for_rejecting(client, approver, submitted):
    client.force_login(approver)
    body = client.get(reverse("assets:disposal-detail", args=[submitted.number]), **ZH)
    text = body.content.decode()
    assert ">驳回</button>" in text
    assert "拒收" not in text
    assert "驳回该处置单？" in text


def test_a_rejected_case_reads_rejected_in_its_state_and_the_list_filter(
    client, approver, submitted
):
    client.force_login(approver)
    client.post(
        reverse("assets:disposal-reject", args=[submitted.number]), {"reason": "尚可使用"}, **ZH
    )
    detail = client.get(reverse("assets:disposal-detail", args=[submitted.number]), **ZH)
    listing = client.get(reverse("assets:disposal-list"), {"state": "rejected"}, **ZH)
    for page in (detail, listing):
        text = page.content.decode()
        assert "已驳回" in text and "拒收" not in text
    assert "驳回理由" in detail.content.decode()
    assert "已筛选" in listing.content.decode()
