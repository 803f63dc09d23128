"""Internal transfers (单位内部调拨) on the new-handover page offer only departments someone could
decide (`permissions.handover_deciders`), list the sender's cards to tick with select-all, and
say "show the cards to transfer", not the project's assets. The one selector of deciders serves
the submission's refusal too; the submission asks `Handover.is_internal_transfer`, so a free
transfer opened by a disposal case is not refused for want of a receiver of the sender's unit.
The demo has receivers for its internal transfers."""

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assets import permissions
from assets.disposals import services as ds
from assets.handovers import services as hs
from assets.handovers import views
from assets.models import Asset, Department, Handover, User
from tests.factories import DepartmentFactory, UserFactory, make_asset, make_project

pytestmark = pytest.mark.django_db
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
NEW = reverse("assets:handover-create")


@pytest.fixture
def office(bureau):
    return DepartmentFactory(code="BUREAU-OFF", name="市数据局办公室", kind="office", parent=bureau)


@pytest.fixture
def ops(bureau):
    """An office of the unit nobody could decide a handover to."""
    return DepartmentFactory(code="BUREAU-OPS", name="运维科", kind="office", parent=bureau)


@pytest.fixture
def office_receiver(office):
    return UserFactory(username="offreceiver", department=office, roles=["receiver"])


def signed_in(user):
    browser = Client()
    browser.force_login(user)
    return browser


def test_handover_deciders_takes_one_department_or_several(bureau, office, ops, office_receiver):
    chief = UserFactory(username="chief", department=bureau, roles=["receiver"])
    assert set(permissions.handover_deciders(ops)) == {chief}
    assert set(permissions.handover_deciders([office, ops])) == {chief, office_receiver}
    chief.groups.clear()
    assert not permissions.handover_deciders(ops).exists()
    assert permissions.handover_decidable_ids([office, ops, bureau]) == {office.pk}


def test_only_departments_someone_can_decide_are_offered_and_the_others_named(
    clerk, office, ops, office_receiver
):
    page = signed_in(clerk).get(NEW, {"project": "internal"}, **ZH)
    offered = list(page.context["form"].fields["to_department"].queryset)
    assert offered == [office]
    body = page.content.decode()
    assert "无人能够接收，因此未列出：市数据局、运维科；" in body
    english = signed_in(clerk).get(NEW, {"project": "internal"}, **EN).content.decode()
    assert "Not offered, because nobody there could accept" in english and "运维科" in english


def test_a_receiver_above_makes_every_office_below_decidable(clerk, bureau, office, ops):
    UserFactory(username="chief", department=bureau, roles=["receiver"])
    page = signed_in(clerk).get(NEW, {"project": "internal"}, **ZH)
    offered = set(page.context["form"].fields["to_department"].queryset)
    assert {office, ops, bureau} <= offered
    assert "因此未列出" not in page.content.decode()


def test_step_two_lists_the_senders_cards_to_tick_with_select_all(
    clerk, centre, other_bureau, office, office_receiver
):
    mine = [make_asset(owner=centre, actor=clerk, name=f"备用交换机{i}") for i in range(2)]
    retired = make_asset(owner=centre, actor=clerk, name="旧交换机")
    unconfirmed = make_asset(owner=centre, actor=clerk, name="待确权交换机")
    Asset.objects.filter(pk=retired.pk).update(
        status=Asset.Status.RETIRED, retired_at=timezone.now(), retire_reason="报废"
    )
    Asset.objects.filter(pk=unconfirmed.pk).update(ownership_confirmed=False)
    project = make_project(builder=centre, owner=other_bureau)
    with_builder = make_asset(owner=centre, actor=clerk, name="代建服务器", project=project)
    elsewhere = make_asset(owner=other_bureau, name="卫健委电脑")
    busy = make_asset(owner=centre, actor=clerk, name="已在移交单中")
    hs.create_handover(actor=clerk, project=None, assets=[busy], to_department=office)

    page = signed_in(clerk).get(NEW, {"project": "internal"}, **ZH)
    body = page.content.decode()
    listed = [a.tag for a in page.context["form"].eligible]
    assert listed == sorted(a.tag for a in mine)
    for card in (retired, unconfirmed, with_builder, elsewhere, busy):
        assert card.tag not in listed
    assert "data-select-all" in body and "data-select-table" in body
    for card in mine:
        assert f'name="assets" value="{card.tag}"' in body
    assert "本部门可调拨的资产" in body


