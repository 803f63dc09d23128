"""Stocktake differences end in disposal cases (issue 17): a posted shortage joins the
campaign's draft write-off case (损失核销) of its department, damage its scrap case (报废); a
card that cannot join says why on its difference; the closed campaign lists what is still open
and archiving waits for the cases to be executed; the desk opens a case from ticked rows."""

from datetime import date
from types import SimpleNamespace

import pytest
from django.urls import reverse

from assets.disposals import services as disposal_services
from assets.errors import TransitionNotAllowed
from assets.models import ApprovalTier, Asset, DisposalCase
from inventory.models import Difference, StocktakeCampaign
from inventory.services import campaigns, differences, scanning
from tests.factories import UserFactory, make_asset

pytestmark = pytest.mark.django_db


@pytest.fixture
def approver(bureau):
    ApprovalTier.objects.create(up_to=None, approver_role="approver", body="单位负责人")
    return UserFactory(username="approver", department=bureau, roles=["approver"])


@pytest.fixture
def counted(plan, admin_user, clerk, centre, room, pc):
    """A closed count: the PC and a printer missing, a monitor damaged, a server missing whose
    disk (a live component) was found."""
    printer = make_asset(owner=centre, actor=clerk, location=room, name="打印机")
    monitor = make_asset(owner=centre, actor=clerk, location=room, name="显示器")
    server = make_asset(owner=centre, actor=clerk, location=room, name="服务器")
    disk = make_asset(owner=centre, actor=clerk, location=room, name="硬盘", parent=server)
    campaign = campaigns.activate_campaign(campaign=plan(), actor=admin_user)
    scanning.record_scan(campaign=campaign, actor=clerk, code=monitor.tag, damaged=True)
    scanning.record_scan(campaign=campaign, actor=clerk, code=disk.tag)
    campaign = campaigns.close_campaign(campaign=campaign, actor=admin_user)
    campaign.cards = {"pc": pc, "printer": printer, "monitor": monitor, "server": server}
    campaign.disk = disk
    return campaign


def difference_of(campaign, card) -> Difference:
    return Difference.objects.select_related("disposal").get(campaign=campaign, line__asset=card)


def post_all(campaign, clerk, admin_user, cards):
    items = [difference_of(campaign, card) for card in cards]
    for action, actor in (("explain", clerk), ("approve", admin_user), ("post", admin_user)):
        differences.treat_differences(
            differences=items, actor=actor, action=action, reason="盘点未找到"
        )


def test_posting_opens_one_write_off_and_one_scrap_case_and_notes_a_card_that_cannot_join(
    counted, clerk, admin_user
):
    cards = counted.cards
    post_all(counted, clerk, admin_user, cards.values())
    write_off = difference_of(counted, cards["pc"]).disposal
    assert write_off.method == "write_off" and write_off.state == "draft"
    assert set(write_off.items.values_list("asset__tag", flat=True)) == {
        cards["pc"].tag,
        cards["printer"].tag,
    }
    assert difference_of(counted, cards["printer"]).disposal == write_off
    scrap = difference_of(counted, cards["monitor"]).disposal
    assert scrap.method == "scrap"
    assert list(scrap.items.values_list("asset__tag", flat=True)) == [cards["monitor"].tag]
    # The server holds a live disk: it is left out and not posted (walk4-2: it was closed with
    # no case to write the card off); its difference says why, the rest stands.
    host = difference_of(counted, cards["server"])
    assert host.state == "approved" and host.disposal is None and host.posted_at is None
    assert counted.disk.tag in host.disposal_problem and "在用部件" in host.disposal_problem
    assert host.needs_disposal_case


def test_a_later_shortage_joins_the_campaigns_draft_case(counted, clerk, admin_user):
    cards = counted.cards
    post_all(counted, clerk, admin_user, [cards["pc"]])
    first = difference_of(counted, cards["pc"]).disposal
    post_all(counted, clerk, admin_user, [cards["printer"]])
    assert difference_of(counted, cards["printer"]).disposal == first
    assert first.items.count() == 2
    assert DisposalCase.objects.count() == 1


