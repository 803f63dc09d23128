"""The demo data carries one piece of evidence: the acceptance report of the waiting handover."""

import io

import pytest
from django.core.management import call_command

from assets.attachments.models import Attachment
from assets.models import Handover

pytestmark = pytest.mark.django_db


def test_the_demo_handover_carries_its_acceptance_report_once():
    call_command("seed_demo", stdout=io.StringIO())
    handover = Handover.objects.get(project__code="DJ-2024-001")
    attachment = Attachment.objects.get(subject_kind="handover", subject_id=handover.pk)
    assert attachment.kind == "acceptance_report"
    assert attachment.blob.content_type == "application/pdf"
    call_command("seed_demo", "--once", stdout=io.StringIO())
    assert Attachment.objects.count() == 1