def test_the_button_says_what_it_shows(clerk, centre, other_bureau):
    make_project(builder=centre, owner=other_bureau)
    browser = signed_in(clerk)
    internal = browser.get(NEW, {"project": "internal"}, **ZH).content.decode()
    assert "显示可调拨的资产" in internal and "显示项目资产" not in internal
    start = browser.get(NEW, **ZH).content.decode()
    assert "显示项目资产" in start and "显示可调拨的资产" not in start
    english = browser.get(NEW, {"project": "internal"}, **EN).content.decode()
    assert "Show the cards to transfer" in english and "Show its assets" not in english


def test_a_search_narrows_the_list_and_a_long_list_says_it_is_cut(
    clerk, centre, office, office_receiver, monkeypatch
):
    monkeypatch.setattr(views, "SHOWN_CARDS", 2)
    cards = [make_asset(owner=centre, actor=clerk, name=f"备用交换机{i}") for i in range(3)]
    laptop = make_asset(owner=centre, actor=clerk, name="笔记本电脑")
    browser = signed_in(clerk)
    page = browser.get(NEW, {"project": "internal"}, **ZH)
    assert len(page.context["form"].eligible) == 2
    assert "本部门共有 4 项可调拨的资产，此处列出 2 项" in page.content.decode()
    found = browser.get(NEW, {"project": "internal", "q": "笔记本"}, **ZH)
    assert [a.tag for a in found.context["form"].eligible] == [laptop.tag]
    assert "data-cards-shown" not in found.content.decode()
    none = browser.get(NEW, {"project": "internal", "q": "打印机"}, **ZH).content.decode()
    assert "没有符合查找条件的可调拨资产。" in none
    assert cards


def test_ticked_cards_make_the_internal_transfer(clerk, centre, office, office_receiver):
    cards = [make_asset(owner=centre, actor=clerk, name=f"备用交换机{i}") for i in range(3)]
    answer = signed_in(clerk).post(
        NEW,
        {
            "internal": "True",
            "assets": [cards[0].tag, cards[2].tag],
            "to_department": office.code,
        },
        **ZH,
    )
    handover = Handover.objects.get()
    assert answer.status_code == 302 and answer.url.endswith(f"/handovers/{handover.number}/")
    assert handover.project is None and handover.to_department == office
    tags = set(handover.items.values_list("asset__tag", flat=True))
    assert tags == {cards[0].tag, cards[2].tag}


def test_a_department_nobody_could_decide_cannot_be_posted(clerk, centre, ops, office_receiver):
    card = make_asset(owner=centre, actor=clerk)
    answer = signed_in(clerk).post(
        NEW, {"internal": "True", "assets": [card.tag], "to_department": ops.code}, **ZH
    )
    assert answer.status_code == 400 and not Handover.objects.exists()