def test_a_card_already_in_an_open_case_follows_that_case(counted, clerk, admin_user):
    printer = counted.cards["printer"]
    case = disposal_services.create_disposal(
        actor=clerk,
        fields={"method": "scrap", "grounds": "obsolete", "reason": "老旧"},
        tags=[printer.tag],
    )
    post_all(counted, clerk, admin_user, [printer])
    assert difference_of(counted, printer).disposal == case


def test_archiving_waits_for_the_cases_to_be_executed(counted, clerk, admin_user, approver, api):
    cards = counted.cards
    # Every difference is posted but the server's, which needs its own case (its disk is
    # listed below) and stays approved until then (walk4-2).
    post_all(counted, clerk, admin_user, cards.values())
    with pytest.raises(TransitionNotAllowed) as refused:
        campaigns.archive_campaign(campaign=counted, actor=admin_user)
    assert refused.value.code == "differences_open"
    assert "还有 1 条差异尚未入账" in str(refused.value.message)
    answer = api.as_user(admin_user).post(f"/api/v1/stocktakes/{counted.pk}/archive/")
    assert answer.status_code == 409
    assert "尚未入账" in str(answer.json())
    host = difference_of(counted, cards["server"])
    differences.open_disposal_case(
        actor=clerk,
        differences=[host],
        fields={"method": "write_off", "grounds": "loss", "reason": "盘亏"},
        tags=[cards["server"].tag, counted.disk.tag],
    )
    for case in DisposalCase.objects.all():
        case = disposal_services.submit_disposal(case=case, actor=clerk)
        case = disposal_services.approve_disposal(
            case=case, actor=approver, approval_no="批〔2026〕3号", approved_on=date.today()
        )
        disposal_services.execute_disposal(case=case, actor=clerk)
    assert Asset.objects.get(pk=cards["pc"].pk).status == Asset.Status.RETIRED
    campaigns.archive_campaign(campaign=counted, actor=admin_user)
    counted.refresh_from_db()
    assert counted.state == StocktakeCampaign.State.ARCHIVED


def test_a_rejected_case_leaves_its_differences_open(counted, clerk, admin_user, approver):
    pc = counted.cards["pc"]
    post_all(counted, clerk, admin_user, [pc])
    case = disposal_services.submit_disposal(case=difference_of(counted, pc).disposal, actor=clerk)
    disposal_services.reject_disposal(case=case, actor=approver, reason="证据不足")
    assert difference_of(counted, pc).needs_disposal_case


def test_the_closed_campaign_lists_the_differences_still_open(client, counted, clerk, admin_user):
    cards = counted.cards
    post_all(counted, clerk, admin_user, [cards["pc"], cards["server"]])
    client.force_login(admin_user)
    page = client.get(reverse("inventory:campaign-detail", args=[counted.pk])).content.decode()
    assert "尚未了结的差异" in page
    case = difference_of(counted, cards["pc"]).disposal
    assert case.number in page and "处置单尚未执行（草稿）" in page
    assert "未进入处置单" in page and counted.disk.tag in page
    host = difference_of(counted, cards["server"])
    detail = reverse("inventory:difference-detail", args=[counted.pk, host.pk])
    assert counted.disk.tag in client.get(detail).content.decode()
    shortage = reverse(
        "inventory:difference-detail", args=[counted.pk, difference_of(counted, cards["pc"]).pk]
    )
    assert case.number in client.get(shortage).content.decode()
    # The monitor, the disk's line and the server (held back: no case could take it).
    assert "还有 3 条差异尚未入账" in page


def test_the_desk_opens_a_case_from_the_ticked_differences(client, counted, clerk, admin_user):
    cards = counted.cards
    post_all(counted, clerk, admin_user, [cards["server"]])
    host = difference_of(counted, cards["server"])
    desk = reverse("inventory:difference-list", args=[counted.pk])
    client.force_login(clerk)
    page = client.get(desk).content.decode()
    assert f'value="{host.pk}"' in page and "用所勾选差异新建处置单" in page
    build = reverse("inventory:difference-case", args=[counted.pk])
    form = client.post(build, {"ids": [host.pk]}).content.decode()
    assert cards["server"].tag in form and 'name="build"' in form
    # Without the disk the service refuses, at the cards, and nothing is created.
    fields = {"ids": [host.pk], "build": "1", "method": "write_off", "grounds": "loss"}
    refused = client.post(build, {**fields, "tags": cards["server"].tag, "components": "refuse"})
    assert refused.status_code == 400
    assert counted.disk.tag in refused.content.decode()
    assert not DisposalCase.objects.exists()
    response = client.post(build, {**fields, "tags": cards["server"].tag, "components": "detach"})
    case = DisposalCase.objects.get()
    assert response.status_code == 302 and case.number in response["Location"]
    host.refresh_from_db()
    assert host.disposal == case and host.disposal_problem == ""
    assert host.state == "posted" and host.posted_by == clerk


