"""The labelled cards tally (`LabelledTally`, kept by triggers on labels and cards) is exactly
the ORM's count of live own-label cards with an active label, per owning department, through
printing, reprinting, voiding, moving, relabelling strategy and retiring."""

import pytest
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone

from assets.models import Asset
from labels import services
from labels.dashboard import label_coverage
from labels.models import Label, LabelledTally
from tests.factories import make_asset

pytestmark = pytest.mark.django_db


def orm_count() -> dict:
    rows = (
        Asset.objects.exclude(status=Asset.Status.RETIRED)
        .filter(label_mode=Asset.LabelMode.OWN_LABEL)
        .filter(
            Exists(Label.objects.filter(asset=OuterRef("pk"), superseded_at=None, voided_at=None))
        )
        .values("owner_department_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["owner_department_id"]: row["n"] for row in rows}


def tally() -> dict:
    return dict(
        LabelledTally.objects.exclude(labelled=0).values_list("owner_department_id", "labelled")
    )


def test_the_labelled_tally_is_the_orm_count(clerk, centre, other_bureau, sheet_70x40, auditor):
    cards = [make_asset(owner=centre, name=f"卡{i}") for i in range(6)]
    assert tally() == orm_count() == {}
    services.print_labels(actor=clerk, assets=cards[:4], template=sheet_70x40)
    assert tally() == orm_count() == {centre.pk: 4}
    services.print_labels(actor=clerk, assets=cards[:2], template=sheet_70x40)  # reprint
    services.void_label(actor=clerk, asset=cards[3], reason="丢失")
    assert tally() == orm_count() == {centre.pk: 3}
    Asset.objects.filter(pk=cards[0].pk).update(owner_department=other_bureau)
    Asset.objects.filter(pk=cards[1].pk).update(label_mode=Asset.LabelMode.VIRTUAL)
    Asset.objects.filter(pk=cards[2].pk).update(
        status=Asset.Status.RETIRED, retired_at=timezone.now()
    )
    assert tally() == orm_count() == {other_bureau.pk: 1}
    Asset.objects.filter(pk=cards[1].pk).update(label_mode=Asset.LabelMode.OWN_LABEL)
    assert tally() == orm_count() == {other_bureau.pk: 1, centre.pk: 1}
    # What the dashboard shows from it: the centre's three live own-label cards, one labelled.
    rows = {row[0]: row[1:] for row in label_coverage(auditor)["rows"]}
    assert rows["市大数据中心"] == [4, 3, 25.0]
    assert rows["市卫健委"] == [1, 0, 100.0]
