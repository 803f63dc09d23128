"""Adding and withdrawing evidence (DESIGN.md invariant 11): stored once, never changed."""

import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.utils import IntegrityError

from assets.attachments import services, subjects
from assets.attachments.models import AppendOnlyError, Attachment, AttachmentWithdrawal, Blob
from assets.errors import Conflict
from assets.models import AssetEvent
from tests.assets.attachments import files
from tests.assets.attachments.conftest import stored_files
from tests.factories import make_asset

pytestmark = pytest.mark.django_db


@pytest.fixture
def card(centre):
    return make_asset(owner=centre, name="核心交换机")


def add(actor, card, data=None, name="验收报告.pdf", kind="acceptance_report"):
    return services.add_attachment(
        actor=actor,
        subject=f"asset:{card.tag}",
        kind=kind,
        upload=files.upload(files.pdf_bytes() if data is None else data, name),
    )


def test_an_upload_is_stored_by_its_sha256_with_its_sniffed_type(clerk, card, attachment_root):
    data = files.pdf_bytes()
    attachment = add(clerk, card, data)
    blob = attachment.blob
    assert blob.sha256 == hashlib.sha256(data).hexdigest()
    assert blob.size == len(data)
    assert blob.content_type == "application/pdf"
    assert attachment.file_name == "验收报告.pdf"
    assert subjects.reference_of(attachment) == f"asset:{card.tag}"
    stored = attachment_root / "attachments" / blob.sha256[:2] / blob.sha256
    assert stored.read_bytes() == data


def test_the_same_file_twice_is_one_blob(clerk, card, centre, attachment_root):
    other_card = make_asset(owner=centre)
    first = add(clerk, card, name="a.pdf")
    second = add(clerk, other_card, name="b.pdf", kind="invoice")
    assert first.blob_id == second.blob_id
    assert Blob.objects.count() == 1
    assert Attachment.objects.count() == 2
    assert len([f for f in stored_files(attachment_root) if "/tmp/" not in f]) == 1


def test_attaching_to_a_card_writes_its_history(clerk, card):
    attachment = add(clerk, card)
    event = AssetEvent.objects.filter(asset=card, kind=AssetEvent.Kind.ATTACHMENT_ADDED).get()
    assert event.changes == {"attachment": [None, attachment.file_name]}
    assert event.actor == clerk