def test_a_clerk_of_another_unit_cannot_open_a_case_from_the_desk(
    client, counted, clerk, admin_user, other_clerk
):
    post_all(counted, clerk, admin_user, [counted.cards["server"]])
    host = difference_of(counted, counted.cards["server"])
    client.force_login(other_clerk)
    build = reverse("inventory:difference-case", args=[counted.pk])
    assert client.post(build, {"ids": [host.pk]}).status_code == 404


def test_the_api_names_the_case_of_a_difference(api, counted, clerk, admin_user):
    cards = counted.cards
    post_all(counted, clerk, admin_user, [cards["pc"], cards["server"]])
    rows = api.as_user(admin_user).get(f"/api/v1/stocktakes/{counted.pk}/differences/").json()
    by_tag = {row["tag"]: row for row in rows["results"]}
    assert (
        by_tag[cards["pc"].tag]["disposal"] == difference_of(counted, cards["pc"]).disposal.number
    )
    assert by_tag[cards["server"].tag]["disposal"] is None
    assert counted.disk.tag in by_tag[cards["server"].tag]["disposal_problem"]


def test_why_a_card_joined_no_case_is_said_in_the_readers_language(
    api, client, counted, clerk, admin_user
):
    """Posted by a Chinese-speaking approver, read by an English one (and back): the stored
    reason is a code with its values, not the poster's words."""
    from django.utils import translation

    cards = counted.cards
    with translation.override("zh-hans"):
        post_all(counted, clerk, admin_user, [cards["server"]])
    host = difference_of(counted, cards["server"])
    assert host.disposal_refusals == [
        {
            "code": "live_component",
            "params": {"host": cards["server"].tag, "tag": counted.disk.tag},
        }
    ]
    with translation.override("en"):
        assert "holds the live component" in host.disposal_problem
    with translation.override("zh-hans"):
        assert "在用部件" in host.disposal_problem
    url = f"/api/v1/stocktakes/{counted.pk}/differences/"
    for language, words in (("en", "holds the live component"), ("zh-hans", "在用部件")):
        rows = api.as_user(admin_user).get(url, HTTP_ACCEPT_LANGUAGE=language).json()
        row = {row["tag"]: row for row in rows["results"]}[cards["server"].tag]
        assert words in row["disposal_problem"] and counted.disk.tag in row["disposal_problem"]
        assert row["disposal_problem_codes"] == ["live_component"]
    client.force_login(admin_user)
    for language, words, other in (
        ("en", "holds the live component", "在用部件"),
        ("zh-hans", "在用部件", "holds the live component"),
    ):
        client.cookies["django_language"] = language
        for page in (
            reverse("inventory:difference-list", args=[counted.pk]),
            reverse("inventory:difference-detail", args=[counted.pk, host.pk]),
        ):
            text = client.get(page, HTTP_ACCEPT_LANGUAGE=language).content.decode()
            assert words in text and other not in text, (language, page)


def test_a_whole_case_refusal_is_kept_as_a_code_too(counted, clerk, admin_user):
    """A refusal of the whole case (an error, not a card's line) is stored by its code."""
    from django.core.exceptions import PermissionDenied
    from django.utils import translation

    from assets import refusals
    from assets.errors import TransitionNotAllowed as Refused

    with translation.override("zh-hans"):
        denied = refusals.from_error(PermissionDenied(str(refusals.MESSAGES["not_card_writer"])))
        draft = refusals.from_error(Refused("只能编辑草稿", code="disposal_not_draft"))
        other = refusals.from_error(ValueError("意外"))
    assert denied.code == "not_card_writer" and draft.code == "disposal_not_draft"
    assert other.stored() == {"code": "as_written", "params": {"text": "意外"}}
    with translation.override("en"):
        assert str(denied) == "Your role may not register assets."
        assert refusals.stored_text([other.stored()]) == "意外"


