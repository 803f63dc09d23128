"""Values read as words in the reader's language (issue 14.4): card history, role names, admin
app and task names, the admin's JavaScript strings, money as ¥, empty rates, code systems."""

import io
import json
import os
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from assets import services
from assets.handovers.certificate import render_certificate
from assets.history import describe_events
from config import formatting
from tests.factories import (
    DepartmentFactory,
    LocationFactory,
    UserFactory,
    make_asset,
    make_campaign,
)


def _client(user, language):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.cookies["django_language"] = language
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("24743800.00"), "¥24,743,800.00"),
        (Decimal("24743800"), "¥24,743,800.00"),
        ("6000.5", "¥6,000.50"),
        (Decimal("0"), "¥0.00"),
        (Decimal("-1000"), "-¥1,000.00"),
        (None, "—"),
        ("", "—"),
    ],
)
def test_money_is_yuan_with_thousands_separators(value, expected):
    assert formatting.money(value) == expected


def test_an_empty_rate_is_a_dash_alone():
    assert formatting.rate(None) == "—"
    assert formatting.rate(95.238) == "95.24%"
    assert formatting.rate(100) == "100.00%"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("GBT14885-2022", "GB/T 14885-2022"),
        ("GBT14885-2010", "GB/T 14885-2010"),
        ("GB/T 14885-2022", "GB/T 14885-2022"),
        ("LOCAL-2019", "LOCAL-2019"),
    ],
)
def test_code_system_reads_as_the_standard_is_written(value, expected):
    assert formatting.code_system(value) == expected


@pytest.fixture
def card(db):
    """A card edited, moved, nested, re-statused and labelled: history of every kind of value."""
    from labels import services as label_services
    from labels.models import LabelTemplate

    own = DepartmentFactory(code="BDC", name="市大数据中心")
    clerk = UserFactory(username="h-clerk", department=own, roles=["clerk"])
    room = LocationFactory(code="R-301", name="三楼机房", department=own)
    host = make_asset(owner=own, actor=clerk, name="机架服务器")
    card = make_asset(owner=own, actor=clerk, name="光纤交换机", original_value=Decimal("1000"))
    services.update_asset(
        asset=card,
        actor=clerk,
        fields={"original_value": Decimal("24743800.00"), "acquisition_method": "exchange"},
    )
    services.change_status(asset=card, actor=clerk, status="idle")
    services.move_asset(asset=card, actor=clerk, location=room)
    services.nest_asset(asset=card, actor=clerk, parent=host, embedded=False)
    template = LabelTemplate.objects.get(code="a4-70x40")
    label_services.print_labels(actor=clerk, assets=[card], template=template)
    card.refresh_from_db()
    return card, clerk, host, template


def _history_lines(page: str) -> list[str]:
    block = page.split('class="timeline__changes"', 1)[1] if "timeline__changes" in page else ""
    return [
        re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r"<li>(.*?)</li>", block, re.S)
    ]


def test_card_history_in_english_names_fields_and_shows_values_as_words(card):
    card, clerk, host, template = card
    page = _client(clerk, "en").get(reverse("assets:asset-detail", args=[card.tag])).content
    page = page.decode()
    lines = "\n".join(_history_lines(page))
    expected = [
        "Original value (CNY): ¥1,000.00 → ¥24,743,800.00",
        "Acquisition method: New purchase → Exchange",
        "Status: In use → Idle",
        "Location: — → 三楼机房",
        f"Host: — → {host.tag} 机架服务器",
        "Label serial: — → 1",
        "Label template: — → A4 label sheet 70×40 (3×7)",  # built in: in English
    ]
    for line in expected:
        assert line in lines, f"history lacks {line!r}; it reads:\n{lines}"
    for raw in ("label_serial", "original_value", "a4-70x40", "exchange", "R-301", "模板"):
        assert raw not in lines, f"history shows the raw {raw!r}:\n{lines}"


def test_card_history_in_chinese_uses_chinese_field_names(card):
    card, clerk, _host, _template = card
    with translation.override("zh-hans"):
        from assets.selectors import asset_events

        rows = describe_events(asset_events(asset=card))
        changes = {
            str(c["label"]): (c["before"], c["after"]) for row in rows for c in row["changes"]
        }
    assert changes["原值（元）"] == ("¥1,000.00", "¥24,743,800.00"), changes
    assert changes["取得方式"][1] == "置换", changes
    assert changes["标签序号"] == ("—", "1"), changes


@pytest.mark.parametrize(
    ("language", "role", "name"),
    [
        ("zh-hans", "clerk", "资产管理员"),
        ("en", "clerk", "Asset clerk"),
        ("zh-hans", "auditor", "审计人员"),
    ],
)
def test_role_badge_shows_the_roles_name(db, language, role, name):
    user = UserFactory(username=f"r-{role}", roles=[role])
    page = _client(user, language).get(reverse("assets:asset-list")).content.decode()
    badges = re.findall(r'<span class="badge">([^<]*)</span>', page)
    assert name in badges, badges
    assert role not in badges, badges


@pytest.fixture
def superuser(db):
    return UserFactory(username="su", roles=["admin"], is_staff=True, is_superuser=True)


