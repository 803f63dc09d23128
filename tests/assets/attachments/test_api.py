"""`/api/v1/attachments/`: the contract, scope (404), bad input (400), downloads' headers."""

import hashlib
import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from assets.attachments import services
from assets.attachments.models import Attachment, AttachmentWithdrawal, Blob
from tests.api_base import (
    AnonymousTests,
    CreateTests,
    ListTests,
    RetrieveTests,
    ScopeTests,
    WrongRoleTests,
)
from tests.assets.attachments import files
from tests.assets.attachments.conftest import stored_files
from tests.factories import make_asset

pytestmark = pytest.mark.django_db

URL = "/api/v1/attachments/"


def attach(actor, asset, data=None, name="发票.pdf", kind="invoice"):
    return services.add_attachment(
        actor=actor,
        subject=f"asset:{asset.tag}",
        kind=kind,
        upload=files.upload(files.pdf_bytes() if data is None else data, name),
    )


class TestAttachmentAPI(
    ListTests, RetrieveTests, CreateTests, AnonymousTests, ScopeTests, WrongRoleTests
):
    basename = "attachment"
    url_names = ("attachment-download", "attachment-file", "attachment-withdraw")
    lookup = "id"
    lookup_url_kwarg = "pk"
    reader = "clerk"
    writer = "clerk"
    wrong_role = "auditor"
    request_format = "multipart"

    def make_object(self, request):
        clerk = request.getfixturevalue("clerk")
        asset = make_asset(owner=request.getfixturevalue("centre"))
        return attach(clerk, asset)

    def make_other_object(self, request):
        other = request.getfixturevalue("other_clerk")
        asset = make_asset(owner=other.department, name="他处服务器")
        return attach(other, asset, data=files.pdf_bytes("other"))

    def get_create_data(self, request):
        asset = make_asset(owner=request.getfixturevalue("centre"))
        return {
            "file": files.upload(files.pdf_bytes(), "验收报告.pdf"),
            "subject": f"asset:{asset.tag}",
            "kind": "acceptance_report",
        }

    def write(self, client, obj):
        return client.post(self.action_url(obj, "withdraw"), {"reason": "传错了"}, format="json")


def upload_as(user, **data):
    client = APIClient()
    client.force_authenticate(user)
    return client.post(URL, data, format="multipart")


@pytest.fixture
def card(centre):
    return make_asset(owner=centre, name="核心交换机")