def test_an_unknown_or_broken_refusal_says_what_was_stored():
    from django.core.exceptions import ValidationError as Invalid

    from assets import refusals

    assert refusals.stored_text([{"code": "gone", "params": {"text": "旧文本"}}]) == "旧文本"
    assert refusals.stored_text([{"code": "retired", "params": {}}]) == ""
    taken = Invalid({"items": [Invalid("x", code="disposal_card_taken")]})
    assert refusals.from_error(taken).code == "disposal_card_taken"
    assert refusals.from_error(Invalid("无代码")).stored()["params"] == {"text": "无代码"}


def _office_loss_case(admin_user, bureau) -> SimpleNamespace:
    """The bureau's card used by its office 办公室 (BGS), found missing in the office's closed
    count and posted: the office's clerk, the other office 规划处 (GHC) and its clerk, the card
    and its draft loss case (owned by the bureau)."""
    from tests.factories import DepartmentFactory

    office = DepartmentFactory(code="BGS", name="市数据局办公室", kind="office", parent=bureau)
    other = DepartmentFactory(code="GHC", name="市数据局规划处", kind="office", parent=bureau)
    office_clerk = UserFactory(username="clerk_bgs", department=office, roles=["clerk"])
    other_clerk = UserFactory(username="clerk_ghc", department=other, roles=["clerk"])
    lost = make_asset(owner=bureau, using_department=office, actor=admin_user, name="台式计算机")
    campaign = campaigns.create_campaign(
        actor=admin_user,
        name="办公室盘点",
        year=2025,
        reference_date=date(2025, 12, 31),
        due_on=date(2026, 1, 31),
        departments=[office],
    )
    campaign = campaigns.activate_campaign(campaign=campaign, actor=admin_user)
    campaign = campaigns.close_campaign(campaign=campaign, actor=admin_user)
    post_all(campaign, office_clerk, admin_user, [lost])
    return SimpleNamespace(
        clerk=office_clerk,
        other=other,
        other_clerk=other_clerk,
        card=lost,
        case=difference_of(campaign, lost).disposal,
    )


