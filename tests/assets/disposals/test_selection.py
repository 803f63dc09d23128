"""Building a case from the register's selection (申请处置) and attaching evidence on the form:
the ticked cards fill the form, a card out of the clerk's scope is a 404, an evidence file is
stored with the case (listed on its page) or refuses the case."""

from datetime import date

import pytest
from django.urls import reverse

from assets.attachments.models import Attachment
from assets.models import DisposalCase
from tests.assets.attachments.files import pdf_bytes, upload
from tests.factories import make_asset

pytestmark = pytest.mark.django_db
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.fixture
def old_cards(centre):
    return [
        make_asset(owner=centre, in_service_on=date(2012, 1, 1), name=f"旧打印机{i}")
        for i in range(2)
    ]


def test_the_register_list_lets_a_clerk_tick_cards_for_disposal(client, clerk, old_cards):
    client.force_login(clerk)
    page = client.get(reverse("assets:asset-list"), **ZH).content.decode()
    assert "申请处置" in page
    assert f'action="{reverse("assets:disposal-create")}"' in page
    for card in old_cards:
        assert f'name="tags" value="{card.tag}"' in page


def test_an_auditor_sees_no_disposal_selection(client, auditor, old_cards):
    client.force_login(auditor)
    page = client.get(reverse("assets:asset-list"), **ZH).content.decode()
    assert "申请处置" not in page and 'name="tags"' not in page


def test_the_ticked_tags_fill_the_form(client, clerk, old_cards):
    client.force_login(clerk)
    response = client.get(
        reverse("assets:disposal-create"), {"tags": [c.tag for c in old_cards]}, **ZH
    )
    assert response.status_code == 200
    form = response.content.decode()
    assert "\n".join(c.tag for c in old_cards) in form


def test_a_card_out_of_the_clerks_scope_is_not_found(client, clerk, old_cards, other_bureau):
    foreign = make_asset(owner=other_bureau)
    client.force_login(clerk)
    response = client.get(
        reverse("assets:disposal-create"), {"tags": [old_cards[0].tag, foreign.tag]}, **ZH
    )
    assert response.status_code == 404


def post_with_file(client, cards, evidence_file):
    """The case form of `cards` (scrap, obsolete) sent with an assessment file."""
    return client.post(
        reverse("assets:disposal-create"),
        {
            "method": "scrap",
            "grounds": "obsolete",
            "components": "refuse",
            "tags": "\n".join(card.tag for card in cards),
            "evidence_kind": "assessment",
            "evidence_file": evidence_file,
        },
        **ZH,
    )


def test_an_evidence_file_is_attached_with_the_case(client, clerk, old_cards):
    client.force_login(clerk)
    response = post_with_file(client, old_cards, upload(pdf_bytes("鉴定"), "技术鉴定报告.pdf"))
    assert response.status_code == 302
    case = DisposalCase.objects.get()
    attachment = Attachment.objects.get(subject_kind="disposal", subject_id=case.pk)
    assert attachment.kind == "assessment"
    detail = client.get(response["Location"], **ZH).content.decode()
    assert "技术鉴定报告.pdf" in detail


def test_a_refused_evidence_file_refuses_the_case(client, clerk, old_cards):
    client.force_login(clerk)
    response = post_with_file(client, old_cards[:1], upload(b"<html>no pdf</html>", "report.pdf"))
    assert response.status_code == 400
    assert not DisposalCase.objects.exists()
    assert not Attachment.objects.exists()


def test_the_application_form_lists_the_attached_evidence_files(client, clerk, old_cards):
    import io

    from pypdf import PdfReader

    from assets.disposals.document import render_application

    client.force_login(clerk)
    post_with_file(client, old_cards, upload(pdf_bytes("鉴定"), "技术鉴定报告.pdf"))
    case = DisposalCase.objects.get()
    case.evidence = "鉴定编号 J-7"
    text = "".join(
        page.extract_text() for page in PdfReader(io.BytesIO(render_application(case))).pages
    )
    assert "鉴定编号 J-7" in text
    assert "技术鉴定报告.pdf" in text
