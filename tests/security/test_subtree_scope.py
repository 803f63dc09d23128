"""Issue 15.3: the components subtree and the host breadcrumb keep to the reader's scope.

A host of the big data centre holds a component of the health commission (with a centre card
inside it) and a component of its own; a centre card sits inside a health commission host.
"""

import pytest

from tests.factories import make_asset

pytestmark = pytest.mark.django_db

# The documented count of left-out components (assets/api/views.py).
HIDDEN_COMPONENTS_HEADER = "X-Hidden-Components"


@pytest.fixture
def tree(centre, other_bureau):
    host = make_asset(owner=centre, name="自助服务终端", serial_number="SN-HOST")
    foreign = make_asset(
        owner=other_bureau,
        parent=host,
        embedded=True,
        name="卫健委读卡模块",
        model="HX-READER-7",
        serial_number="SN-HEALTH-SECRET",
    )
    below_foreign = make_asset(
        owner=centre, parent=foreign, embedded=True, name="加密芯片", serial_number="SN-CHIP"
    )
    own = make_asset(owner=centre, parent=host, embedded=True, name="触摸屏")
    foreign_host = make_asset(
        owner=other_bureau, name="卫健委前置机", model="HX-FRONT", serial_number="SN-FRONT"
    )
    inside_foreign = make_asset(owner=centre, parent=foreign_host, name="数据中心网卡")
    return {
        "host": host,
        "foreign": foreign,
        "below_foreign": below_foreign,
        "own": own,
        "foreign_host": foreign_host,
        "inside_foreign": inside_foreign,
    }


def test_components_api_lists_only_components_in_the_readers_scope(api, clerk, tree):
    response = api.as_user(clerk).get(f"/api/v1/assets/{tree['host'].tag}/components/")
    assert response.status_code == 200
    rows = response.json()
    assert [row["tag"] for row in rows] == [tree["own"].tag]
    # The foreign component and the card inside it are counted, not shown.
    assert response[HIDDEN_COMPONENTS_HEADER] == "2"
    body = response.content.decode()
    for secret in ("HX-READER-7", "SN-HEALTH-SECRET", tree["foreign"].tag, "卫健委读卡模块"):
        assert secret not in body


def test_components_api_lists_the_whole_subtree_to_auditors(api, auditor, tree):
    response = api.as_user(auditor).get(f"/api/v1/assets/{tree['host'].tag}/components/")
    assert {row["tag"] for row in response.json()} == {
        tree["own"].tag,
        tree["foreign"].tag,
        tree["below_foreign"].tag,
    }
    assert response[HIDDEN_COMPONENTS_HEADER] == "0"


