"""Second walk, internal transfers (单位内部调拨) and decisions: an internal transfer is shown
as one, not as a free transfer from a builder (3); one nobody could decide is refused at
submission, naming who could receive (4); the start page (7); the refusal to another unit
names no code (17); the decision answer for all-accepted / all-rejected / mixed (23); a
multi-line reject reason keeps its lines (24)."""

import subprocess

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from assets.handovers import services as hs
from labels import pdf
from tests.factories import DepartmentFactory, UserFactory, make_asset

pytestmark = pytest.mark.django_db
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def office(bureau):
    return DepartmentFactory(code="BUREAU-OFF", name="市数据局办公室", kind="office", parent=bureau)


@pytest.fixture
def ops(bureau):
    return DepartmentFactory(code="BUREAU-OPS", name="运维科", kind="office", parent=bureau)


@pytest.fixture
def ops_receiver(ops):
    return UserFactory(
        username="opsreceiver", display_name="周运维", department=ops, roles=["receiver"]
    )


@pytest.fixture
def office_receiver(office):
    return UserFactory(username="offreceiver", department=office, roles=["receiver"])


def signed_in(user):
    browser = Client()
    browser.force_login(user)
    return browser


def internal(clerk, to, count=1):
    cards = [make_asset(owner=clerk.department, name=f"交换机{i}") for i in range(count)]
    return hs.create_handover(actor=clerk, project=None, assets=cards, to_department=to)


# ----------------------------------------------------------------------------------- 3
def test_an_internal_transfer_is_shown_as_one(clerk, office, office_receiver):
    handover = internal(clerk, office)
    browser = signed_in(clerk)
    body = browser.get(reverse("assets:handover-detail", args=[handover.number]), **ZH)
    body = body.content.decode()
    assert "单位内部调拨" in body and "无偿划转" not in body
    assert "代建单位" not in body and "<dt>移交方</dt>" in body
    english = browser.get(reverse("assets:handover-detail", args=[handover.number]), **EN)
    english = english.content.decode()
    assert "Internal transfer within the unit" in english
    assert "Free transfer" not in english and "builder" not in english
    listed = browser.get(reverse("assets:handover-list"), **ZH).content.decode()
    assert "单位内部调拨" in listed and "无偿划转" not in listed
    # walk5-4: the list holds internal transfers too, so it is not headed 代建资产移交.
    assert "<h1>资产移交与内部调拨</h1>" in listed and "代建资产移交" not in listed
    english = browser.get(reverse("assets:handover-list"), **EN).content.decode()
    assert "<h1>Handovers and internal transfers</h1>" in english


def test_the_receiver_inbox_and_certificate_say_internal_transfer(clerk, office, office_receiver):
    handover = internal(clerk, office)
    hs.submit_handover(handover=handover, actor=clerk)
    inbox = signed_in(office_receiver).get(reverse("assets:handover-inbox"), **ZH)
    assert handover.number in inbox.content.decode()
    assert "单位内部调拨" in inbox.content.decode()
    tag = handover.items.get().asset.tag
    with translation.override("zh-hans"):
        handover = hs.decide_handover(
            handover=handover,
            actor=office_receiver,
            decisions=[hs.ItemDecision(tag=tag, result="accepted")],
        )
    reader = PdfReader(str(hs.certificate_path(handover)))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "单位内部调拨资产移交单" in text and "划转移交单" not in text
    assert "移交方" in text and "划出方" not in text and "代建单位" not in text


# ----------------------------------------------------------------------------------- 4
def test_an_internal_transfer_nobody_could_decide_is_refused_at_submission(
    clerk, office, ops_receiver
):
    handover = internal(clerk, office)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        hs.submit_handover(handover=handover, actor=clerk)
    message = " ".join(refused.value.message_dict["to_department"])
    assert "市数据局办公室没有接收人" in message
    assert "运维科（周运维）" in message
    handover.refresh_from_db()
    assert handover.state == "draft"


def test_the_submit_button_answers_with_the_refusal(clerk, office):
    handover = internal(clerk, office)
    browser = signed_in(clerk)
    answer = browser.post(
        reverse("assets:handover-submit", args=[handover.number]), follow=True, **ZH
    )
    body = answer.content.decode()
    assert "无人能够决定接收该移交单：市数据局办公室没有接收人" in body
    assert "本单位其他部门也没有" in body


def test_a_receiver_above_the_office_finds_it_in_the_inbox(clerk, office, bureau):
    chief = UserFactory(username="bureaureceiver", department=bureau, roles=["receiver"])
    handover = internal(clerk, office)
    hs.submit_handover(handover=handover, actor=clerk)
    inbox = signed_in(chief).get(reverse("assets:handover-inbox"), **ZH)
    assert handover.number in inbox.content.decode()