def test_admin_index_names_every_app_in_chinese(superuser):
    page = _client(superuser, "zh-hans").get(reverse("admin:index")).content.decode()
    captions = [
        re.sub(r"<[^>]+>", "", c).strip()
        for c in re.findall(r"<caption>(.*?)</caption>", page, re.S)
    ]
    english = [c for c in captions if re.search(r"[a-z]{2,}", c)]  # "API" is an abbreviation
    assert not english, f"admin sections in English: {english} (all: {captions})"
    for name in ("标签", "盘点与提醒", "登录保护", "定时任务"):
        assert name in captions, captions
    # Yika's own sections first, in the order of the product (Django sorted them by code point,
    # which put 定时任务 first in Chinese).
    assert captions.index("标签") < captions.index("盘点与提醒") < captions.index("定时任务"), (
        captions
    )


def test_admin_lists_periodic_tasks_by_their_translated_label(superuser):
    from inventory.reminders import schedule

    schedule.install_schedule()
    url = reverse("admin:django_celery_beat_periodictask_changelist")
    zh = _client(superuser, "zh-hans").get(url).content.decode()
    titles = re.findall(r'<th class="field-title"><a [^>]*>([^<]*)</a>', zh)
    assert "将停滞的标签打印批次标记为失败" in titles, titles
    assert "labels: fail stale print batches" not in titles, titles
    en = _client(superuser, "en").get(url).content.decode()
    assert "Mark stalled label print batches as failed" in en


def test_admin_javascript_catalogue_speaks_the_readers_language(superuser):
    """Django's own zh_Hans catalogue lacks the filter widget's strings ("Choose 组 by selecting
    them…"); jsi18n also reads LOCALE_PATHS, where ours completes it."""
    import django.contrib.admin

    from tests.i18n.catalogues import parse_po

    english = parse_po(
        open(
            os.path.join(
                os.path.dirname(django.contrib.admin.__file__),
                "locale/en/LC_MESSAGES/djangojs.po",
            ),
            encoding="utf-8",
        ).read()
    )
    script = _client(superuser, "zh-hans").get(reverse("admin:jsi18n")).content.decode()
    missing = [key for key in english if _js_key(key) not in script]
    assert not missing, f"the admin's jsi18n serves these in English: {missing}"
    assert json.dumps("选中要选择的%s，然后点击“选择”箭头按钮。")[1:-1] in script


def _js_key(key: str) -> str:
    """How jsi18n writes a msgid as a key of its catalogue (JSON, context joined by \\u0004)."""
    return json.dumps(key)


def test_money_shows_as_yuan_on_pages_and_in_the_handover_certificate(db):
    from assets.handovers import services as hs
    from tests.factories import make_project

    builder = DepartmentFactory(code="BDC", name="市大数据中心")
    owner = DepartmentFactory(code="HEALTH", name="市卫健委")
    clerk = UserFactory(username="m-clerk", department=builder, roles=["clerk"])
    project = make_project(builder=builder, owner=owner, code="P-1")
    asset = make_asset(
        owner=builder, actor=clerk, project=project, original_value=Decimal("24743800.00")
    )
    page = _client(clerk, "zh-hans").get(reverse("assets:asset-list")).content.decode()
    assert "¥24,743,800.00" in page
    assert "24743800.00" not in page
    detail = _client(clerk, "zh-hans").get(reverse("assets:asset-detail", args=[asset.tag]))
    assert "¥24,743,800.00" in detail.content.decode()
    handover = hs.create_handover(actor=clerk, project=project, assets=[asset])
    with translation.override("zh-hans"):
        pdf = render_certificate(handover)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "¥24,743,800.00" in text.replace("\n", ""), text


def test_stocktake_dashboard_and_report_show_empty_rates_alone_and_money_as_yuan(db):
    """ "标签缺失率 —%" was shown before anything was counted; the PDF printed bare decimals."""

    own = DepartmentFactory(code="BDC", name="市大数据中心")
    admin = UserFactory(username="s-admin", department=own, roles=["admin"])
    make_asset(owner=own, actor=admin, original_value=Decimal("24743800.00"))
    campaign = make_campaign(actor=admin, departments=[own], name="2025 年度盘点")
    client = _client(admin, "zh-hans")
    page = client.get(reverse("inventory:campaign-detail", args=[campaign.pk])).content.decode()
    assert "—%" not in page
    assert "¥24,743,800.00" in page
    report = client.get(reverse("stocktake-report-pdf", args=[campaign.pk]))
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(report.content)).pages)
    # Narrow columns may wrap an amount (issue 14.12 fits the tables); the words must be right.
    assert "¥24,743,800.00" in "".join(text.split()), text


def test_register_export_names_the_code_system_as_the_standard_writes_it(db):
    """The export said "GBT14885-2022"; the importer reads "GB/T 14885-2022" back as the same."""
    from openpyxl import load_workbook

    from assets.imports.columns import CODE_SYSTEM_ALIASES
    from assets.models import CURRENT_CODE_SYSTEM

    own = DepartmentFactory(code="BDC", name="市大数据中心")
    clerk = UserFactory(username="x-clerk", department=own, roles=["clerk"])
    make_asset(owner=own, actor=clerk)
    response = _client(clerk, "zh-hans").get(reverse("asset-export-xlsx"))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = load_workbook(io.BytesIO(body), read_only=True).worksheets[0]
    cells = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert "GB/T 14885-2022" in cells
    assert "GBT14885-2022" not in cells
    key = re.sub(r"[\s/\-_.〔〕\[\]（）()]", "", "GB/T 14885-2022").upper()  # as the importer
    assert CODE_SYSTEM_ALIASES[key] == CURRENT_CODE_SYSTEM
