import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from inventory.models import StocktakeCampaign
from inventory.services import campaigns, differences, scanning

pytestmark = pytest.mark.django_db


def test_campaign_list_shows_visible_campaigns(client, clerk, active):
    client.force_login(clerk)
    response = client.get(reverse("inventory:campaign-list"))
    assert response.status_code == 200
    assert active.name in response.content.decode()


def test_other_department_gets_404_on_the_dashboard(client, other_clerk, active):
    client.force_login(other_clerk)
    url = reverse("inventory:campaign-detail", args=[active.pk])
    assert client.get(url).status_code == 404


def test_dashboard_shows_progress_per_department(client, auditor, active, pc, clerk, centre):
    scanning.record_scan(campaign=active, actor=clerk, code=pc.tag)
    client.force_login(auditor)
    page = client.get(reverse("inventory:campaign-detail", args=[active.pk])).content.decode()
    assert centre.name in page
    assert "100.0%" in page
    assert reverse("inventory:campaign-scan", args=[active.pk]) not in page


def test_auditor_cannot_close_from_the_page(client, auditor, active):
    client.force_login(auditor)
    response = client.post(reverse("inventory:campaign-action", args=[active.pk, "close"]))
    assert response.status_code == 403
    active.refresh_from_db()
    assert active.state == "active"


def test_admin_activates_from_the_page(client, admin_user, plan, pc):
    campaign = plan()
    client.force_login(admin_user)
    client.post(reverse("inventory:campaign-action", args=[campaign.pk, "activate"]))
    campaign.refresh_from_db()
    assert campaign.state == StocktakeCampaign.State.ACTIVE


def test_clerk_plans_a_campaign_through_the_form(client, clerk, centre):
    client.force_login(clerk)
    response = client.post(
        reverse("inventory:campaign-create"),
        {
            "name": "季度抽盘",
            "year": 2025,
            "reference_date": "2025-06-30",
            "due_on": "2025-07-15",
            "departments": [centre.pk],
        },
    )
    assert response.status_code == 302
    assert StocktakeCampaign.objects.get(name="季度抽盘").state == "draft"