def test_a_loss_case_of_the_bureau_is_the_counting_offices_to_see_and_carry_on(
    client, admin_user, bureau, approver
):
    """walk2-5: an office's clerk explained the shortage of a card the bureau owns; the posted
    loss case is the bureau's (the owning unit) and the clerk can read, edit and submit it."""
    from assets import permissions

    office_case = _office_loss_case(admin_user, bureau)
    case, office_clerk, other_clerk = office_case.case, office_case.clerk, office_case.other_clerk
    assert case.department == bureau and case.state == "draft"

    assert case in permissions.visible_disposals(office_clerk)
    assert permissions.visible_disposals(office_clerk).filter(pk=case.pk).count() == 1
    assert permissions.can_prepare_disposal(office_clerk, case)
    assert case not in permissions.visible_disposals(other_clerk)
    assert not permissions.can_prepare_disposal(other_clerk, case)
    client.force_login(office_clerk)
    page = client.get(
        reverse("assets:disposal-detail", args=[case.number]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert page.status_code == 200
    listing = client.get(reverse("assets:disposal-list"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert case.number in listing.content.decode()
    client.force_login(other_clerk)
    assert client.get(reverse("assets:disposal-detail", args=[case.number])).status_code == 404
    submitted = disposal_services.submit_disposal(case=case, actor=office_clerk)
    assert submitted.state == "submitted"


def test_a_written_off_card_is_no_longer_suspected_missing(
    client, counted, clerk, admin_user, approver
):
    """walk2-6: the executed loss case clears 疑似盘亏, and the card's history says so."""
    from assets.models import AssetEvent

    pc, monitor = counted.cards["pc"], counted.cards["monitor"]
    assert Asset.objects.get(pk=pc.pk).suspected_shortage
    post_all(counted, clerk, admin_user, [pc, counted.cards["printer"]])
    case = disposal_services.submit_disposal(case=difference_of(counted, pc).disposal, actor=clerk)
    case = disposal_services.approve_disposal(
        case=case, actor=approver, approval_no="批〔2026〕4号", approved_on=date.today()
    )
    disposal_services.execute_disposal(case=case, actor=clerk)
    card = Asset.objects.get(pk=pc.pk)
    assert card.status == Asset.Status.RETIRED and not card.suspected_shortage
    retired = AssetEvent.objects.get(asset=card, kind="retired")
    assert retired.changes["suspected_shortage"] == [True, False]
    assert retired.changes["status"] == ["pending_disposal", "retired"]
    assert not Asset.objects.get(pk=monitor.pk).suspected_shortage  # found, never flagged
    client.force_login(clerk)
    for language, flag in (("zh-hans", "疑似盘亏"), ("en", "suspected shortage")):
        page = client.get(
            reverse("assets:asset-detail", args=[card.tag]), HTTP_ACCEPT_LANGUAGE=language
        )
        assert page.status_code == 200
        html = page.content.decode()
        assert f'badge--danger">{flag}<' not in html  # the header's flag is gone
        if language == "zh-hans":
            assert "疑似盘亏：<del>是</del> → <ins>否</ins>" in html  # and the history says so


def test_a_loss_case_over_two_offices_counts_is_not_one_offices_to_carry_on(
    admin_user, bureau, approver
):
    """A case gathered from two offices' counts holds a card the office clerk may not open:
    they read the case, but only the owning unit's clerks (and admins) submit or execute it."""
    from assets import permissions
    from tests.factories import DepartmentFactory

    office = DepartmentFactory(code="BGS", name="市数据局办公室", kind="office", parent=bureau)
    other = DepartmentFactory(code="GHC", name="市数据局规划处", kind="office", parent=bureau)
    office_clerk = UserFactory(username="clerk_bgs", department=office, roles=["clerk"])
    mine = make_asset(owner=bureau, using_department=office, actor=admin_user, name="台式计算机")
    theirs = make_asset(owner=bureau, using_department=other, actor=admin_user, name="打印机")
    campaign = campaigns.create_campaign(
        actor=admin_user,
        name="数据局盘点",
        year=2025,
        reference_date=date(2025, 12, 31),
        due_on=date(2026, 1, 31),
        departments=[office, other],
    )
    campaign = campaigns.activate_campaign(campaign=campaign, actor=admin_user)
    campaign = campaigns.close_campaign(campaign=campaign, actor=admin_user)
    post_all(campaign, admin_user, admin_user, [mine, theirs])
    case = difference_of(campaign, mine).disposal
    assert case == difference_of(campaign, theirs).disposal
    assert case in permissions.visible_disposals(office_clerk)
    assert not permissions.can_prepare_disposal(office_clerk, case)
    assert permissions.can_prepare_disposal(admin_user, case)


def test_a_loss_case_of_a_card_moved_since_the_count_is_not_the_old_offices_to_submit(
    client, admin_user, bureau, approver
):
    """walk5-1: the office counted the shortage; the card then went to another office of the
    unit. The old office's clerk may no longer submit the case (403 on the page, refused by the
    service); the owning unit's clerks and admins carry it on."""
    from django.core.exceptions import PermissionDenied

    from assets import permissions
    from assets import services as asset_services

    office_case = _office_loss_case(admin_user, bureau)
    case, office_clerk = office_case.case, office_case.clerk
    bureau_clerk = UserFactory(username="clerk_sjj", department=bureau, roles=["clerk"])
    assert permissions.can_prepare_disposal(office_clerk, case)

    asset_services.update_asset(
        asset=Asset.objects.get(pk=office_case.card.pk),
        actor=admin_user,
        fields={"using_department": office_case.other},
    )
    assert not permissions.can_prepare_disposal(office_clerk, case)
    assert permissions.can_prepare_disposal(bureau_clerk, case)
    with pytest.raises(PermissionDenied):
        disposal_services.submit_disposal(case=case, actor=office_clerk)
    client.force_login(office_clerk)
    edit = client.get(reverse("assets:disposal-edit", args=[case.number]))
    assert edit.status_code in (403, 404)
    submitted = disposal_services.submit_disposal(case=case, actor=bureau_clerk)
    assert submitted.state == "submitted"
