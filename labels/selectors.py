"""Read queries of the labels app, shared by the web pages, the API and the stocktake scans."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from assets import permissions, tags
from assets import selectors as asset_selectors
from assets.models import Asset
from assets.selectors import ASSET_LIST_RELATED, filter_assets
from config import formatting
from labels import qr
from labels.models import Label, LabelTemplate, PrintBatch

QUEUE_FILTERS = ("", "never", "superseded", "embedded")


def active_label_q():
    return {"superseded_at__isnull": True, "voided_at__isnull": True}


def active_label(*, asset: Asset) -> Label | None:
    return Label.objects.filter(asset=asset, **active_label_q()).first()


def label_state(*, asset: Asset, serial: int | None) -> str:
    """What a scanned label serial means for this card.

    `active` (the card's current label), `superseded` (an older label, since reprinted),
    `voided`, `unknown` (no such label), or `none` when the scan carried no serial.
    """
    if serial is None:
        return "none"
    label = (
        Label.objects.filter(asset=asset, serial=serial).only("superseded_at", "voided_at").first()
    )
    if label is None:
        return "unknown"
    if label.voided_at is not None:
        return "voided"
    if label.superseded_at is not None:
        return "superseded"
    return "active"


def labels_replaced_by_printing(assets) -> list[tuple[str, int]]:
    """(tag, serial) of the active labels that printing `assets` again supersedes, by tag: what
    the print pages name before they print (a card's own reprint asks the same)."""
    return list(
        Label.objects.filter(asset__in=[asset.pk for asset in assets], **active_label_q())
        .order_by("asset__tag")
        .values_list("asset__tag", "serial")
    )


def with_label_info(queryset: QuerySet) -> QuerySet:
    """Annotate cards with `active_serial` (or None) and `has_labels`."""
    active = Label.objects.filter(asset=OuterRef("pk"), **active_label_q())
    return queryset.annotate(
        active_serial=Subquery(active.values("serial")[:1]),
        has_labels=Exists(Label.objects.filter(asset=OuterRef("pk"))),
    )


def print_queue(*, user, filters: dict | None = None, printable_only: bool = True) -> QuerySet:
    """Live cards `user` may print labels for, narrowed by the queue filter. With
    `printable_only=False`, every live card `user` may read (what a read-only role such as the
    auditor sees on the labels page: the register's label state, without printing).

    `never`: never labelled (and meant to carry a label); `superseded`: had a label, has no
    active one now (voided or superseded without a replacement); `embedded`: embedded devices
    still on the default "own label" strategy with no label yet (a strategy is to be decided:
    flag label, host's label, paper card or none).
    """
    filters = filters or {}
    scope = permissions.changeable_assets if printable_only else permissions.visible_assets
    queryset = scope(user).exclude(status=Asset.Status.RETIRED)
    queryset = with_label_info(queryset.select_related(*ASSET_LIST_RELATED))
    printable = [Asset.LabelMode.OWN_LABEL, Asset.LabelMode.CARD_LABEL]
    kind = filters.get("filter") or ""
    if kind == "never":
        queryset = queryset.filter(has_labels=False, label_mode__in=printable)
    elif kind == "superseded":
        queryset = queryset.filter(has_labels=True, active_serial__isnull=True)
    elif kind == "embedded":
        queryset = queryset.filter(
            install_mode=Asset.InstallMode.EMBEDDED,
            label_mode=Asset.LabelMode.OWN_LABEL,
            has_labels=False,
        )
    owner = (filters.get("owner_department") or "").strip()
    if owner:
        queryset = queryset.filter(owner_department__code=owner)
    return filter_assets(queryset, filters).order_by("tag")


def resolve_tags(*, user, raw_tags: Iterable[str]) -> list[Asset]:
    """The cards named by `raw_tags`, in order, resolved through the user's printable scope.

    Unknown tags and tags of other departments get the same answer (a 400 on `tags`), so
    tags cannot be probed.
    """
    wanted: list[str] = []
    bad: list[str] = []
    mistyped: list[str] = []
    for raw in raw_tags:
        text = str(raw)
        try:
            tag = qr.parse(text).tag  # a bare tag, a wedge-scanner tag or a label URL
        except qr.QRPayloadError:
            # A typed tag gets the scan page's answer (a wrong check character: "mistyped?").
            problem = None if "/" in text else tags.typing_problem(tags.normalise(text))
            if problem:
                mistyped.append(problem)
            else:
                bad.append(text[:40])
            continue
        if tag not in wanted:
            wanted.append(tag)
    found = (
        {asset.tag: asset for asset in permissions.changeable_assets(user).filter(tag__in=wanted)}
        if wanted
        else {}
    )
    bad.extend(tag for tag in wanted if tag not in found)
    if bad or mistyped:
        problems = list(dict.fromkeys(mistyped))
        if bad:
            shown = formatting.text_list(bad, limit=10)
            problems.append(
                _("Unknown tags, or tags you may not print: %(tags)s.") % {"tags": shown}
            )
        raise ValidationError({"tags": problems})
    return [found[tag] for tag in wanted]


def host_and_subtree(*, user, host: Asset) -> list[Asset]:
    """A host and every live card below it that the user may print for, in tree order."""
    ids = [host.pk, *(pk for pk, _depth in asset_selectors.asset_subtree_ids(asset=host))]
    return list(
        permissions.changeable_assets(user)
        .filter(pk__in=ids)
        .exclude(status=Asset.Status.RETIRED)
        .order_by("tag")
    )


def batches_visible_to(*, user) -> QuerySet:
    queryset = PrintBatch.objects.select_related("template", "requested_by")
    return permissions.visible_print_batches(user, queryset)


def printable_templates() -> QuerySet:
    return LabelTemplate.objects.filter(is_active=True).order_by("kind", "code")


def asset_labels(*, asset: Asset) -> QuerySet:
    return Label.objects.filter(asset=asset).select_related("printed_by", "template")
