import re
from decimal import Decimal

import pytest
from django.urls import reverse

from assets.models import Asset
from labels import services
from labels.models import Label, LabelTemplate, PrintBatch
from tests.factories import make_asset, retire_directly

pytestmark = pytest.mark.django_db


def _print(actor, assets, capture, code="a4-70x40"):
    with capture(execute=True):
        batch = services.print_labels(
            actor=actor, assets=assets, template=LabelTemplate.objects.get(code=code)
        )
    return batch


@pytest.fixture
def card(centre):
    centre.contact = "资产科 0571-12345678"
    centre.save()
    return make_asset(
        owner=centre,
        name="核心交换机",
        custodian="张三",
        original_value=Decimal("98765.43"),
        model="S7706",
    )


def test_anonymous_scan_shows_only_tag_owner_and_contact_by_default(client, card):
    """15.15: the default public page leaves the asset's name out."""
    response = client.get(reverse("labels:scan", args=[card.tag]))
    body = response.content.decode()
    assert response.status_code == 200
    assert card.tag in body and "市大数据中心" in body
    assert "0571-12345678" in body
    for secret in ("核心交换机", "张三", "98765", "S7706"):
        assert secret not in body


def test_a_deployment_may_show_the_name_on_the_public_page(client, card, settings):
    settings.YIKA_PUBLIC_LABEL_FIELDS = ["name", "owner", "contact"]
    body = client.get(reverse("labels:scan", args=[card.tag])).content.decode()
    assert "核心交换机" in body and "市大数据中心" in body and "0571-12345678" in body


def test_a_deployment_may_show_the_tag_only(client, card, settings):
    settings.YIKA_PUBLIC_LABEL_FIELDS = []
    body = client.get(reverse("labels:scan", args=[card.tag])).content.decode()
    assert card.tag in body
    for hidden in ("核心交换机", "市大数据中心", "0571-12345678"):
        assert hidden not in body


def test_the_public_page_is_throttled_per_address(client, card, settings):
    settings.YIKA_PUBLIC_SCAN_RATE = "5/min"
    url = reverse("labels:scan", args=[card.tag])
    answers = [client.get(url).status_code for _ in range(6)]
    assert answers == [200] * 5 + [429]
    refused = client.get(url)
    assert refused.status_code == 429 and 1 <= int(refused["Retry-After"]) <= 61
    assert "扫码过于频繁" in refused.content.decode()
    assert "市大数据中心" not in refused.content.decode()
    assert client.get(url, REMOTE_ADDR="10.0.0.9").status_code == 200


def test_the_limit_counts_unknown_tags_too(client, card, settings):
    settings.YIKA_PUBLIC_SCAN_RATE = "3/min"
    from assets.tags import make_tag

    unknown = [t for t in (make_tag("YK", 2026, 90000 + n) for n in range(10)) if t][:3]
    answers = [client.get(f"/a/{tag}").status_code for tag in unknown]
    assert answers == [404, 404, 404]
    assert client.get(reverse("labels:scan", args=[card.tag])).status_code == 429


def test_the_owners_own_clerk_is_never_throttled(client, clerk, card, settings):
    settings.YIKA_PUBLIC_SCAN_RATE = "2/min"
    client.force_login(clerk)
    answers = {client.get(f"/a/{card.tag}").status_code for _ in range(5)}
    assert answers == {302}


def test_rate_strings_parse():
    from labels.throttle import parse_rate

    assert parse_rate("30/min") == (30, 60)
    assert parse_rate("2/s") == (2, 1)
    assert parse_rate("100/day") == (100, 86400)
    assert parse_rate("off") is None and parse_rate("") is None


def test_anonymous_scan_falls_back_to_the_configured_contact(client, centre, settings):
    settings.YIKA_REPORT_CONTACT = "资产管理处 12345"
    asset = make_asset(owner=centre)
    assert "资产管理处 12345" in client.get(f"/a/{asset.tag}").content.decode()


