"""Oracle tests of the hand-written reconciliation SQL (STYLE.md "One database, and SQL where it
pays"): each statement's rows against the same rows computed from the ORM and the model's own
`Asset.accumulated_depreciation`, across the shapes that matter."""

import random
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from assets import permissions
from assets.models import Asset, FinanceRow, ReconciliationDifference
from assets.reconciliations import services as recon_services
from assets.reconciliations import sql
from tests.assets.reconciliations.conftest import xlsx_bytes
from tests.factories import make_asset, retire_directly

pytestmark = pytest.mark.django_db

DATES = [date(2020, 1, 1), date(2023, 12, 31), date(2024, 2, 29), date(2026, 6, 30)]


def test_depreciation_sql_is_the_models_depreciation(clerk, centre):
    rng = random.Random(19)
    cards = []
    for n in range(60):
        fields = {
            "original_value": Decimal(rng.randint(1, 9_999_999)) / 100,
            "useful_life_months": rng.choice([1, 7, 36, 72, 120]),
            "depreciate": rng.random() > 0.15,
            "in_service_on": None
            if rng.random() < 0.1
            else date(rng.randint(2015, 2026), rng.randint(1, 12), rng.randint(1, 28)),  # fmt: skip
        }
        cards.append(make_asset(owner=centre, actor=clerk, legacy_number=f"D{n}", **fields))
    for on in DATES:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT a.id, ({sql.DEPRECIATION_SQL}) FROM {sql.ASSET} AS a",  # noqa: S608
                {"on": on},
            )
            got = {pk: Decimal(value).quantize(Decimal("0.01")) for pk, value in cursor.fetchall()}
        for card in cards:
            assert got[card.pk] == card.accumulated_depreciation(on), (card.pk, on)


def _oracle_match(rows: list[dict], scope: list[Asset]) -> dict[int, tuple[int, str]]:
    """Row number -> (card id, key): by tag, then a legacy or serial number unique among the
    cards not yet taken."""
    live = [a for a in scope if a.status != Asset.Status.RETIRED]
    matched: dict[int, tuple[int, str]] = {}
    by_tag = {a.tag: a for a in live}
    for row in rows:
        if row["tag"] and row["tag"] in by_tag:
            matched[row["row"]] = (by_tag[row["tag"]].pk, "tag")
    for key in ("legacy_number", "serial_number"):
        taken = {pk for pk, _key in matched.values()}
        holders: dict[str, list[Asset]] = {}
        for card in live:
            if getattr(card, key) and card.pk not in taken:
                holders.setdefault(getattr(card, key), []).append(card)
        for row in rows:
            if row["row"] in matched or not row[key]:
                continue
            cards = holders.get(row[key], [])
            if len(cards) == 1:
                matched[row["row"]] = (cards[0].pk, key)
    return matched


def _oracle_differences(rows, matched, scope, on) -> set[tuple]:
    out = set()
    cards = {a.pk: a for a in scope}
    for row in rows:
        if row["row"] not in matched:
            out.add(("only_in_finance", None, row["row"]))
            continue
        card = cards[matched[row["row"]][0]]
        value = Decimal(row["value"])
        depreciation = Decimal(row["depreciation"])
        if value != card.original_value or depreciation != card.accumulated_depreciation(on):
            out.add(("value_differs", card.pk, row["row"]))
        if row["category"] != card.category.code:
            out.add(("category_differs", card.pk, row["row"]))
        if row["department"] != card.owner_department.code:
            out.add(("department_differs", card.pk, row["row"]))
    taken = {pk for pk, _key in matched.values()}
    for card in scope:
        if card.status != Asset.Status.RETIRED and card.pk not in taken:
            out.add(("only_in_register", card.pk, None))
    return out


def test_match_and_differences_are_the_orms(clerk, centre, other_bureau, admin_user):
    rng = random.Random(7)
    on = date(2025, 12, 31)
    cards = []
    for n in range(40):
        cards.append(
            make_asset(
                owner=centre,
                actor=clerk,
                legacy_number=rng.choice(["", f"L{n}", "L-SHARED", f"L{n}"]),
                serial_number=rng.choice(["", f"S{n}", "S-SHARED"]),
                category_code=rng.choice(["A02010105", "A02010104"]),
                original_value=Decimal(rng.choice([1000, 2500, 6000])),
                in_service_on=rng.choice([None, date(2022, 3, 1), date(2025, 11, 15)]),
            )
        )
    retire_directly(asset=cards[0], actor=clerk, reason="报废")
    foreign = make_asset(
        owner=other_bureau, actor=admin_user, legacy_number="L1", serial_number="S2"
    )
    scope = list(
        permissions.reconciled_assets(clerk).select_related("category", "owner_department")
    )
    assert foreign not in scope
    rows = []
    for number, card in enumerate(rng.sample(cards, 30) + [foreign], start=2):
        card.refresh_from_db()
        key = rng.choice(["tag", "legacy_number", "serial_number", "none"])
        row = {
            "row": number,
            "tag": card.tag if key == "tag" else "",
            "legacy_number": card.legacy_number if key == "legacy_number" else "",
            "serial_number": card.serial_number if key == "serial_number" else "",
            "value": str(card.original_value + rng.choice([0, 0, 0, 10])),
            "depreciation": str(card.accumulated_depreciation(on) + rng.choice([0, 0, 0, 1])),
            "category": rng.choice([card.category.code, card.category.code, "A02010104"]),
            "department": rng.choice(["BDC", "BDC", "BDC", "HEALTH"]),
        }
        if key == "none":
            row["legacy_number"] = f"UNKNOWN-{number}"
        rows.append(row)
    # Duplicate keys are refused by the reader, so the oracle's rows carry each key once.
    seen: set = set()
    for row in rows:
        for key in ("tag", "legacy_number", "serial_number"):
            if row[key] and (key, row[key]) in seen:
                row[key] = ""
            seen.add((key, row[key]))
        if not (row["tag"] or row["legacy_number"] or row["serial_number"]):
            row["legacy_number"] = f"UNKNOWN-{row['row']}"
    headers = [
        "资产编号",
        "原资产编号",
        "产品序列号",
        "原值",
        "累计折旧",
        "资产分类代码",
        "权属单位",
    ]
    data = xlsx_bytes(
        [
            [
                r["tag"],
                r["legacy_number"],
                r["serial_number"],
                r["value"],
                r["depreciation"],
                r["category"],
                r["department"],
            ]
            for r in rows
        ],  # fmt: skip
        headers=headers,
    )
    rec = recon_services.create_reconciliation(actor=clerk, data=data, name="f.xlsx", as_of=on)
    got_match = {
        number: (asset_id, key)
        for number, asset_id, key in FinanceRow.objects.filter(
            reconciliation=rec, asset__isnull=False
        ).values_list("row_number", "asset_id", "matched_by")
    }
    assert got_match == _oracle_match(rows, scope)
    got = {
        (kind, asset_id, row)
        for kind, asset_id, row in ReconciliationDifference.objects.filter(
            reconciliation=rec
        ).values_list("kind", "asset_id", "finance_row__row_number")
    }
    assert got == _oracle_differences(rows, got_match, scope, on)
    every_kind = {kind for kind, _a, _r in got}
    assert len(every_kind) >= 4  # the random shapes reach most kinds