def test_evidence_is_append_only_in_the_orm(clerk, card):
    attachment = add(clerk, card)
    attachment.file_name = "changed.pdf"
    with pytest.raises(AppendOnlyError):
        attachment.save()
    with pytest.raises(AppendOnlyError):
        attachment.delete()
    with pytest.raises(AppendOnlyError):
        Attachment.objects.filter(pk=attachment.pk).update(kind="other")
    with pytest.raises(AppendOnlyError):
        Blob.objects.all().delete()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE assets_attachment SET file_name = 'x.pdf'",
        "DELETE FROM assets_attachment",
        "UPDATE assets_blob SET size = 1",
        "DELETE FROM assets_blob",
        "UPDATE assets_attachmentwithdrawal SET reason = 'x'",
        "DELETE FROM assets_attachmentwithdrawal",
    ],
)
def test_the_database_refuses_changing_evidence(clerk, card, statement):
    attachment = add(clerk, card)
    services.withdraw_attachment(attachment=attachment, actor=clerk, reason="传错了")
    with pytest.raises(IntegrityError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert Attachment.objects.get().file_name == "验收报告.pdf"


def test_withdrawing_keeps_the_file_with_who_and_why(clerk, card):
    attachment = add(clerk, card)
    withdrawal = services.withdraw_attachment(attachment=attachment, actor=clerk, reason="传错了")
    assert withdrawal.reason == "传错了" and withdrawal.withdrawn_by == clerk
    assert Attachment.objects.filter(pk=attachment.pk).exists()
    assert AssetEvent.objects.filter(
        asset=card, kind=AssetEvent.Kind.ATTACHMENT_WITHDRAWN, note="传错了"
    ).exists()


def test_withdrawing_twice_is_a_conflict(clerk, card):
    attachment = add(clerk, card)
    services.withdraw_attachment(attachment=attachment, actor=clerk, reason="传错了")
    with pytest.raises(Conflict) as caught:
        services.withdraw_attachment(attachment=attachment, actor=clerk, reason="again")
    assert caught.value.code == "already_withdrawn"
    assert AttachmentWithdrawal.objects.count() == 1


def test_withdrawing_needs_a_reason(clerk, card):
    attachment = add(clerk, card)
    with pytest.raises(ValidationError) as caught:
        services.withdraw_attachment(attachment=attachment, actor=clerk, reason="  ")
    assert "reason" in caught.value.message_dict


def test_another_departments_card_is_an_unknown_subject(other_clerk, card):
    with pytest.raises(ValidationError) as caught:
        add(other_clerk, card)
    assert "subject" in caught.value.message_dict
    assert not Attachment.objects.exists()


def test_an_auditor_reads_but_attaches_nothing(auditor, card):
    with pytest.raises(PermissionDenied):
        add(auditor, card)


def test_an_auditor_withdraws_nothing(clerk, auditor, card):
    attachment = add(clerk, card)
    with pytest.raises(PermissionDenied):
        services.withdraw_attachment(attachment=attachment, actor=auditor, reason="x")


def test_another_department_cannot_withdraw(clerk, other_clerk, card):
    from assets.errors import NotInScope

    attachment = add(clerk, card)
    with pytest.raises(NotInScope):
        services.withdraw_attachment(attachment=attachment, actor=other_clerk, reason="x")


@pytest.mark.parametrize(
    "data",
    [files.exe_bytes(), files.pdf_zip_polyglot(), files.zip_bomb_docx(), b""],
    ids=["exe-as-pdf", "pdf-zip-polyglot", "zip-bomb-docx", "empty"],
)
def test_a_refused_file_leaves_nothing_behind(clerk, card, attachment_root, data):
    with pytest.raises(ValidationError):
        add(clerk, card, data, name="invoice.pdf")
    assert not Blob.objects.exists() and not Attachment.objects.exists()
    assert stored_files(attachment_root) == []


def test_a_file_over_the_limit_is_refused_with_the_limit(clerk, card, settings, attachment_root):
    settings.YIKA_ATTACHMENT_MAX_MB = 1
    big = files.pdf_bytes() + b"%" + b"0" * (1024 * 1024)
    with pytest.raises(ValidationError) as caught:
        add(clerk, card, big)
    assert "1 MB" in caught.value.message_dict["file"][0]
    assert stored_files(attachment_root) == []


def test_a_failure_after_the_file_was_written_leaves_no_orphan(
    clerk, card, attachment_root, monkeypatch
):
    """The transaction fails after the blob file was written: the file goes with the rows."""

    def broken_event(**kwargs):
        raise RuntimeError("history write failed")

    monkeypatch.setattr(services, "record_event", broken_event)
    with pytest.raises(RuntimeError):
        add(clerk, card)
    assert not Blob.objects.exists()
    assert stored_files(attachment_root) == []


def test_a_failure_keeps_a_blob_other_attachments_use(clerk, card, attachment_root, monkeypatch):
    first = add(clerk, card)
    monkeypatch.setattr(services, "record_event", lambda **kw: (_ for _ in ()).throw(OSError()))
    with pytest.raises(OSError):
        add(clerk, card, name="again.pdf")
    assert (attachment_root / "attachments" / first.blob.name).exists()


def test_a_missing_kind_or_file_is_refused(clerk, card):
    with pytest.raises(ValidationError) as caught:
        add(clerk, card, kind="selfie")
    assert "kind" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.add_attachment(
            actor=clerk, subject=f"asset:{card.tag}", kind="invoice", upload=None
        )
    assert "file" in caught.value.message_dict


@pytest.mark.parametrize("subject", ["", "asset", "nothing:1", "asset:", "difference:abc"])
def test_a_malformed_subject_is_refused(clerk, subject):
    with pytest.raises(ValidationError) as caught:
        services.add_attachment(
            actor=clerk, subject=subject, kind="invoice", upload=files.upload(files.pdf_bytes())
        )
    assert "subject" in caught.value.message_dict


def test_files_attach_to_projects_and_handovers(clerk, receiver, project, centre):
    from assets.handovers import services as hs

    on_project = services.add_attachment(
        actor=clerk,
        subject=f"project:{project.code}",
        kind="contract",
        upload=files.upload(files.docx_bytes(), "合同.docx"),
    )
    assert subjects.reference_of(on_project) == f"project:{project.code}"
    asset = make_asset(owner=centre, project=project)
    handover = hs.create_handover(actor=clerk, project=project, assets=[asset])
    hs.submit_handover(handover=handover, actor=clerk)
    # The receiving side attaches the acceptance report it signs.
    signed = services.add_attachment(
        actor=receiver,
        subject=f"handover:{handover.number}",
        kind="acceptance_report",
        upload=files.upload(files.png_bytes(), "签字页.png"),
    )
    assert signed.blob.content_type == "image/png"
    assert subjects.reference_of(signed) == f"handover:{handover.number}"


@pytest.fixture
def open_handover(clerk, project, centre):
    from assets.handovers import services as hs

    handover = hs.create_handover(
        actor=clerk, project=project, assets=[make_asset(owner=centre, project=project)]
    )
    hs.submit_handover(handover=handover, actor=clerk)
    return handover


def _on_handover(actor, handover, name):
    return services.add_attachment(
        actor=actor,
        subject=f"handover:{handover.number}",
        kind="acceptance_report",
        upload=files.upload(files.pdf_bytes(), name),
    )


def test_the_receiver_may_not_withdraw_the_builders_handover_file(clerk, receiver, open_handover):
    report = _on_handover(clerk, open_handover, "竣工验收报告.pdf")
    with pytest.raises(PermissionDenied, match="只有上传该文件的一方"):
        services.withdraw_attachment(attachment=report, actor=receiver, reason="不要")
    assert not AttachmentWithdrawal.objects.exists()
    # …and the builder may not withdraw the receiver's signed page either.
    signed = _on_handover(receiver, open_handover, "签字页.pdf")
    with pytest.raises(PermissionDenied):
        services.withdraw_attachment(attachment=signed, actor=clerk, reason="不要")
    services.withdraw_attachment(attachment=signed, actor=receiver, reason="传错了")


def test_nobody_withdraws_a_handover_file_after_the_decision(clerk, receiver, open_handover):
    from assets.handovers import services as hs

    report = _on_handover(clerk, open_handover, "竣工验收报告.pdf")
    asset = open_handover.items.get().asset
    hs.decide_handover(
        handover=open_handover,
        actor=receiver,
        decisions=[hs.ItemDecision(tag=asset.tag, result="accepted")],
    )
    for actor in (clerk, receiver):
        with pytest.raises(PermissionDenied, match="已办结"):
            services.withdraw_attachment(attachment=report, actor=actor, reason="不要")
    assert not AttachmentWithdrawal.objects.exists()