def test_card_page_counts_components_outside_the_readers_scope(client, clerk, tree):
    client.force_login(clerk)
    response = client.get(f"/assets/{tree['host'].tag}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    page = response.content.decode()
    assert tree["own"].tag in page
    for secret in ("HX-READER-7", "SN-HEALTH-SECRET", tree["foreign"].tag, "卫健委读卡模块"):
        assert secret not in page
    assert tree["below_foreign"].tag not in page
    assert "另有 2 项不在您的范围内" in page


def test_card_page_breadcrumb_hides_a_host_outside_the_readers_scope(client, clerk, tree):
    client.force_login(clerk)
    response = client.get(f"/assets/{tree['inside_foreign'].tag}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    page = response.content.decode()
    for secret in (tree["foreign_host"].tag, "卫健委前置机", "HX-FRONT", "SN-FRONT"):
        assert secret not in page
    assert "（不在您的范围内）" in page


def test_card_page_breadcrumb_names_a_host_in_scope(client, other_clerk, tree):
    """The health commission's clerk reads its own host above its component."""
    client.force_login(other_clerk)
    response = client.get(f"/assets/{tree['foreign'].tag}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    page = response.content.decode()
    # The host belongs to the centre: hidden. The component's own card is theirs.
    assert tree["host"].tag not in page
    assert "（不在您的范围内）" in page


def _assert_lists_own_and_counts_foreign(page, tree):
    assert tree["own"].tag in page
    for secret in (tree["foreign"].tag, "卫健委读卡模块", tree["below_foreign"].tag, "加密芯片"):
        assert secret not in page
    assert "另有 2 项不在您的范围内，未列出。" in page


def test_move_page_names_only_followers_in_the_readers_scope(client, clerk, tree):
    client.force_login(clerk)
    response = client.get(f"/assets/{tree['host'].tag}/move/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    page = response.content.decode()
    _assert_lists_own_and_counts_foreign(page, tree)
    # All three embedded components still move with the host, and the page says so.
    assert "以下 3 个套嵌或上架的附属设备将随之移动" in page


def test_retire_page_names_only_components_in_the_readers_scope(client, clerk, tree):
    client.force_login(clerk)
    response = client.get(f"/assets/{tree['host'].tag}/retire/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    page = response.content.decode()
    _assert_lists_own_and_counts_foreign(page, tree)
    assert 'data-hidden-components="2"' in page


def test_asset_list_host_column_hides_a_host_outside_the_readers_scope(client, clerk, tree):
    client.force_login(clerk)
    response = client.get("/?page_size=100", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    page = response.content.decode()
    assert tree["inside_foreign"].tag in page
    assert tree["foreign_host"].tag not in page
    assert "（不在您的范围内）" in page
    # A host in scope is still named and linked.
    assert f'href="/assets/{tree["host"].tag}/"' in page


def _export_hosts(api, user, fmt, language):
    import csv
    import io

    from openpyxl import load_workbook

    response = api.as_user(user).get(f"/api/v1/assets/export.{fmt}", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    else:
        sheet = load_workbook(io.BytesIO(content)).worksheets[0]
        rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    tag, host = 0, rows[0].index("上级资产" if language == "zh-hans" else "Host")
    return {row[tag]: row[host] for row in rows[1:]}, content


@pytest.mark.parametrize(
    ("fmt", "language", "marker"),
    [("xlsx", "zh-hans", "（不在您的范围内）"), ("csv", "en", "(outside your scope)")],
)
def test_asset_export_host_column_hides_a_host_outside_the_readers_scope(
    api, clerk, tree, fmt, language, marker
):
    hosts, content = _export_hosts(api, clerk, fmt, language)
    assert hosts[tree["inside_foreign"].tag] == marker
    assert hosts[tree["own"].tag] == tree["host"].tag
    assert tree["foreign_host"].tag.encode() not in content


def test_asset_export_names_every_host_to_auditors(api, auditor, tree):
    hosts, _ = _export_hosts(api, auditor, "csv", "en")
    assert hosts[tree["inside_foreign"].tag] == tree["foreign_host"].tag


def test_api_card_hides_the_tag_of_a_host_outside_the_readers_scope(api, clerk, tree):
    client = api.as_user(clerk)
    card = client.get(f"/api/v1/assets/{tree['inside_foreign'].tag}/").json()
    assert card["parent"] is None
    assert card["parent_hidden"] is True
    # The list says the same, and a card in a visible host or at the top level is unchanged.
    rows = {
        row["tag"]: row for row in client.get("/api/v1/assets/?page_size=100").json()["results"]
    }
    assert rows[tree["inside_foreign"].tag]["parent"] is None
    assert rows[tree["inside_foreign"].tag]["parent_hidden"] is True
    assert rows[tree["own"].tag]["parent"] == tree["host"].tag
    assert rows[tree["own"].tag]["parent_hidden"] is False
    assert rows[tree["host"].tag]["parent"] is None
    assert rows[tree["host"].tag]["parent_hidden"] is False
    body = client.get("/api/v1/assets/?page_size=100").content.decode()
    assert tree["foreign_host"].tag not in body


def test_api_card_names_every_host_to_auditors(api, auditor, tree):
    card = api.as_user(auditor).get(f"/api/v1/assets/{tree['inside_foreign'].tag}/").json()
    assert card["parent"] == tree["foreign_host"].tag
    assert card["parent_hidden"] is False


def test_api_card_parent_hidden_is_read_only_and_in_the_schema(api, clerk, tree):
    client = api.as_user(clerk)
    response = client.patch(
        f"/api/v1/assets/{tree['own'].tag}/",
        {"parent_hidden": True, "name": "触摸屏二"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["parent_hidden"] is False
    assert response.json()["parent"] == tree["host"].tag
    schema = client.get("/api/v1/schema/?format=json").json()
    field = schema["components"]["schemas"]["Asset"]["properties"]["parent_hidden"]
    assert field["type"] == "boolean"
    assert field["readOnly"] is True


def _print_batch(actor, assets, code, capture, settings, tmp_path):
    from labels import services as label_services
    from labels.models import LabelTemplate

    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    with capture(execute=True):
        batch = label_services.print_labels(
            actor=actor, assets=assets, template=LabelTemplate.objects.get(code=code)
        )
    batch.refresh_from_db()
    return batch


def test_host_label_contains_line_names_only_components_in_the_printers_scope(
    clerk, tree, settings, tmp_path, django_capture_on_commit_callbacks
):
    from tests.labels.helpers import batch_pdf_path, pdf_text

    batch = _print_batch(
        clerk, [tree["host"]], "a4-70x40", django_capture_on_commit_callbacks, settings, tmp_path
    )
    text = "".join(pdf_text(batch_pdf_path(batch)).split())
    assert tree["own"].tag in text
    assert tree["foreign"].tag not in text


def test_component_sheet_lists_only_components_in_the_printers_scope(
    clerk, tree, settings, tmp_path, django_capture_on_commit_callbacks
):
    from tests.labels.helpers import batch_pdf_path, pdf_text

    batch = _print_batch(
        clerk,
        [tree["host"]],
        "a4-components",
        django_capture_on_commit_callbacks,
        settings,
        tmp_path,
    )
    text = pdf_text(batch_pdf_path(batch))
    flat = "".join(text.split())
    assert tree["own"].tag in flat and "触摸屏" in flat
    for secret in (tree["foreign"].tag, "卫健委读卡模块", "HX-READER-7", "SN-HEALTH-SECRET"):
        assert secret not in flat
    assert "另有1项不在您的范围内，未列出。" in flat


def test_label_queue_host_column_hides_a_host_outside_the_readers_scope(client, clerk, tree):
    client.force_login(clerk)
    response = client.get("/labels/", {"filter": "never"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    page = response.content.decode()
    assert tree["inside_foreign"].tag in page
    assert tree["foreign_host"].tag not in page
    assert "（不在您的范围内）" in page


def test_handover_form_host_column_hides_a_host_outside_the_readers_scope(
    client, clerk, tree, project
):
    inside = make_asset(
        owner=project.builder_department, project=project, parent=tree["foreign_host"]
    )
    client.force_login(clerk)
    response = client.get(
        "/handovers/new/", {"project": project.code}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert inside.tag in page
    assert tree["foreign_host"].tag not in page
    assert "（不在您的范围内）" in page


def test_parent_filter_does_not_confirm_a_host_outside_the_readers_scope(
    api, client, clerk, auditor, tree
):
    """`?parent=TAG` answering "your card sits in TAG" would confirm a tag outside the scope."""
    foreign_host = tree["foreign_host"].tag
    rows = api.as_user(clerk).get(f"/api/v1/assets/?parent={foreign_host}").json()["results"]
    assert rows == []
    own = api.as_user(clerk).get(f"/api/v1/assets/?parent={tree['host'].tag}").json()["results"]
    assert {row["tag"] for row in own} == {tree["own"].tag}
    client.force_login(clerk)
    page = client.get("/", {"parent": foreign_host}).content.decode()
    assert tree["inside_foreign"].tag not in page
    everything = api.as_user(auditor).get(f"/api/v1/assets/?parent={foreign_host}").json()
    assert [row["tag"] for row in everything["results"]] == [tree["inside_foreign"].tag]


def test_card_history_does_not_name_a_host_or_component_outside_the_readers_scope(
    api, client, clerk, admin_user, tree, centre, other_bureau
):
    """Nesting writes the other card's tag into both histories ("components", "parent")."""
    from assets import services

    stray = make_asset(owner=other_bureau, name="卫健委网关")
    services.nest_asset(asset=stray, actor=admin_user, parent=tree["host"], embedded=False)
    mine = make_asset(owner=centre, name="数据中心交换机")
    services.nest_asset(asset=mine, actor=admin_user, parent=tree["foreign_host"], embedded=False)
    services.nest_asset(asset=mine, actor=admin_user, parent=None, embedded=False)

    client.force_login(clerk)
    for card, secret in ((tree["host"], stray.tag), (mine, tree["foreign_host"].tag)):
        page = client.get(f"/assets/{card.tag}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        assert secret not in page
        assert "（不在您的范围内）" in page
        events = api.as_user(clerk).get(f"/api/v1/assets/{card.tag}/events/").content.decode()
        assert secret not in events
        assert "(outside your scope)" in events or "不在您的范围内" in events
    # The auditor reads every tag.
    events = api.as_user(admin_user).get(f"/api/v1/assets/{mine.tag}/events/").content.decode()
    assert tree["foreign_host"].tag in events


def test_handover_api_item_host_hides_a_host_outside_the_readers_scope(api, clerk, tree, project):
    from assets.handovers import services as handover_services

    inside = make_asset(
        owner=project.builder_department, project=project, parent=tree["foreign_host"]
    )
    handover = handover_services.create_handover(actor=clerk, project=project, assets=[inside])
    response = api.as_user(clerk).get(f"/api/v1/handovers/{handover.number}/")
    assert response.status_code == 200
    [item] = response.json()["items"]
    assert item["tag"] == inside.tag
    assert item["host"] is None
    assert tree["foreign_host"].tag not in response.content.decode()


def test_handover_list_export_hides_a_host_outside_the_readers_scope(api, clerk, tree, project):
    from assets.handovers import services as handover_services

    inside = make_asset(
        owner=project.builder_department, project=project, parent=tree["foreign_host"]
    )
    handover = handover_services.create_handover(actor=clerk, project=project, assets=[inside])
    response = api.as_user(clerk).get(
        f"/api/v1/handovers/{handover.number}/items.csv", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert inside.tag in text
    assert tree["foreign_host"].tag not in text
    assert "(outside your scope)" in text