# ----------------------------------------------------------------------------------- 7
def test_the_internal_transfer_start_page_shows_no_false_error(
    clerk, office, office_receiver, other_bureau
):
    browser = signed_in(clerk)
    page = browser.get(reverse("assets:handover-create"), {"project": "internal"}, **ZH)
    body = page.content.decode()
    assert "您可移交的项目中没有这个编号。" not in body
    assert "data-internal-transfer" in body
    form = page.context["form"]
    offered = list(form.fields["to_department"].queryset)
    assert office in offered
    assert other_bureau not in offered and clerk.department not in offered
    assert "请选择接收部门" in body and "项目权属单位" not in body
    english = browser.get(reverse("assets:handover-create"), {"project": "internal"}, **EN)
    assert "No project of yours has this code." not in english.content.decode()


# ---------------------------------------------------------------------------------- 17
def test_the_refusal_to_another_unit_names_no_code(clerk, other_bureau):
    card = make_asset(owner=clerk.department)
    for language, words in (("zh-hans", "处置方式为“无偿划转”的"), ("en", "“Free transfer”")):
        with translation.override(language), pytest.raises(ValidationError) as refused:
            hs.create_handover(actor=clerk, project=None, assets=[card], to_department=other_bureau)
        message = " ".join(refused.value.message_dict["to_department"])
        assert words in message and "“transfer”" not in message
        assert "（transfer）" not in message


# ------------------------------------------------------------------------------ 23 and 24
@pytest.fixture
def two_cards_submitted(clerk, office, office_receiver):
    handover = internal(clerk, office, count=2)
    hs.submit_handover(handover=handover, actor=clerk)
    return handover


def decide(receiver, handover, results, reason="序列号与合同不符\r\n第二行", language="zh-hans"):
    tags = list(handover.items.order_by("asset__tag").values_list("asset__tag", flat=True))
    data = {}
    for tag, result in zip(tags, results, strict=True):
        data[f"result-{tag}"] = result
        if result == "rejected":
            data[f"reason-{tag}"] = reason
    answer = signed_in(receiver).post(
        reverse("assets:handover-review", args=[handover.number]),
        data,
        follow=True,
        HTTP_ACCEPT_LANGUAGE=language,
    )
    return answer.content.decode()


def test_all_accepted_says_no_zero_rejections(two_cards_submitted, office_receiver):
    body = decide(office_receiver, two_cards_submitted, ["accepted", "accepted"])
    assert "2 项资产全部接收，权属已转移给市数据局办公室" in body
    assert "拒收 0 项" not in body and "拒收的资产仍归" not in body


def test_all_accepted_in_english(two_cards_submitted, office_receiver):
    body = decide(office_receiver, two_cards_submitted, ["accepted", "accepted"], language="en")
    assert "all 2 items are accepted" in body and "0 rejected" not in body


def test_all_rejected_and_mixed_keep_their_wording(clerk, office, office_receiver):
    rejected = internal(clerk, office, count=2)
    hs.submit_handover(handover=rejected, actor=clerk)
    body = decide(office_receiver, rejected, ["rejected", "rejected"])
    assert "全部拒收，所有资产仍归市大数据中心" in body
    mixed = internal(clerk, office, count=2)
    hs.submit_handover(handover=mixed, actor=clerk)
    body = decide(office_receiver, mixed, ["accepted", "rejected"])
    assert "接收 1 项，拒收 1 项" in body and "拒收的资产仍归市大数据中心" in body


def laid_out_lines(handover) -> list[str]:
    """The certificate's text as poppler lays it out, one printed line per line."""
    path = str(hs.certificate_path(handover))
    out = subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True, check=True)
    return out.stdout.decode().splitlines()


def test_a_two_line_reason_keeps_its_line_break(two_cards_submitted, office_receiver):
    decide(office_receiver, two_cards_submitted, ["accepted", "rejected"])
    handover = two_cards_submitted
    handover.refresh_from_db()
    page = signed_in(office_receiver).get(
        reverse("assets:handover-detail", args=[handover.number]), **ZH
    )
    assert "序列号与合同不符<br>第二行" in page.content.decode()
    lines = laid_out_lines(handover)
    first = next(line for line in lines if "序列号与合同不符" in line)
    assert "第二行" not in first and any("第二行" in line for line in lines)


def test_a_reason_cell_stays_plain_text():
    table = pdf.make_table(
        ["#", "原因"], [["1", "<b>坏</b>\x07  很\r\n\n第二行"]], lines_columns=[1]
    )
    assert table.rows[0][1] == "<b>坏</b> 很\n第二行"
    folded = pdf.make_table(["#", "原因"], [["1", "坏\n第二行"]])
    assert folded.rows[0][1] == "坏 第二行"