def test_unknown_and_malformed_tags_give_the_same_not_found_page(client, card):
    unknown = client.get("/a/YK2026999999Z")
    malformed = client.get("/a/NOT-A-TAG")
    assert unknown.status_code == malformed.status_code == 404
    assert [t.name for t in unknown.templates][:1] == ["labels/scan_not_found.html"]
    assert [t.name for t in malformed.templates][:1] == ["labels/scan_not_found.html"]


def test_a_retired_cards_scan_gives_nothing_away(client, clerk, centre):
    asset = make_asset(owner=centre, status=Asset.Status.IN_STOCK, name="旧打印机")
    retire_directly(asset=asset, actor=clerk, reason="报废")
    response = client.get(f"/a/{asset.tag}")
    body = response.content.decode()
    assert response.status_code == 404 and "旧打印机" not in body and "市大数据中心" not in body


def test_signed_in_scan_opens_the_card(client, clerk, card, django_capture_on_commit_callbacks):
    _print(clerk, [card], django_capture_on_commit_callbacks)
    client.force_login(clerk)
    response = client.get(f"/a/{card.tag.lower()}?l=1")
    assert response.status_code == 302
    assert response["Location"] == reverse("assets:asset-detail", args=[card.tag])


def test_another_departments_user_sees_only_the_public_view(client, other_clerk, card):
    client.force_login(other_clerk)
    response = client.get(f"/a/{card.tag}")
    assert response.status_code == 200
    assert "张三" not in response.content.decode()


def test_a_signed_in_clerk_of_another_unit_is_told_whose_card_it_is_not_to_sign_in(
    client, other_clerk, card
):
    """14.14: they were told "工作人员：登录后查看卡片" although signed in."""
    client.force_login(other_clerk)
    body = client.get(f"/a/{card.tag}").content.decode()
    assert "登录后查看卡片" not in body and reverse("login") not in body
    assert "该资产登记在市大数据中心名下，不属于您所在单位" in body
    assert "资产科 0571-12345678" in body.split('id="outsider-note"')[1]


def test_an_anonymous_scan_still_offers_staff_the_sign_in(client, card):
    body = client.get(f"/a/{card.tag}").content.decode()
    assert "登录后查看卡片" in body and "不属于您所在单位" not in body


def test_scanning_a_superseded_label_says_so(
    client, clerk, card, django_capture_on_commit_callbacks
):
    _print(clerk, [card], django_capture_on_commit_callbacks)
    _print(clerk, [card], django_capture_on_commit_callbacks)
    client.force_login(clerk)
    response = client.get(f"/a/{card.tag}?l=1")
    body = response.content.decode()
    assert response.status_code == 200
    assert "superseded" in body or "已被" in body
    assert reverse("assets:asset-detail", args=[card.tag]) in body


def test_the_public_view_flags_an_old_label_too(
    client, clerk, card, django_capture_on_commit_callbacks
):
    _print(clerk, [card], django_capture_on_commit_callbacks)
    _print(clerk, [card], django_capture_on_commit_callbacks)
    old = client.get(f"/a/{card.tag}?l=1").content.decode()
    current = client.get(f"/a/{card.tag}?l=2").content.decode()
    assert 'class="message message--warning"' in old
    assert 'class="message message--warning"' not in current


