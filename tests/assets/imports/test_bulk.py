"""Ledger import, set-based path: `register_assets` registers new cards in batches (issue 7 bench).

What a user must not notice: each card gets its one `created` event with the content a card
registered by hand gets, components get their host, tags are issued in sequence, a refusal in a
late batch still leaves the register unchanged, and a re-import changes nothing.
"""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assets import services, tags
from assets.imports import jobs
from assets.models import Asset, AssetEvent, ImportJob
from tests.assets.imports.test_services import HEADERS, apply, ledger, snapshot, upload, xlsx
from tests.factories import (
    DepartmentFactory,
    LocationFactory,
    leaf_category,
    make_asset,
    retire_directly,
)

NESTING = [*HEADERS, "上级资产", "安装方式", "存放地点", "使用状况"]


@pytest.fixture
def importer(clerk):
    return clerk


@pytest.fixture
def small_batches(monkeypatch):
    """Two cards per bulk service call, so a handful of rows spans several batches."""
    monkeypatch.setattr("assets.imports.apply.APPLY_BATCH", 2)


def nested_ledger():
    """Components before their hosts, a three-level chain, and a rack-mounted device."""
    return [
        ["NIC-1", "网卡", "A02010104", "BDC", "BDC", 800, "2023-01-05", "SRV-1", "嵌入主机", "", ""],
        ["GPU-1", "显卡", "A02010104", "BDC", "BDC", 900, "2023-01-05", "SRV-1", "嵌入主机", "", ""],
        ["SFP-1", "光模块", "A02010104", "BDC", "BDC", 90, "2023-01-05", "NIC-1", "嵌入", "", ""],
        ["SRV-1", "服务器", "A02010104", "BDC", "BDC", 5e4, "2023-01-05", "RACK-1", "上架", "", ""],
        ["RACK-1", "机柜", "A02010104", "BDC", "BDC", 9000, "2023-01-05", "", "", "R101", ""],
        ["PC-1", "台式机", "A02010105", "BDC", "BDC", 5000, "2023-01-05", "", "", "R101", "闲置"],
    ]  # fmt: skip


def test_every_imported_card_has_one_created_event_like_a_card_registered_by_hand(
    api, importer, centre, small_batches
):
    by_hand = make_asset(owner=centre, actor=importer)
    job = upload(api, importer, xlsx(ledger(5))).json()
    assert apply(api, job["id"]).status_code == 200
    expected = AssetEvent.objects.get(asset=by_hand)
    imported = Asset.objects.exclude(pk=by_hand.pk)
    assert imported.count() == 5
    for asset in imported:
        event = AssetEvent.objects.get(asset=asset)
        assert (event.kind, event.actor, event.handover, event.campaign_id) == (
            expected.kind,
            expected.actor,
            None,
            None,
        )
        assert event.changes == {"tag": [None, asset.tag], "status": [None, "in_use"]}
        assert event.note == f"Imported from ledger.xlsx (import #{job['id']})"


def test_components_get_their_host_in_any_row_order_across_batches(api, importer, small_batches):
    room = LocationFactory(code="R101", name="一号机房")
    job = upload(api, importer, xlsx(nested_ledger(), NESTING)).json()
    assert job["state"] == "ready", job["errors"]
    assert apply(api, job["id"]).status_code == 200
    cards = {a.legacy_number: a for a in Asset.objects.select_related("parent")}
    hosts = {number: card.parent and card.parent.legacy_number for number, card in cards.items()}
    assert hosts == {
        "NIC-1": "SRV-1",
        "GPU-1": "SRV-1",
        "SFP-1": "NIC-1",
        "SRV-1": "RACK-1",
        "RACK-1": None,
        "PC-1": None,
    }
    # Physically inside all the way down: each takes its host's location.
    assert {number: card.location_id for number, card in cards.items()} == dict.fromkeys(
        cards, room.pk
    )
    assert cards["SRV-1"].install_mode == Asset.InstallMode.RACK_MOUNTED
    assert AssetEvent.objects.filter(kind="created").count() == 6


def test_an_idle_row_is_registered_in_use_then_set_idle_with_both_events(
    api, importer, small_batches
):
    LocationFactory(code="R101", name="一号机房")
    apply(api, upload(api, importer, xlsx(nested_ledger(), NESTING)).json()["id"])
    pc = Asset.objects.get(legacy_number="PC-1")
    assert pc.status == Asset.Status.IDLE
    events = list(AssetEvent.objects.filter(asset=pc).order_by("id"))
    assert [(e.kind, e.changes) for e in events] == [
        ("created", {"tag": [None, pc.tag], "status": [None, "in_use"]}),
        ("status_changed", {"status": ["in_use", "idle"]}),
    ]


