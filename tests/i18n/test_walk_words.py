"""Words a new user stumbled on (walk of 2026-12-03, findings 15-18, 22, 23): generated text in
the reader's language, Chinese without stray spaces, plurals in English, no Chinese in English."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from assets.handovers import services as hs
from assets.models import Handover
from inventory.models import Notification
from tests.factories import make_asset

pytestmark = pytest.mark.django_db
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def browser(user, language="zh-hans"):
    user.language = language
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def decided(project, clerk, receiver):
    """A handover submitted and decided in Chinese: one item accepted, one rejected."""
    with translation.override("zh-hans"):
        assets = [
            make_asset(owner=project.builder_department, project=project, name=name)
            for name in ("核心交换机", "防火墙")
        ]
        handover = hs.create_handover(actor=clerk, project=project, assets=assets)
        handover = hs.submit_handover(handover=handover, actor=clerk)
        first, second = sorted(a.tag for a in assets)
        browser(receiver).post(
            reverse("assets:handover-review", args=[handover.number]),
            {
                f"result-{first}": "accepted",
                f"result-{second}": "rejected",
                f"reason-{second}": "缺",
            },
            **ZH,
        )
    handover.refresh_from_db()
    assert handover.state == Handover.State.PARTIALLY_ACCEPTED
    return handover


def test_the_handover_timeline_speaks_the_readers_language(decided, clerk):
    url = reverse("assets:handover-detail", args=[decided.number])
    english = browser(clerk, "en").get(url, **EN).content.decode()
    assert f"Accepted in handover {decided.number}." in english
    assert f"在移交单 {decided.number} 中接收" not in english


def test_the_submitted_note_has_no_spaces_around_the_chinese_name(decided, clerk):
    card = decided.items.order_by("asset__tag").last().asset  # rejected: still the builder's
    text = browser(clerk).get(reverse("assets:asset-detail", args=[card.tag]), **ZH)
    assert f"已提交{decided.to_department.name}接收。" in text.content.decode()


def test_notifications_are_read_in_the_readers_language(decided, clerk):
    notification = Notification.objects.filter(recipient=clerk, kind="handover_decided").get()
    assert "已有结论" in notification.title  # written while Chinese was active
    english = browser(clerk, "en").get(reverse("inventory:notification-list"), **EN)
    text = english.content.decode()
    assert f"Handover {decided.number} decided: Partially accepted" in text
    assert "已有结论" not in text
    chinese = browser(clerk).get(reverse("inventory:notification-list"), **ZH).content.decode()
    assert "接收 1 项，拒收 1 项" in chinese and "退回" not in chinese


def test_a_handover_with_nothing_accepted_points_at_no_certificate(project, clerk, receiver):
    card = make_asset(owner=project.builder_department, project=project)
    handover = hs.submit_handover(
        handover=hs.create_handover(actor=clerk, project=project, assets=[card]), actor=clerk
    )
    answer = browser(receiver, "en").post(
        reverse("assets:handover-review", args=[handover.number]),
        {f"result-{card.tag}": "rejected", f"reason-{card.tag}": "no"},
        follow=True,
        **EN,
    )
    assert "nothing accepted" in answer.content.decode()
    chinese = browser(clerk).get(reverse("inventory:notification-list"), **ZH).content.decode()
    assert "全部拒收" in chinese and "接收证明" not in chinese


def test_english_counts_are_plural_aware(decided, receiver, project, clerk):
    card = make_asset(owner=project.builder_department, project=project)
    handover = hs.submit_handover(
        handover=hs.create_handover(actor=clerk, project=project, assets=[card]), actor=clerk
    )
    url = reverse("assets:handover-review", args=[handover.number])
    review = browser(receiver, "en").get(url, **EN).content.decode()
    assert "item(s)" not in review
    answer = browser(receiver, "en").post(
        url, {f"result-{card.tag}": "accepted"}, follow=True, **EN
    )
    # All accepted: no "0 rejected" (walk2-23).
    assert "the 1 item is accepted" in answer.content.decode()


def test_the_account_page_in_english_has_no_chinese_app_name(clerk):
    text = browser(clerk, "en").get(reverse("accounts:account"), **EN).content.decode()
    assert "Tencent Authenticator" in text and "腾讯" not in text


def test_the_dashboard_names_its_category_chart_without_chinese_in_english(clerk):
    text = browser(clerk, "en").get(reverse("assets:dashboard"), **EN).content.decode()
    assert "(大类)" not in text


def test_a_code_with_letters_is_told_to_be_digits(clerk):
    from django.core.exceptions import ValidationError

    from assets.accounts import twofactor

    twofactor.start_enrolment(user=clerk)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        twofactor.confirm_enrolment(user=clerk, code="abc")
    assert "数字" in str(refused.value.message_dict["code"])


def test_the_active_filter_badge_says_filtered(clerk):
    text = browser(clerk).get(reverse("assets:handover-list"), {"state": "submitted"}, **ZH)
    assert "已筛选" in text.content.decode() and "已启用" not in text.content.decode()


# --- 19, 20, 38: words that say what they mean -----------------------------------------------


def test_the_label_page_says_what_the_label_column_holds(clerk, centre):
    make_asset(owner=centre)
    text = browser(clerk).get(reverse("labels:queue"), **ZH).content.decode()
    assert "标签打印" in text and "现贴标签" in text and "从未打印" in text
    assert "待打印" not in text and ">从未<" not in text


def test_the_past_life_list_says_how_long_past(clerk, centre):
    from datetime import date

    make_asset(owner=centre, in_service_on=date(2016, 1, 1), useful_life_months=72)
    text = browser(clerk).get(reverse("assets:dashboard"), **ZH).content.decode()
    section = text.split('id="past-life"')[1].split("</section>")[0]
    assert "已超期（月）" in section
    months = (date.today().year - 2016) * 12 + date.today().month - 1 + 1 - 72
    assert f">{months}</td>" in section


def test_difference_states_read_as_what_is_to_do(clerk, centre):
    from inventory.services import campaigns
    from tests.factories import make_asset, make_campaign

    # Differences are drawn up at close (an open campaign's page says so instead).
    make_asset(owner=centre, name="找不到的打印机")
    campaign = make_campaign(actor=clerk, departments=[centre])
    campaigns.close_campaign(campaign=campaign, actor=clerk)
    url = reverse("inventory:difference-list", args=[campaign.pk])
    text = browser(clerk).get(url, **ZH).content.decode()
    assert "f-state" in text, text[-3000:]
    assert "待说明" in text and "尚未了结" in text
    assert "已登记" not in text and "尚未入账" not in text


def test_the_token_form_says_an_idle_token_stops_working(clerk):
    text = browser(clerk).get(reverse("accounts:account"), **ZH).content.decode()
    assert "连续 30 天未使用也会自动失效" in text
