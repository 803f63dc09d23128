"""14.13: scan answers that said the wrong thing. Each case gets its own answer, and the API
keeps its outcome words (a `reason` refines them)."""

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from inventory.services import campaigns, scanning
from labels import qr
from labels import services as label_services
from labels.models import Label, LabelTemplate
from tests.factories import make_asset, retire_directly

pytestmark = pytest.mark.django_db


def _scan_url(campaign) -> str:
    return f"/api/v1/stocktakes/{campaign.pk}/scans/"


def test_free_text_is_answered_as_not_a_tag_not_as_a_wrong_check_character(api, clerk, active):
    api.as_user(clerk)
    response = api.post(_scan_url(active), {"code": "hello world"}, format="json")
    assert response.status_code == 400
    message = response.json()["code"][0]
    assert "不是资产编号" in message
    assert "校验" not in message
    assert not active.scans.exists()


def test_a_mistyped_tag_still_names_the_check_character(clerk, active, pc):
    wrong = pc.tag[:-1] + ("A" if pc.tag[-1] != "A" else "B")
    with pytest.raises(ValidationError) as refused:
        scanning.record_scan(campaign=active, actor=clerk, code=wrong)
    assert "不是资产编号" not in str(refused.value)


def test_a_retired_card_of_the_own_department_says_retired(api, clerk, centre, plan, admin_user):
    make_asset(owner=centre, name="在用电脑")
    old = make_asset(owner=centre, name="旧打印机")
    retire_directly(asset=old, actor=admin_user, reason="报废")
    campaign = campaigns.activate_campaign(campaign=plan(), actor=admin_user)
    api.as_user(clerk)
    data = api.post(_scan_url(campaign), {"code": old.tag}, format="json").json()
    assert data["answer"] == "not_in_scope"
    assert data["reason"] == "retired"
    assert "报废" in data["message"]
    assert "不在您的盘点范围" not in data["message"]


def test_a_retired_card_of_another_department_says_nothing_more(
    other_clerk, other_bureau, centre, plan, admin_user
):
    old = make_asset(owner=centre, name="旧打印机")
    retire_directly(asset=old, actor=admin_user, reason="报废")
    make_asset(owner=other_bureau, name="电脑")
    campaign = campaigns.activate_campaign(
        campaign=plan(departments=[other_bureau]), actor=admin_user
    )
    outcome = scanning.record_scan(campaign=campaign, actor=other_clerk, code=old.tag)
    assert (outcome.answer, outcome.reason) == ("not_in_scope", "")


def test_an_old_label_of_a_counted_card_warns_to_replace_it(
    api, clerk, centre, plan, admin_user, django_capture_on_commit_callbacks
):
    card = make_asset(owner=centre, name="台式计算机")
    template = LabelTemplate.objects.get(code="a4-70x40")
    for _round in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            label_services.print_labels(actor=clerk, assets=[card], template=template)
    old, new = Label.objects.filter(asset=card).order_by("serial")
    campaign = campaigns.activate_campaign(campaign=plan(), actor=admin_user)
    url = settings.SITE_URL + "/a/{tag}?l={serial}"
    scanning.record_scan(
        campaign=campaign, actor=clerk, code=url.format(tag=card.tag, serial=new.serial)
    )
    api.as_user(clerk)
    data = api.post(
        _scan_url(campaign),
        {"code": url.format(tag=card.tag, serial=old.serial)},
        format="json",
    ).json()
    assert data["answer"] == "duplicate"
    assert data["reason"] == "superseded_label"
    assert "已盘点过" in data["message"] and "旧标签" in data["message"]
    # The current label of a counted card is a plain duplicate.
    again = scanning.record_scan(
        campaign=campaign, actor=clerk, code=url.format(tag=card.tag, serial=new.serial)
    )
    assert (again.answer, again.reason) == ("duplicate", "")


def test_parse_is_unchanged_for_real_tags(pc):
    assert qr.parse(pc.tag).tag == pc.tag


def test_counted_and_counted_already_name_the_asset(api, clerk, active, pc):
    """The walk: "已盘点" alone left the clerk guessing which card the phone had read."""
    api.as_user(clerk)
    first = api.post(_scan_url(active), {"code": pc.tag}, format="json").json()
    assert first["answer"] == "found"
    # pc never had a label: the answer says so.
    assert first["message"] == f"{pc.tag}（台式计算机）已盘点；该卡片没有标签，请打印标签。"
    again = api.post(_scan_url(active), {"code": pc.tag}, format="json").json()
    assert again["answer"] == "duplicate"
    assert again["message"] == f"{pc.tag}（台式计算机）已盘点过。"
    english = api.post(
        _scan_url(active), {"code": pc.tag}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    ).json()
    assert english["message"] == f"{pc.tag} (台式计算机) is counted already."


@pytest.mark.parametrize(
    ("language", "word", "said"),
    [
        ("zh-hans", "盘点开始后登记", "是在本次盘点于"),
        ("en", "Registered after the count started", "was registered after this count started"),
    ],
)
def test_a_card_registered_after_the_count_started_says_so(
    api, client, clerk, centre, active, language, word, said
):
    # walk2-14: the clerk's own new card answered "not in your scope".
    new = make_asset(owner=centre, actor=clerk, name="新购服务器")
    api.as_user(clerk)
    data = api.post(
        _scan_url(active), {"code": new.tag}, format="json", HTTP_ACCEPT_LANGUAGE=language
    ).json()
    assert (data["answer"], data["reason"]) == ("not_in_scope", "registered_later")
    assert said in data["message"] and new.tag in data["message"]
    assert "不在您的盘点范围" not in data["message"]
    client.force_login(clerk)
    page = client.get(f"/stocktakes/{active.pk}/scan", HTTP_ACCEPT_LANGUAGE=language)
    assert f'data-reason-not_in_scope-registered_later="{word}"' in page.content.decode()


def test_another_departments_new_card_says_nothing_more(other_clerk, centre, plan, admin_user):
    campaign = campaigns.activate_campaign(campaign=plan(), actor=admin_user)
    make_asset(owner=centre, name="电脑")
    new = make_asset(owner=centre, name="新购服务器")
    outcome = scanning.record_scan(campaign=campaign, actor=other_clerk, code=new.tag)
    assert (outcome.answer, outcome.reason) == ("not_in_scope", "")


@pytest.mark.parametrize(
    ("code", "said"),
    [("x" * 5000, "不是资产编号"), ("YK2026" + "1" * 5000, "太长")],
)
def test_an_overlong_code_is_not_a_label_not_a_field_length(api, clerk, active, code, said):
    # walk2-26: 5,000 characters answered "请确保这个字段不能超过 2048 个字符".
    api.as_user(clerk)
    response = api.post(
        _scan_url(active), {"code": code}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 400
    message = response.json()["code"][0]
    assert said in message, message
    assert "2048" not in message and "字符" not in message
    assert len(message) < 200
    assert not active.scans.exists()
