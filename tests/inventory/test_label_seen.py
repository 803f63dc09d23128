"""Issue 14 walk residual 1: a typed tag is no label seen. Only a scanned label (`?l=` serial)
counts as 扫描本身标签 and as a readable label; a typed tag of a card that never had a label
counts towards the label-missing rate (标签缺失率)."""

import pytest
from django.conf import settings

from inventory import selectors
from inventory.services import campaigns, scanning
from labels import qr
from labels import services as label_services
from labels.models import Label, LabelTemplate
from tests.factories import make_asset

pytestmark = pytest.mark.django_db


def _print(clerk, card) -> Label:
    # Issues the label; the PDF (an on-commit callback) is not rendered in this test.
    label_services.print_labels(
        actor=clerk, assets=[card], template=LabelTemplate.objects.get(code="a4-70x40")
    )
    return Label.objects.get(asset=card, superseded_at__isnull=True)


def _rate(campaign):
    return selectors.compute_result(campaign=campaign)["totals"]["label_missing_rate"]


def test_a_typed_tag_of_a_card_never_labelled_is_a_missing_label(active, pc, clerk):
    outcome = scanning.record_scan(campaign=active, actor=clerk, code=pc.tag)
    line = active.lines.get()
    assert outcome.answer == "found"
    assert "没有标签" in outcome.message
    assert (line.verify_method, line.label_ok) == ("typed_tag", False)
    assert line.get_verify_method_display() != "扫描本身标签"
    assert _rate(active) == 100.0


def test_a_scanned_label_is_the_own_label_and_a_typed_tag_of_a_labelled_card_is_not(
    plan, centre, room, clerk, admin_user
):
    scanned = make_asset(owner=centre, location=room, name="扫描的电脑")
    typed = make_asset(owner=centre, location=room, name="手输的电脑")
    label = _print(clerk, scanned)
    _print(clerk, typed)
    campaign = campaigns.activate_campaign(campaign=plan(), actor=admin_user)
    url = qr.encode(site_url=settings.SITE_URL, tag=scanned.tag, label_serial=label.serial)
    scanning.record_scan(campaign=campaign, actor=clerk, code=url)
    outcome = scanning.record_scan(campaign=campaign, actor=clerk, code=typed.tag)
    assert "没有标签" not in outcome.message
    lines = {line.tag: line for line in campaign.lines.all()}
    assert (lines[scanned.tag].verify_method, lines[scanned.tag].label_ok) == (
        "scan_own_label",
        True,
    )
    assert lines[scanned.tag].get_verify_method_display() == "扫描本身标签"
    # Nobody saw the typed card's label: not "seen", and not counted as missing either.
    assert (lines[typed.tag].verify_method, lines[typed.tag].label_ok) == ("typed_tag", None)
    assert _rate(campaign) == 0.0


def test_the_label_missing_rate_counts_never_labelled_cards_beside_labelled_ones(
    plan, centre, room, clerk, admin_user
):
    labelled = make_asset(owner=centre, location=room, name="有标签")
    never = make_asset(owner=centre, location=room, name="从未贴标")
    label = _print(clerk, labelled)
    campaign = campaigns.activate_campaign(campaign=plan(), actor=admin_user)
    url = qr.encode(site_url=settings.SITE_URL, tag=labelled.tag, label_serial=label.serial)
    scanning.record_scan(campaign=campaign, actor=clerk, code=url)
    scanning.record_scan(campaign=campaign, actor=clerk, code=never.tag)
    assert _rate(campaign) == 50.0


def test_the_scanned_lines_label_serials_are_the_orms(plan, centre, room, clerk, admin_user):
    """Oracle for `sql.scan_line`'s label columns: never labelled, labelled, reprinted, voided."""
    from django.db.models import Max

    from inventory import sql

    never = make_asset(owner=centre, location=room)
    once = make_asset(owner=centre, location=room)
    twice = make_asset(owner=centre, location=room)
    voided = make_asset(owner=centre, location=room)
    for card in (once, twice, twice, voided):
        _print(clerk, card)
    label_services.void_label(actor=clerk, asset=voided, reason="标签损坏")
    campaign = campaigns.activate_campaign(campaign=plan(), actor=admin_user)
    for card in (never, once, twice, voided):
        line = sql.scan_line(campaign=campaign, tag=card.tag, trees=None)
        labels = Label.objects.filter(asset=card)
        active = labels.filter(superseded_at__isnull=True, voided_at__isnull=True).first()
        assert line.active_label_serial == (active.serial if active else None)
        assert line.last_label_serial == labels.aggregate(last=Max("serial"))["last"]