def test_scan_page_loads_vendored_scripts_and_has_the_wedge_field(client, clerk, active):
    client.force_login(clerk)
    response = client.get(reverse("inventory:campaign-scan", args=[active.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "inventory/vendor/jsQR.js" in page
    assert 'id="scan-code"' in page
    assert "<script>" not in page
    assert "csrfmiddlewaretoken" in page


def test_difference_list_escapes_stored_text(client, auditor, admin_user, clerk, active):
    scanning.record_surplus(campaign=active, actor=clerk, note="<script>alert(1)</script>")
    campaigns.close_campaign(campaign=active, actor=admin_user)
    client.force_login(auditor)
    page = client.get(reverse("inventory:difference-list", args=[active.pk])).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_photo_download_is_permission_checked(client, clerk, other_clerk, active):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.assets.attachments.files import png_bytes

    png = SimpleUploadedFile("p.png", png_bytes(), content_type="image/png")
    line = scanning.record_surplus(campaign=active, actor=clerk, note="机柜", photo=png)
    url = reverse("inventory:line-photo", args=[active.pk, line.pk])
    client.force_login(clerk)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    client.force_login(other_clerk)
    assert client.get(url).status_code == 404


# ---------------------------------------------------------------- 14.6: actions that ask first


def _confirm_of(page: str, action: str) -> str:
    import html
    import re

    form = re.search(rf'action="[^"]*/{action}/".*?data-confirm="([^"]*)"', page, re.S)
    assert form, f"no confirmation on the {action} button"
    return html.unescape(form.group(1))


def test_activate_asks_with_the_number_of_cards_it_freezes(client, admin_user, plan, pc, centre):
    from tests.factories import make_asset

    make_asset(owner=centre, name="打印机")
    campaign = plan()
    client.force_login(admin_user)
    page = client.get(reverse("inventory:campaign-detail", args=[campaign.pk])).content.decode()
    assert "将冻结 2 张卡片的账面快照" in _confirm_of(page, "activate")
    response = client.post(
        reverse("inventory:campaign-action", args=[campaign.pk, "activate"]), follow=True
    )
    assert "已启动盘点：已冻结 2 张卡片的账面快照" in response.content.decode()
    assert campaign.lines.count() == 2


def test_close_asks_with_the_shortages_it_makes_and_answers_the_numbers(
    client, admin_user, clerk, active, pc, centre
):
    from tests.factories import make_asset

    make_asset(owner=centre, name="打印机")  # registered after activation: not in the count
    scanning.record_scan(campaign=active, actor=clerk, code=pc.tag)
    client.force_login(admin_user)
    page = client.get(reverse("inventory:campaign-detail", args=[active.pk])).content.decode()
    assert "0 张卡片将记为盘亏" in _confirm_of(page, "close")
    response = client.post(
        reverse("inventory:campaign-action", args=[active.pk, "close"]), follow=True
    )
    assert "已结束盘点：实盘 1 张，盘亏 0 张" in response.content.decode()


def test_close_confirmation_counts_the_uncounted_cards(client, admin_user, plan, pc, centre):
    from tests.factories import make_asset

    make_asset(owner=centre, name="打印机")
    make_asset(owner=centre, name="笔记本电脑")
    campaign = campaigns.activate_campaign(campaign=plan(), actor=admin_user)
    scanning.record_scan(campaign=campaign, actor=admin_user, code=pc.tag)
    client.force_login(admin_user)
    page = client.get(reverse("inventory:campaign-detail", args=[campaign.pk])).content.decode()
    assert "尚未盘点的 2 张卡片将记为盘亏" in _confirm_of(page, "close")
    response = client.post(
        reverse("inventory:campaign-action", args=[campaign.pk, "close"]), follow=True
    )
    assert "已结束盘点：实盘 1 张，盘亏 2 张" in response.content.decode()


def test_close_sits_apart_from_the_scan_button(client, admin_user, active):
    client.force_login(admin_user)
    page = client.get(reverse("inventory:campaign-detail", args=[active.pk])).content.decode()
    toolbar = page[page.index('<div class="toolbar">') : page.index('<div class="grid grid--4">')]
    assert reverse("inventory:campaign-scan", args=[active.pk]) in toolbar
    assert "/close/" not in toolbar
    assert page.index("/close/") > page.index("grid grid--4")


# ------------------------------------------------------------- 14.8: the difference desk


@pytest.fixture
def closed(plan, admin_user, pc, centre, clerk, room, other_room):
    """A closed count of the centre: the PC found elsewhere, the printer missing, a surplus find."""
    from tests.factories import make_asset

    missing = make_asset(owner=centre, actor=clerk, location=room, name="打印机")
    campaign = campaigns.activate_campaign(campaign=plan(), actor=admin_user)
    scanning.record_scan(campaign=campaign, actor=clerk, code=pc.tag, location=other_room)
    scanning.record_surplus(campaign=campaign, actor=clerk, note="无标签交换机", location=room)
    campaign = campaigns.close_campaign(campaign=campaign, actor=admin_user)
    campaign.missing_tag = missing.tag
    return campaign


def test_archive_refuses_while_differences_are_open(admin_user, closed):
    from assets.errors import TransitionNotAllowed

    with pytest.raises(TransitionNotAllowed) as refused:
        campaigns.archive_campaign(campaign=closed, actor=admin_user)
    assert refused.value.code == "differences_open"
    assert "3" in str(refused.value.message)
    closed.refresh_from_db()
    assert closed.state == StocktakeCampaign.State.CLOSED


def test_archive_page_explains_why_it_waits(client, admin_user, closed):
    client.force_login(admin_user)
    url = reverse("inventory:campaign-detail", args=[closed.pk])
    page = client.get(url).content.decode()
    assert "3 条差异尚未入账" in page
    assert "/archive/" not in page
    response = client.post(
        reverse("inventory:campaign-action", args=[closed.pk, "archive"]), follow=True
    )
    assert "3 条差异尚未入账" in response.content.decode()
    closed.refresh_from_db()
    assert closed.state == StocktakeCampaign.State.CLOSED


def test_difference_list_filters_by_department_select_and_links_tags(
    client, auditor, closed, centre
):
    client.force_login(auditor)
    url = reverse("inventory:difference-list", args=[closed.pk])
    page = client.get(url).content.decode()
    assert f'<option value="{centre.code}"' in page
    assert reverse("assets:asset-detail", args=[closed.missing_tag]) in page
    assert 'name="ids"' not in page  # auditors read, they do not treat
    assert "difference-bulk" not in page
    lowered = client.get(url, {"department": centre.code.lower()}).content.decode()
    assert closed.missing_tag not in lowered or f'value="{centre.code}" selected' in lowered
    only_open = client.get(url, {"state": "open"}).content.decode()
    assert closed.missing_tag in only_open


def test_bulk_explain_approve_post_through_the_desk(client, clerk, admin_user, closed):
    from assets.models import Asset

    shortages = list(closed.differences.filter(kind="shortage"))
    ids = [d.pk for d in shortages]
    bulk = reverse("inventory:difference-bulk", args=[closed.pk])
    client.force_login(clerk)
    response = client.post(
        bulk, {"action": "explain", "ids": ids, "reason": "已报废未销账"}, follow=True
    )
    assert "已说明 1 条差异" in response.content.decode()
    assert client.post(bulk, {"action": "approve", "ids": ids}).status_code == 403
    client.force_login(admin_user)
    client.post(bulk, {"action": "approve", "ids": ids})
    response = client.post(bulk, {"action": "post", "ids": ids}, follow=True)
    assert "已入账 1 条差异" in response.content.decode()
    card = Asset.objects.get(tag=closed.missing_tag)
    assert card.disposal_items.get(is_open=True).case.method == "write_off"
    assert {d.state for d in closed.differences.filter(pk__in=ids)} == {"posted"}


def test_bulk_action_skips_the_ticked_rows_it_cannot_take(client, admin_user, closed):
    # walk 7: the explained shortage is approved; the unexplained rows are skipped, said so.
    items = list(closed.differences.all())
    shortage = next(d for d in items if d.kind == "shortage")
    differences.explain_difference(difference=shortage, actor=admin_user, reason="丢失")
    bulk = reverse("inventory:difference-bulk", args=[closed.pk])
    client.force_login(admin_user)
    response = client.post(bulk, {"action": "approve", "ids": [d.pk for d in items]}, follow=True)
    body = response.content.decode()
    assert "已审批 1 条差异" in body and "未作任何更改" not in body
    assert list(closed.differences.filter(state="approved")) == [shortage]
    # Nothing the action can take: nothing changes, and the page says why.
    surplus = next(d for d in items if d.kind == "surplus")
    response = client.post(bulk, {"action": "post", "ids": [surplus.pk]}, follow=True)
    assert "未作任何更改" in response.content.decode()
    assert closed.differences.get(pk=surplus.pk).state == "raised"


@pytest.mark.parametrize(
    ("language", "said"),
    [
        (
            "zh-hans",
            "已跳过 1 条勾选的差异（盘盈“无标签交换机”）：该差异尚未说明：请先填写原因，"
            "说明后才能审批。",
        ),
        (
            "en",
            "1 ticked difference skipped (Surplus “无标签交换机”): This difference is not "
            "explained yet: give its reason first, then it can be approved.",
        ),
    ],
)
def test_bulk_approval_names_the_skipped_surplus_find_and_what_to_do(
    client, admin_user, closed, language, said
):
    # walk2-10: the surplus has no tag nor scanned code; the refusal began with a bare colon.
    # walk 7: the refusal says the state the difference is in and what to do next.
    shortage = closed.differences.get(kind="shortage")
    differences.explain_difference(difference=shortage, actor=admin_user, reason="丢失")
    surplus = closed.differences.get(kind="surplus")
    bulk = reverse("inventory:difference-bulk", args=[closed.pk])
    client.force_login(admin_user)
    response = client.post(
        bulk,
        {"action": "approve", "ids": [shortage.pk, surplus.pk]},
        follow=True,
        HTTP_ACCEPT_LANGUAGE=language,
    )
    shown = [str(m) for m in response.context["messages"]]
    assert said in shown, shown
    assert not any(m.startswith(("：", ":")) for m in shown)
    assert not any("cannot go from" in m or "不能从" in m for m in shown)
    assert list(closed.differences.filter(state="approved")) == [shortage]


def test_bulk_explain_without_a_reason_is_refused(client, clerk, closed):
    bulk = reverse("inventory:difference-bulk", args=[closed.pk])
    client.force_login(clerk)
    ids = list(closed.differences.values_list("pk", flat=True))
    response = client.post(bulk, {"action": "explain", "ids": ids, "reason": " "}, follow=True)
    # walk4-4: the desk answers as it was left (400), the rows still ticked.
    assert response.status_code == 400
    assert response.context["bulk"]["ids"] == set(ids)
    assert not closed.differences.exclude(state="raised").exists()


def test_auditor_cannot_treat_differences(client, auditor, closed):
    bulk = reverse("inventory:difference-bulk", args=[closed.pk])
    client.force_login(auditor)
    ids = list(closed.differences.values_list("pk", flat=True))
    assert client.post(bulk, {"action": "explain", "ids": ids, "reason": "x"}).status_code == 403
    difference = closed.differences.first()
    url = reverse("inventory:difference-detail", args=[closed.pk, difference.pk])
    page = client.get(url).content.decode()
    assert 'name="step"' not in page
    assert client.post(url, {"step": "explain", "reason": "x"}).status_code == 403
    assert not closed.differences.exclude(state="raised").exists()


def test_surplus_is_posted_from_its_page_with_a_draft_card(client, admin_user, closed, centre):
    from assets.models import CURRENT_CODE_SYSTEM, Asset, Category

    surplus = closed.differences.get(kind="surplus")
    url = reverse("inventory:difference-detail", args=[closed.pk, surplus.pk])
    client.force_login(admin_user)
    client.post(url, {"step": "explain", "reason": "漏登记", "treatment": "补登卡片"})
    client.post(url, {"step": "approve"})
    category = Category.objects.get(code_system=CURRENT_CODE_SYSTEM, code="A02010105")
    response = client.post(
        url,
        {
            "step": "post",
            "category": category.pk,
            "owner_department": centre.pk,
            "name": "交换机",
            "original_value": "1200.00",
        },
        follow=True,
    )
    surplus.refresh_from_db()
    assert surplus.state == "posted", [str(m) for m in response.context["messages"]]
    assert surplus.draft_asset.status == Asset.Status.DRAFT
    assert surplus.draft_asset.tag in response.content.decode()


def test_services_refuse_approval_by_a_clerk(clerk, closed):
    from django.core.exceptions import PermissionDenied

    difference = closed.differences.first()
    differences.explain_difference(difference=difference, actor=clerk, reason="原因")
    with pytest.raises(PermissionDenied):
        differences.approve_difference(difference=difference, actor=clerk)
    difference.refresh_from_db()
    assert difference.state == "explained"


# --------------------------------------------------- 14.16: <input type=date> is ISO everywhere


def test_new_campaign_form_renders_the_reference_date_in_iso_in_chinese(client, clerk):
    from datetime import date

    client.force_login(clerk)
    page = client.get(reverse("inventory:campaign-create"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = page.content.decode()
    year = date.today().year
    assert f'value="{year}-12-31"' in text
    assert f"{year}/12/31" not in text


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_date_input_of_the_project_renders_iso(language):
    """Every form field of the web pages that renders <input type=date> writes YYYY-MM-DD,
    whatever the language (the browser leaves the field blank otherwise)."""
    import importlib
    import inspect
    import re
    from datetime import date

    from django import forms
    from django.utils import translation

    checked = 0
    for module_name in ("assets.forms", "inventory.forms", "labels.forms"):
        module = importlib.import_module(module_name)
        for _name, form_class in inspect.getmembers(module, inspect.isclass):
            if not issubclass(form_class, forms.BaseForm) or form_class.__module__ != module_name:
                continue
            for field_name, field in form_class.base_fields.items():
                if not isinstance(field.widget, forms.DateInput):
                    continue
                with translation.override(language):
                    html = field.widget.render(field_name, date(2026, 12, 31))
                assert 'type="date"' in html, f"{form_class.__name__}.{field_name}"
                assert re.search(r'value="2026-12-31"', html), (
                    f"{form_class.__name__}.{field_name} renders {html}"
                )
                checked += 1
    assert checked >= 6


# ---------------------------------------------- 14.9: a refused scan page says why it is refused


def _scan_refusal(user, campaign) -> str:
    """The message the scan view refuses with (the site's 403 page shows it)."""
    from django.core.exceptions import PermissionDenied
    from django.test import RequestFactory

    from inventory.views import ScanView

    request = RequestFactory().get(reverse("inventory:campaign-scan", args=[campaign.pk]))
    request.user = user
    with pytest.raises(PermissionDenied) as refused:
        ScanView.as_view()(request, pk=campaign.pk)
    return str(refused.value)


def test_auditor_opening_a_scan_page_is_told_why(client, auditor, active):
    client.force_login(auditor)
    assert client.get(reverse("inventory:campaign-scan", args=[active.pk])).status_code == 403
    assert "只有资产管理员才能在盘点中扫描" in _scan_refusal(auditor, active)


def test_clerk_opening_a_closed_campaigns_scan_page_is_told_it_is_closed(
    client, clerk, admin_user, active
):
    campaigns.close_campaign(campaign=active, actor=admin_user)
    client.force_login(clerk)
    assert client.get(reverse("inventory:campaign-scan", args=[active.pk])).status_code == 403
    assert _scan_refusal(clerk, active) == "盘点已结束，不能再扫描。"


def test_clerk_opening_a_draft_campaigns_scan_page_is_told_it_has_not_started(clerk, plan):
    assert "盘点尚未启动" in _scan_refusal(clerk, plan())


def test_difference_page_escapes_stored_text(client, clerk, admin_user, active):
    scanning.record_surplus(campaign=active, actor=clerk, note="<script>alert(1)</script>")
    closed = campaigns.close_campaign(campaign=active, actor=admin_user)
    for difference in closed.differences.all():
        differences.explain_difference(
            difference=difference, actor=clerk, reason='"><img src=x onerror=alert(1)>'
        )
    client.force_login(admin_user)
    for difference in closed.differences.all():
        url = reverse("inventory:difference-detail", args=[closed.pk, difference.pk])
        page = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in page
        assert "<img src=x onerror" not in page
        assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in page


def test_archive_asks_and_answers_once_every_difference_is_posted(client, admin_user, closed):
    from assets.models import CURRENT_CODE_SYSTEM, Category

    category = Category.objects.get(code_system=CURRENT_CODE_SYSTEM, code="A02010105")
    for difference in closed.differences.all():
        differences.explain_difference(difference=difference, actor=admin_user, reason="已核实")
        differences.approve_difference(difference=difference, actor=admin_user)
        differences.post_difference(
            difference=difference,
            actor=admin_user,
            card_fields={
                "category": category,
                "owner_department": difference.line.department or admin_user.department,
            },
        )
    client.force_login(admin_user)
    # The posted shortage waits for its write-off case: archiving is refused until it is executed.
    response = client.post(
        reverse("inventory:campaign-action", args=[closed.pk, "archive"]), follow=True
    )
    assert "1 条已入账差异仍待其处置单执行" in response.content.decode()
    _execute_stocktake_cases(closed, admin_user)
    page = client.get(reverse("inventory:campaign-detail", args=[closed.pk])).content.decode()
    assert "3 条差异将永久只读" in _confirm_of(page, "archive")
    response = client.post(
        reverse("inventory:campaign-action", args=[closed.pk, "archive"]), follow=True
    )
    assert "已归档盘点" in response.content.decode()
    closed.refresh_from_db()
    assert closed.state == StocktakeCampaign.State.ARCHIVED


def _execute_stocktake_cases(campaign, admin_user):
    """Submit, approve and execute the disposal cases the campaign's differences are in."""
    from datetime import date

    from assets.disposals import services as disposal_services
    from assets.models import ApprovalTier, DisposalCase

    ApprovalTier.objects.get_or_create(
        up_to=None, defaults={"approver_role": "admin", "body": "财政局"}
    )
    from tests.factories import UserFactory

    approver = UserFactory(username="head", department=admin_user.department, roles=["admin"])
    for case in DisposalCase.objects.filter(stocktake_differences__campaign=campaign).distinct():
        case = disposal_services.submit_disposal(case=case, actor=admin_user)
        case = disposal_services.approve_disposal(
            case=case, actor=approver, approval_no="批〔2026〕1号", approved_on=date.today()
        )
        disposal_services.execute_disposal(case=case, actor=admin_user)


@pytest.mark.parametrize(
    ("language", "kind", "campaign_word"),
    [("en", "Counted in a stocktake", "stocktake"), ("zh-hans", "盘点确认", "盘点")],
)
def test_a_counted_cards_history_says_who_counted_it_and_when(
    language, kind, campaign_word, active, pc, clerk, admin_user
):
    """The count's event is written at close (set-based, for the whole campaign) and read on the
    card's history page in the reader's language: the counter, the scan's time, the campaign."""
    clerk.display_name = "赵文"
    clerk.save()
    at = timezone.now() - timedelta(minutes=7)
    scanning.record_scan(campaign=active, actor=clerk, code=pc.tag, scanned_at=at)
    campaigns.close_campaign(campaign=active, actor=admin_user)
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.cookies["django_language"] = language
    client.force_login(clerk)
    page = client.get(reverse("assets:asset-detail", args=[pc.tag])).content.decode()
    items = re.findall(
        r'<li class="timeline__item">(.*?)</li>\s*(?=<li class="timeline__item">|</ol>)', page, re.S
    )
    counted = [item for item in items if f"<strong>{kind}</strong>" in item]
    assert len(counted) == 1, items
    meta = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", counted[0]))
    local = timezone.localtime(at).strftime("%Y-%m-%d %H:%M")
    # The campaign by its name (issue 14 walk residual 2), not "#1".
    assert f"{local} · 赵文 · {campaign_word} {active.name}" in meta, meta
    assert f"#{active.pk}" not in meta


# Issue 14 walk residual 5: words on the campaign page.
@pytest.mark.parametrize(
    ("language", "no_place"), [("zh-hans", "未指定位置"), ("en", "No location")]
)
def test_campaign_page_names_lines_without_a_place_and_says_the_year_once(
    language, no_place, auditor, admin_user, centre, plan
):
    from tests.factories import make_asset

    make_asset(owner=centre, name="无位置的电脑")
    campaign = campaigns.activate_campaign(
        campaign=plan(name="2025年度资产清查（中心）"), actor=admin_user
    )
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.cookies["django_language"] = language
    client.force_login(auditor)
    page = client.get(reverse("inventory:campaign-detail", args=[campaign.pk])).content.decode()
    assert no_place in page
    assert "<span>—</span>" not in page
    heading = re.search(r"<h1>(.*?)</h1>", page, re.S).group(1)
    assert heading.count("2025") == 1, heading
    assert str(campaign) == "2025年度资产清查（中心）"


def test_the_english_result_word_for_missing_is_shortage(api, auditor, admin_user, plan, pc):
    campaign = campaigns.activate_campaign(campaign=plan(), actor=admin_user)
    campaigns.close_campaign(campaign=campaign, actor=admin_user)
    line = campaign.lines.get()
    assert line.result == "missing"  # the API's code stays
    from django.utils import translation

    with translation.override("en"):
        assert line.get_result_display() == "Shortage"
    with translation.override("zh-hans"):
        assert line.get_result_display() == "盘亏"


# ------------------------------------------- walk 5.2: what posting a shortage really does
@pytest.mark.parametrize(
    ("language", "confirm", "said"),
    [
        (
            "zh-hans",
            "确定入账？卡片将列入本部门的损失核销处置单草稿（处置单提交审批后转为待处置）",
            "已列入处置单草稿 {case}，处置单提交审批后转为待处置。",
        ),
        (
            "en",
            "Post? The card joins its department’s draft write-off case",
            "is in draft disposal case {case}; it becomes pending disposal when the case is "
            "submitted for approval.",
        ),
    ],
)
def test_posting_a_shortage_says_it_joins_a_draft_case(
    client, admin_user, closed, language, confirm, said
):
    """The page said the card became 待处置 at posting; it joins its department's draft
    write-off case and stays in use until that case is submitted."""
    shortage = closed.differences.filter(kind="shortage").first()
    url = reverse("inventory:difference-detail", args=[closed.pk, shortage.pk])
    client.force_login(admin_user)
    headers = {"HTTP_ACCEPT_LANGUAGE": language}
    client.post(url, {"step": "explain", "reason": "遗失", "treatment": "报损"}, **headers)
    client.post(url, {"step": "approve"}, **headers)
    page = client.get(url, **headers).content.decode()
    assert confirm in page
    response = client.post(url, {"step": "post"}, follow=True, **headers)
    shortage.refresh_from_db()
    assert shortage.state == "posted" and shortage.disposal.state == "draft"
    text = " ".join(str(m) for m in response.context["messages"])
    assert said.format(case=shortage.disposal.number) in text
    assert shortage.line.asset.status == "in_use"
