"""Fourth new-user walk (issue 14), the stocktake findings fixed on branch walk4b."""

import pytest
from django.urls import reverse

from assets.errors import DomainError
from inventory.models import StocktakeCampaign
from inventory.services import differences
from tests.inventory import test_difference_disposal as disposal_tests

counted = disposal_tests.counted  # the closed count with a missing host (a pytest fixture)
difference_of = disposal_tests.difference_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("zh-hans", "年度 2031 与清查基准日 2026-12-31 不符：清查基准日应在盘点年度之内。"),
        (
            "en",
            "The year 2031 does not match the reference date 2026-12-31: the reference date "
            "falls in the campaign&#x27;s year.",
        ),
    ],
)
def test_walk4_8_a_year_that_contradicts_the_reference_date_is_refused_on_the_year(
    client, clerk, centre, language, message
):
    client.force_login(clerk)
    response = client.post(
        reverse("inventory:campaign-create"),
        {
            "name": "年度清查",
            "year": 2031,
            "reference_date": "2026-12-31",
            "due_on": "2027-01-31",
            "departments": [centre.pk],
        },
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 200
    assert response.context["form"].errors["year"] == [message.replace("&#x27;", "'")]
    assert message in response.content.decode()
    assert not StocktakeCampaign.objects.filter(name="年度清查").exists()


def test_walk4_8_the_api_refuses_a_year_that_contradicts_the_reference_date(admin_user, centre):
    from datetime import date

    from django.core.exceptions import ValidationError

    from inventory.services import campaigns

    with pytest.raises(ValidationError) as refused:
        campaigns.create_campaign(
            actor=admin_user,
            name="年度清查",
            year=2031,
            reference_date=date(2026, 12, 31),
            due_on=date(2027, 1, 31),
            departments=[centre],
        )
    assert set(refused.value.message_dict) == {"year"}


def test_walk4_12_the_scan_box_refuses_a_label_address_of_another_site(api, clerk, active, pc):
    """https://example.com/a/{TAG}?l=1 was taken as the card's label and counted it."""
    api.as_user(clerk)
    response = api.post(
        f"/api/v1/stocktakes/{active.pk}/scans/",
        {"code": f"https://example.com/a/{pc.tag}?l=1"},
        format="json",
    )
    assert response.status_code == 400
    message = response.json()["code"][0]
    assert message.startswith("扫描到的地址属于其他网站（example.com），不是本系统（")
    assert not active.scans.exists()
    assert active.lines.get().result == "pending"


def test_walk4_2_bulk_posting_leaves_a_host_that_can_join_no_case_approved_and_says_so(
    client, counted, clerk, admin_user
):
    """Three approved shortages ticked and posted: the host with a live component (the disk,
    found on its own) joined no case but was closed as posted, and the message said "3"."""
    from inventory.models import Difference

    cards = counted.cards
    items = [difference_of(counted, cards[name]) for name in ("pc", "printer", "server")]
    for action, actor in (("explain", clerk), ("approve", admin_user)):
        differences.treat_differences(
            differences=items, actor=actor, action=action, reason="盘点未找到"
        )
    client.force_login(admin_user)
    response = client.post(
        reverse("inventory:difference-bulk", args=[counted.pk]),
        {"action": "post", "ids": [d.pk for d in items], "next": "?state=approved"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
        follow=True,
    )
    texts = [str(m) for m in response.context["messages"]]
    assert "已入账 2 条差异。" in texts
    [left_out] = [t for t in texts if t.startswith(cards["server"].tag)]
    assert left_out.startswith(f"{cards['server'].tag} 未入账：")
    assert counted.disk.tag in left_out and "在用部件" in left_out
    host = difference_of(counted, cards["server"])
    assert host.state == Difference.State.APPROVED and host.needs_disposal_case
    # Posting it alone is refused the same way (one rule), and changes nothing.
    with pytest.raises(DomainError) as refused:
        differences.post_difference(difference=host, actor=admin_user)
    assert refused.value.code == "difference_not_disposable"
    assert difference_of(counted, cards["server"]).state == Difference.State.APPROVED


def test_walk4_2_the_bulk_dialogs_total_uses_the_cards_current_value(
    client, counted, clerk, admin_user
):
    from decimal import Decimal

    from assets.models import Asset

    pc = counted.cards["pc"]
    Asset.objects.filter(pk=pc.pk).update(original_value=Decimal("4321.50"))
    client.force_login(admin_user)
    page = client.get(reverse("inventory:difference-list", args=[counted.pk])).content.decode()
    row = difference_of(counted, pc)
    checkbox = page.split(f'id="d-{row.pk}"')[1].split(">")[0]
    assert f'data-card="{pc.pk}" data-value="4321.50"' in checkbox


def test_walk4_6_scanning_a_card_recorded_missing_says_so_and_whom_to_tell(
    api, plan, pc, clerk, admin_user, centre
):
    """It answered just "counted" for a card the last count had recorded missing (疑似盘亏)."""
    from inventory.services import campaigns

    first = campaigns.activate_campaign(campaign=plan(), actor=admin_user)
    campaigns.close_campaign(campaign=first, actor=admin_user)
    pc.refresh_from_db()
    assert pc.suspected_shortage
    again = campaigns.activate_campaign(campaign=plan(name="2025年度复盘"), actor=admin_user)
    api.as_user(clerk)
    data = api.post(
        f"/api/v1/stocktakes/{again.pk}/scans/",
        {"code": pc.tag},
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    ).json()
    assert data["answer"] == "found" and data["reason"] == "recorded_missing"
    assert data["message"].endswith(
        f"{pc.tag} 曾在以往盘点中记为盘亏（疑似盘亏）：请告知{centre.name}的资产管理员。"
    )


def test_walk4_6_a_holder_confirming_a_card_recorded_missing_is_told_and_the_desk_shows_it(
    client, plan, pc, admin_user, centre
):
    """The holder confirmed a 疑似盘亏 card with no warning ("已为 2026 年度清查确认 2 项资产")
    and nothing told the clerk."""
    from assets.models import Asset
    from inventory.services import campaigns
    from tests.factories import UserFactory

    staff = UserFactory(username="staff_walk4", department=centre, roles=[])
    Asset.objects.filter(pk=pc.pk).update(custodian_user=staff)
    first = campaigns.activate_campaign(campaign=plan(), actor=admin_user)
    closed = campaigns.close_campaign(campaign=first, actor=admin_user)
    client.force_login(staff)
    mine = client.get(reverse("assets:my-assets"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "data-recorded-missing" in mine.content.decode()
    assert f"盘点时未找到此资产。如您持有，请在上方确认：{centre.name}的资产管理员" in (
        mine.content.decode()
    )
    answer = client.post(
        reverse("assets:my-assets-confirm-all"), HTTP_ACCEPT_LANGUAGE="zh-hans", follow=True
    )
    texts = [str(m) for m in answer.context["messages"]]
    assert (
        f"{pc.tag} 在盘点中记为盘亏：{centre.name}的资产管理员将在差异清单中看到您的确认并核实。"
        in (texts)
    )
    client.force_login(admin_user)
    desk = client.get(
        reverse("inventory:difference-list", args=[closed.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "持有人确认仍持有" in desk and "staff_walk4 于 " in desk