def test_imported_tags_are_unique_sequential_and_carry_their_check_character(
    api, importer, small_batches
):
    apply(api, upload(api, importer, xlsx(ledger(40))).json()["id"])
    issued = list(Asset.objects.order_by("pk").values_list("tag", flat=True))
    year = timezone.localdate().year
    prefix = issued[0][: -(4 + tags.SEQUENCE_DIGITS + 1)]
    in_sequence = [tags.make_tag(prefix, year, n) for n in range(1, 60)]
    assert issued == [tag for tag in in_sequence if tag is not None][:40]
    assert all(tags.is_valid(tag) for tag in issued)
    with transaction.atomic():
        assert services.next_tag() > issued[-1]


def test_a_refusal_in_a_late_batch_leaves_the_register_unchanged(
    api, importer, small_batches, monkeypatch
):
    make_asset(owner=importer.department, actor=importer)
    real = services.register_assets
    calls = []

    def refuse_the_third_batch(**kwargs):
        calls.append(kwargs)
        if len(calls) == 3:
            raise services.CardRefused(1, ValidationError({"name": "refused"}))
        return real(**kwargs)

    monkeypatch.setattr(services, "register_assets", refuse_the_third_batch)
    job = upload(api, importer, xlsx(ledger(7))).json()
    before = snapshot()
    response = apply(api, job["id"])
    assert response.status_code == 400
    # Rows 2-3 and 4-5 went in the first two batches; the third batch holds rows 6 and 7.
    assert [(e["row"], e["column"]) for e in response.json()["errors"]] == [(7, "资产名称")]
    assert snapshot() == before
    assert ImportJob.objects.get(pk=job["id"]).state == "invalid"


def test_reimporting_a_nested_ledger_changes_nothing(api, importer, small_batches):
    LocationFactory(code="R101", name="一号机房")
    data = xlsx(nested_ledger(), NESTING)
    apply(api, upload(api, importer, data).json()["id"])
    before = snapshot()
    job = upload(api, importer, data).json()
    assert (job["create_count"], job["update_count"], job["unchanged_count"]) == (0, 0, 6)
    assert apply(api, job["id"]).status_code == 200
    assert snapshot() == before


def test_a_mixed_reimport_updates_each_card_through_the_right_action(api, importer, small_batches):
    LocationFactory(code="R101", name="一号机房")
    apply(api, upload(api, importer, xlsx(nested_ledger(), NESTING)).json()["id"])
    rows = nested_ledger()
    rows[0][1] = "万兆网卡"  # NIC-1: a plain change
    rows[1][1] = "图形卡"  # GPU-1: a plain change
    rows[1][7] = "NEW-1"  # ... and a new host that comes later in the file
    rows[5][10] = "在用"  # PC-1: idle -> in use
    rows[5][3] = "BDC"  # unchanged value
    rows.append(
        ["NEW-1", "新服务器", "A02010104", "BDC", "BDC", 1, "2023-01-05", "", "", "R101", ""]
    )
    job = upload(api, importer, xlsx(rows, NESTING)).json()
    assert job["state"] == "ready", job["errors"]
    assert (job["create_count"], job["update_count"], job["unchanged_count"]) == (1, 3, 3)
    before = AssetEvent.objects.count()
    assert apply(api, job["id"]).status_code == 200
    cards = {a.legacy_number: a for a in Asset.objects.select_related("parent")}
    assert (cards["NIC-1"].name, cards["GPU-1"].name) == ("万兆网卡", "图形卡")
    assert cards["GPU-1"].parent.legacy_number == "NEW-1"
    assert cards["PC-1"].status == Asset.Status.IN_USE
    written = AssetEvent.objects.filter(pk__gt=0).order_by("id")[before:]
    kinds = sorted((e.asset.legacy_number, e.kind, str(e.changes)) for e in written)
    assert kinds == sorted(
        [
            (
                "NEW-1",
                "created",
                str({"tag": [None, cards["NEW-1"].tag], "status": [None, "in_use"]}),
            ),
            ("NIC-1", "updated", str({"name": ["网卡", "万兆网卡"]})),
            ("GPU-1", "updated", str({"name": ["显卡", "图形卡"]})),
            (
                "GPU-1",
                "nested",
                str({"parent": [cards["SRV-1"].tag, cards["NEW-1"].tag]}),
            ),
            ("SRV-1", "nested", str({"components": [cards["GPU-1"].tag, None]})),
            ("NEW-1", "nested", str({"components": [None, cards["GPU-1"].tag]})),
            ("PC-1", "status_changed", str({"status": ["idle", "in_use"]})),
        ]
    )


