"""The ORM-and-Python definition of a card's state at a past moment, and of the report figures
over it: the oracle the reports' SQL (`assets/reports/sql.py`) is tested against. One card and
one event at a time, deliberately slow and plain."""

from __future__ import annotations

import copy
from collections import defaultdict
from decimal import Decimal

from assets.models import CURRENT_CODE_SYSTEM, Asset, Category, Department
from assets.reports import sql


def card_at(asset: Asset, cutoff):
    """The card as it was at `cutoff` (a copy), or None if it did not exist yet."""
    if asset.created_at >= cutoff:
        return None
    card = copy.copy(asset)
    seen = set()
    for event in asset.events.filter(at__gte=cutoff).order_by("at", "id"):
        for name, pair in (event.changes or {}).items():
            if name not in sql.TRACKED or name in seen or not isinstance(pair, list):
                continue
            if name == "status" and pair[0] is None:
                continue  # the `created` event: existence is `created_at`
            seen.add(name)
            before = pair[0]
            if name == "category":
                found = Category.objects.filter(code_system=CURRENT_CODE_SYSTEM, code=before)
                card.category_id = found.values_list("pk", flat=True).first()
            elif name == "owner_department":
                found = Department.objects.filter(code=before)
                card.owner_department_id = found.values_list("pk", flat=True).first()
            elif name == "original_value":
                card.original_value = Decimal(before)
            elif name == "in_service_on":
                from datetime import date

                card.in_service_on = date.fromisoformat(before) if before else None
            else:
                setattr(card, name, before)
    return card


def in_book(card) -> bool:
    return card is not None and card.status not in sql.OFF_BOOK


def group_of(card, by: str, level: int | None):
    if by == "category":
        node_id, model = card.category_id, Category
    elif by == "department":
        node_id, model = card.owner_department_id, Department
    else:
        return getattr(card, by)
    if level is None or node_id is None:
        return node_id
    chain = []
    while node_id is not None:
        chain.append(node_id)
        node_id = model.objects.get(pk=node_id).parent_id
    chain.reverse()  # root first
    return chain[level - 1] if len(chain) >= level else chain[-1]


def visible(card, scope) -> bool:
    return scope is None or card.owner_department_id in scope


def balance(*, cutoff, on, by, level, scope) -> dict:
    """{group: (count, original value, accumulated depreciation)} by walking every card."""
    totals = defaultdict(lambda: [0, Decimal("0.00"), Decimal("0.00")])
    for asset in Asset.objects.all():
        card = card_at(asset, cutoff)
        if not in_book(card) or not visible(card, scope):
            continue
        row = totals[group_of(card, by, level)]
        row[0] += 1
        row[1] += card.original_value
        row[2] += card.accumulated_depreciation(on)
    return {key: tuple(row) for key, row in totals.items()}