def test_an_upload_answers_id_sha256_size_and_sniffed_type(clerk, card):
    data = files.png_bytes()
    response = upload_as(
        clerk,
        file=files.upload(data, "损坏照片.pdf", "application/pdf"),
        subject=f"asset:{card.tag}",
        kind="photo",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["sha256"] == hashlib.sha256(data).hexdigest()
    assert body["size"] == len(data)
    assert body["content_type"] == "image/png"  # the bytes, not the claimed type or the name
    assert body["file_name"] == "损坏照片.pdf.png"
    assert body["subject"] == f"asset:{card.tag}"
    assert body["withdrawn"] is False


def test_the_list_filters_by_subject(clerk, card, centre):
    other = make_asset(owner=centre)
    mine = attach(clerk, card)
    attach(clerk, other, data=files.pdf_bytes("2"))
    client = APIClient()
    client.force_authenticate(clerk)
    body = client.get(URL, {"subject": f"asset:{card.tag}"}).json()
    assert [row["id"] for row in body["results"]] == [mine.pk]


def test_filtering_by_an_unreadable_subject_lists_nothing(clerk, other_clerk):
    theirs = make_asset(owner=other_clerk.department)
    attach(other_clerk, theirs)
    client = APIClient()
    client.force_authenticate(clerk)
    assert client.get(URL, {"subject": f"asset:{theirs.tag}"}).json()["results"] == []


def test_the_download_is_an_attachment_with_a_safe_name_and_nosniff(clerk, card):
    data = files.pdf_bytes()
    attachment = attach(clerk, card, data, name="../../2024年 验收\n报告.pdf")
    client = APIClient()
    client.force_authenticate(clerk)
    response = client.get(f"{URL}{attachment.pk}/file")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="file.pdf"; ')
    assert (
        "filename*=UTF-8''2024%E5%B9%B4%20%E9%AA%8C%E6%94%B6%E6%8A%A5%E5%91%8A.pdf" in disposition
    )
    assert "\n" not in disposition and ".." not in disposition
    assert "sandbox" in response["Content-Security-Policy"]


def test_another_departments_file_is_404(clerk, other_clerk):
    theirs = attach(other_clerk, make_asset(owner=other_clerk.department))
    client = APIClient()
    client.force_authenticate(clerk)
    assert client.get(f"{URL}{theirs.pk}/file").status_code == 404
    assert client.get(f"{URL}{theirs.pk}/file/").status_code == 404
    assert client.get(f"{URL}{theirs.pk}/").status_code == 404


def test_the_auditor_reads_every_file(auditor, other_clerk):
    theirs = attach(other_clerk, make_asset(owner=other_clerk.department))
    client = APIClient()
    client.force_authenticate(auditor)
    assert client.get(f"{URL}{theirs.pk}/file").status_code == 200


def test_uploading_to_another_departments_card_is_a_400_on_subject(clerk, other_clerk):
    theirs = make_asset(owner=other_clerk.department)
    response = upload_as(
        clerk, file=files.upload(files.pdf_bytes()), subject=f"asset:{theirs.tag}", kind="invoice"
    )
    assert response.status_code == 400
    assert "subject" in response.json()
    assert not Attachment.objects.exists()


def test_a_50_mb_file_is_a_clear_400_and_nothing_is_kept(clerk, card, attachment_root):
    big = files.pdf_bytes() + b"0" * (50 * 1024 * 1024)
    response = upload_as(
        clerk, file=files.upload(big, "scan.pdf"), subject=f"asset:{card.tag}", kind="invoice"
    )
    assert response.status_code == 400
    assert response.json() == {"file": ["文件超过 20 MB，请上传更小的文件。"]}
    assert stored_files(attachment_root) == []


def test_an_exe_renamed_pdf_is_a_400_in_the_users_language(clerk, card, attachment_root):
    client = APIClient()
    client.force_authenticate(clerk)
    response = client.post(
        URL,
        {
            "file": files.upload(files.exe_bytes(), "invoice.pdf"),
            "subject": f"asset:{card.tag}",
            "kind": "invoice",
        },
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    message = response.json()["file"][0]
    assert message.startswith("不接受此类文件")
    assert stored_files(attachment_root) == []


def test_a_zip_bomb_docx_is_a_400(clerk, card):
    response = upload_as(
        clerk,
        file=files.upload(files.zip_bomb_docx(), "合同.docx"),
        subject=f"asset:{card.tag}",
        kind="contract",
    )
    assert response.status_code == 400
    assert "压缩炸弹" in response.json()["file"][0]


def test_missing_fields_are_named(clerk):
    response = upload_as(clerk, kind="nonsense")
    assert response.status_code == 400
    assert {"file", "subject", "kind"} <= set(response.json())


def test_withdraw_answers_the_withdrawal_and_a_second_is_409(clerk, card):
    attachment = attach(clerk, card)
    client = APIClient()
    client.force_authenticate(clerk)
    response = client.post(f"{URL}{attachment.pk}/withdraw/", {"reason": "传错了"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["withdrawn"] is True and body["withdrawal_reason"] == "传错了"
    assert body["withdrawn_by"] == "clerk"
    again = client.post(f"{URL}{attachment.pk}/withdraw/", {"reason": "x"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "already_withdrawn"
    # Still listed and still downloadable: withdrawn, not deleted.
    assert client.get(f"{URL}{attachment.pk}/file").status_code == 200


def test_withdraw_without_a_reason_is_a_400(clerk, card):
    attachment = attach(clerk, card)
    client = APIClient()
    client.force_authenticate(clerk)
    response = client.post(f"{URL}{attachment.pk}/withdraw/", {}, format="json")
    assert response.status_code == 400 and "reason" in response.json()


def test_attachments_are_never_changed_or_deleted_through_the_api(clerk, card):
    attachment = attach(clerk, card)
    client = APIClient()
    client.force_authenticate(clerk)
    assert (
        client.patch(f"{URL}{attachment.pk}/", {"kind": "other"}, format="json").status_code == 405
    )
    assert client.delete(f"{URL}{attachment.pk}/").status_code == 405
    assert Attachment.objects.get().kind == "invoice"


def test_the_list_has_a_query_ceiling(clerk, centre, django_assert_max_num_queries):
    client = APIClient()
    client.force_authenticate(clerk)
    for count in (3, 30):
        for index in range(count - Attachment.objects.count()):
            attach(clerk, make_asset(owner=centre), data=files.pdf_bytes(f"n{count}-{index}"))
        with django_assert_max_num_queries(12):
            body = client.get(URL, {"page_size": 100}).json()
        assert len(body["results"]) == count


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_withdrawals_at_once_yield_one(clerk, admin_user, card):
    attachment = attach(clerk, card)
    barrier = threading.Barrier(2)
    outcomes = []

    def withdraw(user):
        try:
            client = APIClient()
            client.force_authenticate(user)
            barrier.wait()
            response = client.post(
                f"{URL}{attachment.pk}/withdraw/", {"reason": user.username}, format="json"
            )
            outcomes.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=withdraw, args=(u,)) for u in (clerk, admin_user)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == [200, 409]
    assert AttachmentWithdrawal.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_same_new_file_uploaded_twice_at_once_is_one_blob(clerk, centre, attachment_root):
    cards = [make_asset(owner=centre) for _ in range(4)]
    data = files.pdf_bytes("concurrent")
    barrier = threading.Barrier(len(cards))
    outcomes = []

    def upload(asset):
        try:
            barrier.wait()
            response = upload_as(
                clerk,
                file=files.upload(data, "同一份.pdf"),
                subject=f"asset:{asset.tag}",
                kind="invoice",
            )
            outcomes.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=upload, args=(asset,)) for asset in cards]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == [201] * len(cards)
    assert Blob.objects.count() == 1 and Attachment.objects.count() == len(cards)
    kept = [f for f in stored_files(attachment_root) if "/tmp/" not in f]
    assert len(kept) == 1
    assert (attachment_root / kept[0]).read_bytes() == data