def test_a_label_voided_without_reprint_says_voided_not_replaced(
    client, clerk, card, django_capture_on_commit_callbacks
):
    """Walk 2 finding 8: no new label exists, so the public page must not say it was replaced."""
    _print(clerk, [card], django_capture_on_commit_callbacks)
    services.void_label(actor=clerk, asset=card, reason="标签污损")
    zh = client.get(f"/a/{card.tag}?l=1", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "此标签已作废，请告知权属单位。" in zh and "新标签" not in zh
    en = client.get(f"/a/{card.tag}?l=1", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "This label has been voided." in en and "replaced" not in en
    # Printed again after the void: the old label now has a successor.
    _print(clerk, [card], django_capture_on_commit_callbacks)
    again = client.get(f"/a/{card.tag}?l=1", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "此标签已被新标签替换" in again


def test_queue_filters_never_labelled(client, clerk, centre, django_capture_on_commit_callbacks):
    labelled = make_asset(owner=centre, name="已贴标")
    fresh = make_asset(owner=centre, name="未贴标")
    _print(clerk, [labelled], django_capture_on_commit_callbacks)
    client.force_login(clerk)
    body = client.get(reverse("labels:queue"), {"filter": "never"}).content.decode()
    assert fresh.tag in body and labelled.tag not in body


def test_queue_filters_voided_labels(client, clerk, centre, django_capture_on_commit_callbacks):
    voided = make_asset(owner=centre)
    fine = make_asset(owner=centre)
    _print(clerk, [voided, fine], django_capture_on_commit_callbacks)
    services.void_label(actor=clerk, asset=voided, reason="损坏")
    client.force_login(clerk)
    body = client.get(reverse("labels:queue"), {"filter": "superseded"}).content.decode()
    assert voided.tag in body and fine.tag not in body


def test_queue_filters_embedded_devices_without_a_strategy(client, clerk, centre):
    host = make_asset(owner=centre, name="服务器")
    undecided = make_asset(owner=centre, parent=host, embedded=True, name="网卡")
    decided = make_asset(
        owner=centre,
        parent=host,
        embedded=True,
        name="内存",
        label_mode=Asset.LabelMode.HOST_LABEL,
    )
    client.force_login(clerk)
    body = client.get(reverse("labels:queue"), {"filter": "embedded"}).content.decode()
    rows = set(re.findall(r'name="tags" value="([0-9A-Z]+)"', body))
    assert rows == {undecided.tag}
    assert decided.tag not in body and host.tag != undecided.tag


def test_queue_never_shows_another_departments_cards(client, clerk, other_bureau):
    foreign = make_asset(owner=other_bureau)
    client.force_login(clerk)
    assert foreign.tag not in client.get(reverse("labels:queue")).content.decode()


def test_printing_the_ticked_cards_leads_to_the_batch_page(
    client, clerk, centre, django_capture_on_commit_callbacks
):
    assets = [make_asset(owner=centre) for _ in range(2)]
    client.force_login(clerk)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("labels:queue"),
            {"template": "a4-70x40", "mode": "selected", "tags": [a.tag for a in assets]},
        )
    batch = PrintBatch.objects.get()
    assert response["Location"] == reverse("labels:batch-detail", args=[batch.pk])
    page = client.get(response["Location"]).content.decode()
    assert reverse("label-batch-pdf", args=[batch.pk]) in page


def test_printing_what_the_filter_shows(client, clerk, centre, django_capture_on_commit_callbacks):
    labelled = make_asset(owner=centre)
    _print(clerk, [labelled], django_capture_on_commit_callbacks)
    fresh = [make_asset(owner=centre) for _ in range(2)]
    client.force_login(clerk)
    client.post(
        reverse("labels:queue"), {"template": "a4-70x40", "mode": "filter", "filter": "never"}
    )
    batch = PrintBatch.objects.latest("id")
    assert set(batch.assets.values_list("pk", flat=True)) == {a.pk for a in fresh}


def test_printing_a_host_and_its_subtree_skips_components_listed_on_the_host(client, clerk, centre):
    host = make_asset(owner=centre, name="机柜")
    own = make_asset(owner=centre, parent=host, embedded=True, name="探针")
    listed = make_asset(
        owner=centre,
        parent=host,
        embedded=True,
        name="内存",
        label_mode=Asset.LabelMode.HOST_LABEL,
    )
    client.force_login(clerk)
    client.post(
        reverse("labels:queue"), {"template": "flag-60x10", "mode": "host", "host": host.tag}
    )
    labelled = set(Label.objects.values_list("asset_id", flat=True))
    assert labelled == {host.pk, own.pk} and listed.pk not in labelled


def test_an_empty_selection_says_so_and_makes_no_batch(client, clerk):
    client.force_login(clerk)
    response = client.post(reverse("labels:queue"), {"template": "a4-70x40", "mode": "selected"})
    assert response.status_code == 400
    assert not PrintBatch.objects.exists()
    assert "请在下方列表中至少勾选一项资产。" in response.content.decode()


def test_the_queue_offers_the_three_print_choices_as_radio_buttons(client, clerk, centre):
    """14.1: the choices were a <select>'s options drawn outside any <select> (no radio, doubled
    text), so a submitted form never carried `mode`."""
    make_asset(owner=centre)
    client.force_login(clerk)
    body = client.get(reverse("labels:queue")).content.decode()
    radios = re.findall(r'<input type="radio" name="mode" value="(\w+)"[^>]*>', body)
    assert radios == ["selected", "filter", "host"]
    assert re.search(r'<input type="radio" name="mode" value="selected"[^>]*checked', body)
    assert "<option" not in body.split("<legend>")[1].split("</fieldset>")[0]


def test_a_refused_print_keeps_the_ticks_and_says_why(client, clerk, centre, other_bureau):
    mine = make_asset(owner=centre)
    foreign = make_asset(owner=other_bureau)
    client.force_login(clerk)
    response = client.post(
        reverse("labels:queue"),
        {"template": "a4-70x40", "mode": "selected", "tags": [mine.tag, foreign.tag]},
    )
    assert response.status_code == 400
    assert not PrintBatch.objects.exists()
    body = response.content.decode()
    assert re.search(rf'value="{mine.tag}" class="select-row"[^>]*checked', body)
    assert "未打印，原因如下" in body and foreign.tag in body
    assert re.search(r'name="mode" value="selected"[^>]*checked', body)


def test_printing_a_host_without_its_tag_names_the_host_field(client, clerk, centre):
    client.force_login(clerk)
    response = client.post(
        reverse("labels:queue"), {"template": "a4-70x40", "mode": "host", "host": ""}
    )
    assert response.status_code == 400
    assert "请填写主机资产编号。" in response.content.decode()
    assert not PrintBatch.objects.exists()


def test_the_queue_pagination_keeps_the_filter(client, clerk, centre):
    for _ in range(51):
        make_asset(owner=centre)
    client.force_login(clerk)
    body = client.get(reverse("labels:queue"), {"filter": "never"}).content.decode()
    assert "?filter=never&amp;page=2" in body or "?filter=never&page=2" in body


def test_card_page_shows_the_qr_preview_serial_and_print_button(
    client, clerk, card, django_capture_on_commit_callbacks
):
    _print(clerk, [card], django_capture_on_commit_callbacks)
    client.force_login(clerk)
    body = client.get(reverse("assets:asset-detail", args=[card.tag])).content.decode()
    assert reverse("labels:qr-svg", args=[card.tag]) in body
    assert reverse("labels:card-print", args=[card.tag]) in body
    assert re.search(r"\b1\b", body)


def test_the_print_button_prints_the_card(client, clerk, card, django_capture_on_commit_callbacks):
    client.force_login(clerk)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("labels:card-print", args=[card.tag]), {"template": "thermal-50x30"}
        )
    batch = PrintBatch.objects.get()
    assert response["Location"] == reverse("labels:batch-detail", args=[batch.pk])
    assert Label.objects.get(asset=card).serial == 1


def test_qr_preview_is_an_svg_of_the_active_label(
    client, clerk, card, django_capture_on_commit_callbacks
):
    _print(clerk, [card], django_capture_on_commit_callbacks)
    client.force_login(clerk)
    response = client.get(reverse("labels:qr-svg", args=[card.tag]))
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<svg") and b"<script" not in response.content


def test_batch_page_has_a_progress_bar_and_no_inline_script(client, clerk, centre, settings):
    settings.YIKA_LABELS_SYNC_LIMIT = 0  # queued: the page must poll
    batch = services.print_labels(
        actor=clerk,
        assets=[make_asset(owner=centre)],
        template=LabelTemplate.objects.get(code="a4-70x40"),
    )
    client.force_login(clerk)
    response = client.get(reverse("labels:batch-detail", args=[batch.pk]))
    body = response.content.decode()
    assert '<progress class="progress"' in body and "labels/batch.js" in body
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body)
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_names_with_markup_are_escaped_on_the_label_pages(client, clerk, centre):
    make_asset(owner=centre, name="<script>alert(1)</script>")
    client.force_login(clerk)
    body = client.get(reverse("labels:queue")).content.decode()
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body