def test_a_reimport_that_changes_the_using_department_records_both_codes(api, importer, centre):
    DepartmentFactory(code="OPS", name="运维科", parent=centre)
    apply(api, upload(api, importer, xlsx(ledger(2))).json()["id"])
    rows = ledger(2)
    rows[1][4] = "OPS"
    job = upload(api, importer, xlsx(rows)).json()
    assert job["preview"][1]["changes"] == {"using_department": ["BDC", "OPS"]}
    apply(api, job["id"])
    event = AssetEvent.objects.get(asset__legacy_number="GD-00002", kind="updated")
    assert event.changes == {"using_department": ["BDC", "OPS"]}


def test_checking_a_reimport_takes_as_many_queries_for_30_rows_as_for_3(importer):
    def queries_to_check(count):
        data = xlsx(ledger(count, prefix=f"Q{count}"))
        jobs.apply_import_job(
            job=jobs.create_import_job(actor=importer, data=data, name="l.xlsx"),
            actor=importer,
        )
        with CaptureQueriesContext(connection) as queries:
            job = jobs.create_import_job(actor=importer, data=data, name="l.xlsx")
        assert job.unchanged_count == count
        return len(queries)

    assert queries_to_check(30) == queries_to_check(3)


def test_a_new_component_of_a_retired_card_in_the_file_is_an_error_at_preview(api, importer):
    host = make_asset(owner=importer.department, actor=importer, legacy_number="OLD-1")
    retire_directly(asset=host, actor=importer, reason="报废")
    headers = [*HEADERS, "上级资产"]
    rows = [
        ["OLD-1", host.name, "A02010105", "BDC", "", 6000, ""],  # as registered: unchanged
        ["NIC-1", "网卡", "A02010104", "BDC", "BDC", 800, "2023-01-05", "OLD-1"],
    ]
    job = upload(api, importer, xlsx(rows, headers)).json()
    assert job["state"] == "invalid"
    assert [(e["row"], e["column"]) for e in job["errors"]] == [(3, "上级资产")]
    assert "retired" in job["errors"][0]["message"]


# --- the service ------------------------------------------------------------------------------


def _card(centre, **fields):
    return {
        "name": "服务器",
        "owner_department": centre,
        "category": leaf_category(),
        "status": Asset.Status.IN_USE,
        **fields,
    }


@pytest.mark.parametrize(
    "bad",
    [
        {"status": Asset.Status.LENT},
        {"status": Asset.Status.RETIRED},
        {"tag": "YK2024000001"},
        {"owner_department": None},
        {"category": None},
        {"group_category": True},
        {"legacy_category": True},
        {"foreign_department": True},
        {"retired_host": True},
        {"install_mode": Asset.InstallMode.EMBEDDED},
        {"original_value": -1},
        {"in_service_on": "before acquisition"},
        {"name": "  "},
    ],
    ids=lambda bad: next(iter(bad)),
)
def test_register_assets_refuses_what_register_asset_refuses_and_writes_nothing(
    clerk, centre, other_bureau, bad
):
    from datetime import date

    from assets.models import Category

    fields = dict(bad)
    if fields.pop("group_category", False):
        fields["category"] = Category.objects.get(code_system="GBT14885-2022", code="A02010100")
    if fields.pop("legacy_category", False):
        fields["category"] = Category.objects.exclude(code_system="GBT14885-2022").first()
    if fields.pop("foreign_department", False):
        fields["using_department"] = other_bureau
    if fields.pop("retired_host", False):
        host = make_asset(owner=centre, actor=clerk)
        retire_directly(asset=host, actor=clerk, reason="报废")
        fields["parent"] = host
    if fields.get("in_service_on"):
        fields.update(acquired_on=date(2023, 5, 1), in_service_on=date(2023, 4, 1))
    bad_card = _card(centre, **fields)
    before = snapshot()
    with pytest.raises(ValidationError) as by_hand:
        services.register_asset(actor=clerk, fields=bad_card)
    with pytest.raises(services.CardRefused) as in_bulk:
        services.register_assets(actor=clerk, cards=[_card(centre), _card(centre), bad_card])
    assert in_bulk.value.index == 2
    assert in_bulk.value.message_dict == by_hand.value.message_dict
    assert snapshot() == before