def test_a_free_transfer_opened_by_a_disposal_case_is_no_internal_transfer_at_submission(
    clerk, centre, other_bureau, bureau
):
    """Nobody of the sender's unit nor of the receiving bureau is a receiver: an internal
    transfer would be refused at submission; a free transfer of an approved case is not (its
    receiving unit was named by the case; `Handover.is_internal_transfer`)."""
    ds.save_tier(
        actor=None, fields={"up_to": None, "approver_role": "approver", "body": "单位负责人"}
    )
    approver = UserFactory(username="approver", department=bureau, roles=["approver"])
    cards = [make_asset(owner=centre, in_service_on=date(2020, 1, 1)) for _ in range(2)]
    case = ds.create_disposal(
        actor=clerk,
        fields={"method": "transfer", "grounds": "reorganisation", "to_department": other_bureau},
        tags=[c.tag for c in cards],
    )
    ds.submit_disposal(case=case, actor=clerk)
    ds.approve_disposal(case=case, actor=approver, approval_no="划转批复", approved_on=date.today())
    handover = ds.execute_disposal(case=case, actor=clerk).handover
    # The same handover as a draft, as if it had been prepared before it was sent.
    Handover.objects.filter(pk=handover.pk).update(
        state=Handover.State.DRAFT, submitted_at=None, submitted_by=None
    )
    handover = Handover.objects.get(pk=handover.pk)
    assert not handover.is_internal_transfer
    assert not permissions.handover_deciders(other_bureau).exists()
    handover = hs.submit_handover(handover=handover, actor=clerk)
    assert handover.state == Handover.State.SUBMITTED


def test_the_demo_internal_transfer_goes_through_end_to_end():
    call_command("seed_demo", stdout=io.StringIO())
    clerk = User.objects.get(username="clerk")
    ops = Department.objects.get(code="DSJZX-YWB")
    page = signed_in(clerk).get(NEW, {"project": "internal"}, **ZH)
    form = page.context["form"]
    offered = {d.code for d in form.fields["to_department"].queryset}
    assert {"DSJZX-YWB", "SJJ-BGS"} <= offered
    cards = form.eligible[:2]
    assert len(cards) == 2
    handover = hs.create_handover(actor=clerk, project=None, assets=cards, to_department=ops)
    hs.submit_handover(handover=handover, actor=clerk)
    receiver = User.objects.get(username="receiver_ywb")
    assert handover.pk in {
        h.pk for h in permissions.decidable_handovers(receiver, Handover.objects)
    }
    hs.decide_handover(
        handover=handover,
        actor=receiver,
        decisions=[hs.ItemDecision(tag=card.tag, result="accepted") for card in cards],
    )
    assert {Asset.objects.get(pk=c.pk).owner_department for c in cards} == {ops}
    assert User.objects.get(username="receiver_bgs").department.code == "SJJ-BGS"


def test_the_receiver_gives_accepted_cards_a_using_department(clerk, centre, office, bureau):
    receiver = UserFactory(username="offreceiver", department=office, roles=["receiver"])
    sub = DepartmentFactory(code="BUREAU-OFF-1", name="文秘组", kind="office", parent=office)
    cards = [make_asset(owner=centre, actor=clerk, name=f"备用交换机{i}") for i in range(2)]
    handover = hs.create_handover(actor=clerk, project=None, assets=cards, to_department=office)
    hs.submit_handover(handover=handover, actor=clerk)
    review = reverse("assets:handover-review", args=[handover.number])
    browser = signed_in(receiver)
    page = browser.get(review, **ZH).content.decode()
    # The page names the method (no project to name) and offers the receiving tree only.
    assert ">单位内部调拨 · 市大数据中心 → 市数据局办公室<" in page
    assert f'<option value="{sub.code}"' in page and f'<option value="{bureau.code}"' not in page
    data = {f"result-{card.tag}": "accepted" for card in cards}
    refused = browser.post(review, {**data, f"using-{cards[0].tag}": bureau.code}, **ZH)
    assert refused.status_code == 400 and "未知使用部门“BUREAU”。" in refused.content.decode()
    answer = browser.post(review, {**data, f"using-{cards[0].tag}": sub.code}, **ZH)
    assert answer.status_code == 302
    first, second = (Asset.objects.get(pk=card.pk) for card in cards)
    assert first.owner_department == second.owner_department == office
    assert first.using_department == sub and second.using_department == cards[1].using_department