def test_the_auditors_labels_page_shows_the_register_and_says_what_they_can_do(
    client, auditor, clerk, centre, other_bureau, django_capture_on_commit_callbacks
):
    """14.18: the auditor's labels page read as if the register were empty."""
    mine = make_asset(owner=centre, name="台式计算机")
    theirs = make_asset(owner=other_bureau, name="打印机")
    _print(clerk, [mine], django_capture_on_commit_callbacks)
    client.force_login(auditor)
    response = client.get(reverse("labels:queue"))
    body = response.content.decode()
    assert response.status_code == 200
    assert mine.tag in body and theirs.tag in body
    assert 'id="read-only-note"' in body and "不能打印" in body
    assert "打印批次 1 个" in body
    assert 'id="print-form"' not in body and 'name="tags"' not in body
    assert client.post(reverse("labels:queue"), {"mode": "filter"}).status_code == 403


def test_a_batchs_selection_reads_in_the_readers_language(
    client, clerk, centre, django_capture_on_commit_callbacks
):
    """A batch printed from a Chinese page said "所选资产 2 项" on English pages (the words were
    stored in the printer's language); the batch keeps a key and each reader reads their own."""
    from labels.models import PrintBatch

    cards = [make_asset(owner=centre), make_asset(owner=centre)]
    client.force_login(clerk)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/labels/",
            {"mode": "selected", "template": "a4-70x40", "tags": [c.tag for c in cards]},
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
    batch = PrintBatch.objects.get()
    assert batch.selection == "chosen:2"
    en = client.get(f"/labels/batches/{batch.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "2 chosen assets" in en and "所选资产" not in en
    zh = client.get("/labels/batches/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "所选资产 2 项" in zh
    api = client.get(f"/api/v1/labels/batches/{batch.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert api["selection"] == "2 chosen assets"
    # A batch from before the keys keeps the words it was written with.
    PrintBatch.objects.filter(pk=batch.pk).update(selection="旧批次：机房全部资产")
    assert "旧批次：机房全部资产" in client.get("/labels/batches/").content.decode()


def test_a_batch_print_names_the_labels_it_voids_and_prints_only_when_agreed(
    client, clerk, centre, django_capture_on_commit_callbacks
):
    """Walk finding 10: the card page asks before a reprint voids label no. 1; a batch did not."""
    labelled = make_asset(owner=centre)
    _print(clerk, [labelled], django_capture_on_commit_callbacks)
    fresh = make_asset(owner=centre)
    client.force_login(clerk)
    choice = {"template": "a4-70x40", "mode": "selected", "tags": [labelled.tag, fresh.tag]}
    asked = client.post(reverse("labels:queue"), choice)
    assert asked.status_code == 200 and PrintBatch.objects.count() == 1
    body = asked.content.decode()
    assert 'id="print-void-confirm"' in body and labelled.tag in body and "第 1 号标签作废" in body
    agreed = re.search(r'name="confirm_void" value="([^"]*)"', body).group(1)
    assert agreed == f"{labelled.tag}:1"
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(reverse("labels:queue"), {**choice, "confirm_void": agreed})
    assert done.status_code == 302 and PrintBatch.objects.count() == 2
    assert Label.objects.get(asset=labelled, superseded_at__isnull=True).serial == 2


def test_the_queue_offers_no_tick_for_a_card_listed_on_its_host(client, clerk, centre):
    """Walk finding 11: ticking a nested card without its own label refused the whole batch."""
    host = make_asset(owner=centre, name="服务器")
    listed = make_asset(
        owner=centre,
        parent=host,
        embedded=True,
        name="密码卡",
        label_mode=Asset.LabelMode.HOST_LABEL,
    )
    client.force_login(clerk)
    body = client.get(reverse("labels:queue")).content.decode()
    assert f'value="{host.tag}" class="select-row"' in body
    assert f'value="{listed.tag}" class="select-row"' not in body
    assert "data-no-own-label>在主机的部件清单上" in body