def test_register_assets_writes_what_register_asset_writes(clerk, centre):
    room = LocationFactory()
    host = make_asset(owner=centre, actor=clerk, location=room)
    fields = _card(
        centre, parent=host, install_mode=Asset.InstallMode.EMBEDDED, status=Asset.Status.DRAFT
    )
    with transaction.atomic():
        by_hand = services.register_asset(actor=clerk, fields=fields, note="手工")
        [in_bulk] = services.register_assets(actor=clerk, cards=[fields], note="手工")
    by_hand.refresh_from_db()
    in_bulk.refresh_from_db()
    compared = [
        f.attname for f in Asset._meta.concrete_fields if f.name not in ("id", "tag", "created_at")
    ]
    compared.remove("updated_at")
    assert {f: getattr(in_bulk, f) for f in compared} == {f: getattr(by_hand, f) for f in compared}
    assert in_bulk.location_id == room.pk
    [hand_event] = AssetEvent.objects.filter(asset=by_hand).values("kind", "actor", "note")
    [bulk_event] = AssetEvent.objects.filter(asset=in_bulk).values("kind", "actor", "note")
    assert bulk_event == hand_event
    assert AssetEvent.objects.get(asset=in_bulk).changes == {
        "tag": [None, in_bulk.tag],
        "status": [None, "draft"],
    }


def _changed_card(centre):
    return make_asset(owner=centre, name="旧名称", acquired_on=None)


@pytest.mark.parametrize(
    "bad",
    [
        {"status": Asset.Status.IDLE},
        {"tag": "YK2024000001"},
        {"lent_to": "某单位"},
        {"retired": True},
        {"group_category": True},
        {"foreign_department": True},
        {"original_value": -1},
        {"name": "  "},
        {"in_service_on": "before acquisition"},
    ],
    ids=lambda bad: next(iter(bad)),
)
def test_update_assets_refuses_what_update_asset_refuses_and_writes_nothing(
    clerk, centre, other_bureau, bad
):
    from datetime import date

    from assets.errors import DomainError
    from assets.models import Category

    fields = dict(bad)
    card = _changed_card(centre)
    if fields.pop("retired", False):
        retire_directly(asset=card, actor=clerk, reason="报废")
        fields["name"] = "新名称"
    if fields.pop("group_category", False):
        fields["category"] = Category.objects.get(code_system="GBT14885-2022", code="A02010100")
    if fields.pop("foreign_department", False):
        fields["using_department"] = other_bureau
    if fields.get("in_service_on"):
        fields.update(acquired_on=date(2023, 5, 1), in_service_on=date(2023, 4, 1))
    good = [(_changed_card(centre), {"name": "新名称"}) for _ in range(2)]
    before = snapshot()
    with pytest.raises((ValidationError, DomainError)) as by_hand:
        services.update_asset(asset=card, actor=clerk, fields=fields)
    with pytest.raises(services.CardRefused) as in_bulk:
        services.update_assets(actor=clerk, updates=[*good, (card, fields)])
    assert in_bulk.value.index == 2
    assert type(in_bulk.value.refusal) is type(by_hand.value)
    if isinstance(by_hand.value, ValidationError):
        assert in_bulk.value.message_dict == by_hand.value.message_dict
    else:
        assert in_bulk.value.messages == [str(by_hand.value.message)]
    assert snapshot() == before
    assert set(Asset.objects.values_list("name", flat=True)) == {"旧名称"}


def test_update_assets_writes_what_update_asset_writes(clerk, centre):
    ops = DepartmentFactory(code="OPS", parent=centre)
    by_hand, in_bulk, untouched = (_changed_card(centre) for _ in range(3))
    fields = {"name": "新名称", "using_department": ops, "original_value": 7000}
    services.update_asset(asset=by_hand, actor=clerk, fields=fields, note="更正")
    stamp = Asset.objects.get(pk=untouched.pk).updated_at
    services.update_assets(
        actor=clerk,
        updates=[(in_bulk, fields), (untouched, {"name": "旧名称"})],
        note="更正",
    )
    by_hand.refresh_from_db()
    in_bulk.refresh_from_db()
    compared = [
        f.attname
        for f in Asset._meta.concrete_fields
        if f.name not in ("id", "tag", "created_at", "updated_at")
    ]
    assert {f: getattr(in_bulk, f) for f in compared} == {f: getattr(by_hand, f) for f in compared}
    assert in_bulk.updated_at > in_bulk.created_at
    hand_event = AssetEvent.objects.get(asset=by_hand, kind="updated")
    bulk_event = AssetEvent.objects.get(asset=in_bulk, kind="updated")
    assert (bulk_event.changes, bulk_event.note, bulk_event.actor) == (
        hand_event.changes,
        hand_event.note,
        hand_event.actor,
    )
    assert bulk_event.changes["using_department"] == [None, "OPS"]
    assert not AssetEvent.objects.filter(asset=untouched, kind="updated").exists()
    assert Asset.objects.get(pk=untouched.pk).updated_at == stamp
