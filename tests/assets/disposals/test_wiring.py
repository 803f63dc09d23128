"""Disposal cases joined to the rest of the register: the approver's dashboard counts the cases
waiting for them, and a case carries its evidence files, listed on the cards it disposes of."""

import pytest
from django.urls import reverse

from assets.attachments import services as attachment_services
from assets.attachments import subjects
from tests.assets.attachments import files

pytestmark = pytest.mark.django_db


def test_the_approvers_dashboard_counts_the_cases_waiting_for_them(client, submitted, approver):
    client.force_login(approver)
    response = client.get(reverse("assets:dashboard"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    counters = {c["key"]: c for c in response.context["open_work"]}
    assert counters["disposals_waiting"]["count"] == 1
    assert counters["disposals_waiting"]["url"] == reverse("assets:disposal-inbox")
    assert "待我审批的处置单" in response.content.decode()


def test_a_cases_evidence_shows_on_the_case_and_on_its_cards(client, submitted, clerk, cards):
    attachment_services.add_attachment(
        actor=clerk,
        subject=f"disposal:{submitted.number}",
        kind="assessment",
        upload=files.upload(files.pdf_bytes("assessment"), "技术鉴定报告.pdf"),
    )
    client.force_login(clerk)
    case_page = client.get(reverse("assets:disposal-detail", args=[submitted.number]))
    assert "技术鉴定报告.pdf" in case_page.content.decode()
    card_page = client.get(reverse("assets:asset-detail", args=[cards[0].tag]))
    assert "技术鉴定报告.pdf" in card_page.content.decode()


def test_a_repair_record_is_a_subject_too():
    assert {"disposal", "repair"} <= set(subjects.kinds())
