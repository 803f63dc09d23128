"""The reconciliation pages: upload with the saved mapping, the result, explain/approve/post."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assets.models import Reconciliation, ReconciliationDifference
from assets.reconciliations import services
from tests.assets.reconciliations.conftest import HEADERS, finance_rows, xlsx_bytes

pytestmark = pytest.mark.django_db


def test_upload_page_shows_the_saved_mapping(client, clerk, admin_user):
    services.save_mapping(actor=admin_user, headers={"tag": "卡片编号"})
    client.force_login(clerk)
    page = client.get(reverse("assets:reconciliation-upload"))
    assert page.status_code == 200
    assert 'value="卡片编号"' in page.content.decode()
    assert "remember_mapping" not in page.content.decode()  # only admins save a mapping


def test_upload_reconciles_and_shows_the_result(client, clerk, register):
    client.force_login(clerk)
    data = xlsx_bytes(finance_rows(register, value="55000.00"))
    response = client.post(
        reverse("assets:reconciliation-upload"),
        {"file": SimpleUploadedFile("财务卡片.xlsx", data)},
        follow=True,
    )
    assert response.status_code == 200
    rec = Reconciliation.objects.get()
    html = response.content.decode()
    assert f"#{rec.pk}" in html
    result = client.get(
        reverse("assets:reconciliation-detail", args=[rec.pk]), {"result": "value_differs"}
    )
    assert "¥55,000.00" in result.content.decode()
    assert "¥56,000.00" in result.content.decode()


def test_a_bad_file_is_answered_on_the_page(client, clerk, register):
    client.force_login(clerk)
    rows = finance_rows(register)
    rows.append(list(rows[0]))
    response = client.post(
        reverse("assets:reconciliation-upload"),
        {"file": SimpleUploadedFile("f.xlsx", xlsx_bytes(rows))},
    )
    assert response.status_code == 400
    assert 'id="row-errors"' in response.content.decode()
    assert Reconciliation.objects.count() == 0


def test_explain_approve_post_on_the_difference_page(client, clerk, admin_user, register):
    rec = services.create_reconciliation(
        actor=clerk, data=xlsx_bytes(finance_rows(register, value="55000.00")), name="f.xlsx"
    )
    difference = rec.differences.get(kind="value_differs")
    url = reverse("assets:reconciliation-difference", args=[difference.pk])
    client.force_login(clerk)
    client.post(url, {"step": "explain", "reason": "决算调整", "treatment": "card"})
    client.force_login(admin_user)
    client.post(url, {"step": "approve"})
    page = client.get(url).content.decode()
    assert "data-confirm" in page and "¥55,000.00" in page
    client.post(url, {"step": "post"})
    difference.refresh_from_db()
    assert difference.state == ReconciliationDifference.State.POSTED
    register["tag"].refresh_from_db()
    assert str(register["tag"].original_value) == "55000.00"


def test_auditor_reads_but_gets_no_forms(client, auditor, clerk, register):
    rec = services.create_reconciliation(
        actor=clerk, data=xlsx_bytes(finance_rows(register)), name="f.xlsx"
    )
    client.force_login(auditor)
    assert client.get(reverse("assets:reconciliation-detail", args=[rec.pk])).status_code == 200
    difference = rec.differences.first()
    page = client.get(reverse("assets:reconciliation-difference", args=[difference.pk]))
    assert 'id="explain-form"' not in page.content.decode()
    assert (
        'id="reconcile-form"'
        not in client.get(reverse("assets:reconciliation-upload")).content.decode()
    )


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("zh-hans", "已忽略：列 备注、使用人 未对应任何字段"),
        ("en", "Ignored: the columns 备注, 使用人 map to no field"),
    ],
)
def test_the_result_names_the_columns_no_field_reads(client, clerk, register, language, words):
    """Issue 14: a finance column mapped to no field was dropped without a word."""
    headers = [*HEADERS, "备注", "使用人"]
    rows = [[*row, "待核", "张三"] for row in finance_rows(register)]
    client.force_login(clerk)
    response = client.post(
        reverse("assets:reconciliation-upload"),
        {"file": SimpleUploadedFile("财务卡片.xlsx", xlsx_bytes(rows, headers=headers))},
        HTTP_ACCEPT_LANGUAGE=language,
        follow=True,
    )
    assert response.status_code == 200
    assert Reconciliation.objects.get().ignored_columns == ["备注", "使用人"]
    assert words in response.content.decode()


def test_a_file_whose_columns_all_map_warns_of_nothing(client, clerk, register):
    client.force_login(clerk)
    response = client.post(
        reverse("assets:reconciliation-upload"),
        {"file": SimpleUploadedFile("f.xlsx", xlsx_bytes(finance_rows(register)))},
        follow=True,
    )
    assert 'id="ignored-columns"' not in response.content.decode()


@pytest.mark.parametrize(
    "language, approve, post",
    [
        (
            "zh-hans",
            "审批通过对 {card} 的处理方式“更正资产卡片”？",
            "确认入账？资产卡片 {card} 将按财务数据更正：",
        ),
        (
            "en",
            "Approve the treatment “Correct the card” for {card}?",
            "Post? Card {card} is corrected with the finance values: ",
        ),
    ],
)
def test_the_approve_and_post_confirmations_say_what_changes(
    client, clerk, admin_user, register, language, approve, post
):
    """Walk 4 finding 7: "Approve this treatment?" and "the card is corrected, this cannot be
    undone" named neither the treatment, the card nor the values posting writes."""
    from django.utils import translation

    from assets.history import field_label

    rec = services.create_reconciliation(
        actor=clerk, data=xlsx_bytes(finance_rows(register, value="55000.00")), name="f.xlsx"
    )
    difference = rec.differences.get(kind="value_differs")
    url = reverse("assets:reconciliation-difference", args=[difference.pk])
    client.force_login(clerk)
    client.post(url, {"step": "explain", "reason": "决算调整", "treatment": "card"})
    client.force_login(admin_user)
    card = f"{register['tag'].tag} {register['tag'].name}"
    with translation.override(language):
        label = field_label("original_value")
    page = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f'data-confirm="{approve.format(card=card)}"' in page
    client.post(url, {"step": "approve"})
    page = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    confirm = page.split('id="post" data-confirm="')[1].split('"')[0]
    assert confirm.startswith(post.format(card=card)), confirm
    assert f"{label} ¥56,000.00 → ¥55,000.00" in confirm and "— → 2024-01-05" in confirm
    assert f"{label}" in page.split('id="card-changes"')[1].split("</ul>")[0]
