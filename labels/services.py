"""Every change to labels, templates and print batches: one function, one transaction, its event.

Printing supersedes a card's active label in the same transaction as the new one is issued (at
most one active label per card; the partial unique constraint holds it under concurrency), and
each print or void is an `AssetEvent` on the card. Rendering the PDF is separate: small batches
render straight after commit in the request, large ones in a Celery task; either way the batch
moves queued → running → done/failed and is never left running.
"""

from __future__ import annotations

import logging
import os
import secrets
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from assets import permissions
from assets.errors import NotInScope, TransitionNotAllowed
from assets.history import record_event
from assets.models import Asset, AssetEvent
from config import formatting
from labels import layout, qr
from labels.models import Label, LabelTemplate, PrintBatch

logger = logging.getLogger(__name__)

State = PrintBatch.State

# The print batch state machine. RUNNING → RUNNING is a redelivered task starting over (rendering
# is idempotent: the labels were issued when the batch was created); FAILED → QUEUED is a retry.
BATCH_TRANSITIONS: dict[str, set[str]] = {
    State.QUEUED: {State.RUNNING, State.FAILED},
    State.RUNNING: {State.RUNNING, State.DONE, State.FAILED},
    State.DONE: set(),
    State.FAILED: {State.QUEUED},
}

# Label strategies (DOMAIN.md §5) that put a label of the card's own on something.
PRINTABLE_LABEL_MODES = {Asset.LabelMode.OWN_LABEL, Asset.LabelMode.CARD_LABEL}
PROGRESS_EVERY = 200
# The task that renders a large batch (`labels.tasks.render_label_batch`), queued by name: the
# tasks module runs these services, so they never import it.
RENDER_BATCH = "labels.render_label_batch"


def _guard(batch: PrintBatch, target: str) -> None:
    if target not in BATCH_TRANSITIONS[batch.state]:
        raise TransitionNotAllowed(
            _("Print batch %(id)s cannot go from %(state)s to %(target)s.")
            % {"id": batch.pk, "state": batch.get_state_display(), "target": State(target).label}
        )


def check_template(template: LabelTemplate) -> None:
    """Refuse a template that is inactive or cannot hold its content (400 on `template`)."""
    if not template.is_active:
        raise ValidationError(
            {"template": _("Template %(code)s is not active.") % {"code": template.code}}
        )
    problems = layout.template_problems(template.spec(), site_url=settings.SITE_URL)
    if problems:
        raise ValidationError(
            {
                "template": [
                    _("Template %(code)s cannot print its content: %(problem)s")
                    % {"code": template.code, "problem": message}
                    for message in problems.values()
                ]
            }
        )


def _tag_list(assets: Iterable[Asset], limit: int = 10) -> str:
    tags = [asset.tag for asset in assets]
    text = formatting.text_list(tags[:limit])
    if len(tags) > limit:
        text += " " + _("and %(count)s more") % {"count": len(tags) - limit}
    return text


def _check_selection(*, actor, assets: Sequence[Asset], template: LabelTemplate) -> None:
    if not assets:
        raise ValidationError({"tags": _("Choose at least one asset to print.")})
    if len(assets) > settings.YIKA_LABELS_MAX_BATCH:
        raise ValidationError(
            {
                "tags": _("A batch holds at most %(max)s assets; split the selection.")
                % {"max": settings.YIKA_LABELS_MAX_BATCH}
            }
        )
    ids = [asset.pk for asset in assets]
    if len(set(ids)) != len(ids):
        raise ValidationError({"tags": _("An asset appears twice in the selection.")})
    permissions.require_label_change(actor, ids)
    retired = [asset for asset in assets if asset.status == Asset.Status.RETIRED]
    if retired:
        raise ValidationError(
            {"tags": _("Retired assets get no labels: %(tags)s.") % {"tags": _tag_list(retired)}}
        )
    if template.kind == LabelTemplate.Kind.LABEL:
        unlabelled = [asset for asset in assets if asset.label_mode not in PRINTABLE_LABEL_MODES]
        if unlabelled:
            raise ValidationError(
                {
                    "tags": _(
                        "These assets carry no label of their own (their label strategy is "
                        "'listed on the host' or 'no physical label'): %(tags)s."
                    )
                    % {"tags": _tag_list(unlabelled)}
                }
            )


@transaction.atomic
def print_labels(
    *, actor, assets: Sequence[Asset], template: LabelTemplate, selection: str = ""
) -> PrintBatch:
    """Issue a new label for each card (superseding its active one) and queue the batch's PDF.

    For a component-sheet template the cards are hosts: no labels are issued, the sheet lists
    each host's embedded components with their own QR codes. Refuses (400, nothing written) an
    empty selection, retired cards, cards whose label strategy has no label of their own, and a
    template that cannot hold its content; a card the actor may not change is a 404
    (`permissions.require_label_change`, asked before anything else and for each card).
    """
    permissions.require_label_printer(actor)
    check_template(template)
    assets = list(assets)
    _check_selection(actor=actor, assets=assets, template=template)
    ids = sorted(asset.pk for asset in assets)
    # One lock order everywhere (by id): concurrent reprints of a card queue up here.
    locked = {
        asset.pk: asset
        for asset in Asset.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    }
    if any(asset.status == Asset.Status.RETIRED for asset in locked.values()):
        raise ValidationError({"tags": _("An asset was retired meanwhile; choose again.")})
    now = timezone.now()
    batch = PrintBatch.objects.create(
        template=template,
        requested_by=actor,
        selection=(selection or "")[:300],
        total=len(ids),
        state=State.QUEUED,
        created_at=now,
    )
    member_ids = set(ids)
    if template.kind == LabelTemplate.Kind.COMPONENT_SHEET:
        member_ids |= set(
            Asset.objects.filter(parent_id__in=ids, install_mode=Asset.InstallMode.EMBEDDED)
            .exclude(status=Asset.Status.RETIRED)
            .values_list("pk", flat=True)
        )
    PrintBatch.assets.through.objects.bulk_create(
        [PrintBatch.assets.through(printbatch_id=batch.pk, asset_id=pk) for pk in member_ids],
        batch_size=1000,
    )
    if template.kind == LabelTemplate.Kind.LABEL:
        _issue_labels(actor=actor, assets=[locked[pk] for pk in ids], batch=batch, now=now)
    transaction.on_commit(lambda: _start_rendering(batch_id=batch.pk, size=len(ids)))
    return batch


def _issue_labels(*, actor, assets: list[Asset], batch: PrintBatch, now) -> None:
    ids = [asset.pk for asset in assets]
    last_serial = dict(
        Label.objects.filter(asset_id__in=ids)
        .values("asset_id")
        .annotate(last=Max("serial"))
        .values_list("asset_id", "last")
    )
    active = dict(
        Label.objects.select_for_update()
        .filter(asset_id__in=ids, superseded_at__isnull=True, voided_at__isnull=True)
        .values_list("asset_id", "serial")
    )
    if active:
        Label.objects.filter(
            asset_id__in=list(active), superseded_at__isnull=True, voided_at__isnull=True
        ).update(superseded_at=now)
    Label.objects.bulk_create(
        [
            Label(
                asset=asset,
                serial=last_serial.get(asset.pk, 0) + 1,
                template=batch.template,
                batch=batch,
                printed_at=now,
                printed_by=actor,
            )
            for asset in assets
        ],
        batch_size=1000,
    )
    # Template and batch are recorded as keys, not as a sentence: a note is stored in the
    # actor's language, and the card's history is read in the reader's (assets/history.py).
    for asset in assets:
        record_event(
            asset=asset,
            actor=actor,
            kind=AssetEvent.Kind.LABEL_PRINTED,
            changes={
                "label_serial": [active.get(asset.pk), last_serial.get(asset.pk, 0) + 1],
                "label_template": [None, batch.template.code],
                "print_batch": [None, batch.pk],
            },
        )


def _start_rendering(*, batch_id: int, size: int) -> None:
    """After commit: render small batches now, in the request; queue large ones for a worker."""
    if size <= settings.YIKA_LABELS_SYNC_LIMIT:
        try:
            render_batch(batch_id=batch_id)
        except Exception:  # already recorded on the batch as failed; the request still answers
            logger.exception("label batch %s failed", batch_id)
        return
    from config.tasks import publish_bounded

    try:
        # One short connection attempt, no publish retries: never waits on a dead broker.
        publish_bounded(RENDER_BATCH, kwargs={"batch_id": batch_id})
    except Exception as error:  # broker down: say so on the batch instead of hanging or 500
        logger.exception("could not queue label batch %s", batch_id)
        fail_batch(
            batch_id=batch_id, error=_("Could not queue the batch: %(error)s") % {"error": error}
        )


@transaction.atomic
def void_label(*, actor, asset: Asset, reason: str) -> Label:
    """Void the card's active label without printing a new one (e.g. it was lost or damaged).

    A card the actor may not change is a 404 (`permissions.require_label_change`)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the label is voided.")})
    permissions.require_label_change(actor, [asset.pk])
    asset = Asset.objects.select_for_update().get(pk=asset.pk)
    label = (
        Label.objects.select_for_update()
        .filter(asset=asset, superseded_at__isnull=True, voided_at__isnull=True)
        .first()
    )
    if label is None:
        raise ValidationError(
            {"tag": _("%(tag)s has no active label to void.") % {"tag": asset.tag}}
        )
    label.voided_at = timezone.now()
    label.voided_by = actor
    label.void_reason = reason
    label.save(update_fields=["voided_at", "voided_by", "void_reason"])
    record_event(
        asset=asset,
        actor=actor,
        kind=AssetEvent.Kind.LABEL_VOIDED,
        changes={"label_serial": [label.serial, None]},
        note=reason,
    )
    return label


# ------------------------------------------------------------------------------ batch lifecycle


@transaction.atomic
def start_batch(*, batch_id: int) -> PrintBatch:
    """queued → running (or a redelivered running batch starting over)."""
    batch = PrintBatch.objects.select_for_update().get(pk=batch_id)
    _guard(batch, State.RUNNING)
    now = timezone.now()
    batch.state = State.RUNNING
    batch.started_at = now
    batch.heartbeat_at = now
    batch.done_count = 0
    batch.attempts += 1
    batch.error = ""
    batch.save(
        update_fields=["state", "started_at", "heartbeat_at", "done_count", "attempts", "error"]
    )
    return batch


def record_progress(*, batch_id: int, done: int) -> None:
    """Progress and heartbeat of a running batch (one UPDATE; never moves its state)."""
    PrintBatch.objects.filter(pk=batch_id, state=State.RUNNING).update(
        done_count=done, heartbeat_at=timezone.now()
    )


@transaction.atomic
def finish_batch(*, batch_id: int, file_name: str, pages: int) -> PrintBatch:
    """running → done, with the PDF's name in private storage."""
    batch = PrintBatch.objects.select_for_update().get(pk=batch_id)
    _guard(batch, State.DONE)
    old_file = batch.file.name
    now = timezone.now()
    batch.state = State.DONE
    batch.file.name = file_name
    batch.pages = pages
    batch.done_count = batch.total
    batch.finished_at = now
    batch.heartbeat_at = now
    batch.save(
        update_fields=["state", "file", "pages", "done_count", "finished_at", "heartbeat_at"]
    )
    if old_file and old_file != file_name:
        transaction.on_commit(lambda: _remove_private_file(old_file))
    return batch


@transaction.atomic
def fail_batch(*, batch_id: int, error: str) -> PrintBatch:
    """queued/running → failed, with the reason shown on the batch page."""
    batch = PrintBatch.objects.select_for_update().get(pk=batch_id)
    if batch.state == State.FAILED:
        return batch
    _guard(batch, State.FAILED)
    batch.state = State.FAILED
    batch.error = str(error)[:2000]
    batch.finished_at = timezone.now()
    batch.save(update_fields=["state", "error", "finished_at"])
    return batch


@transaction.atomic
def retry_batch(*, actor, batch: PrintBatch) -> PrintBatch:
    """failed → queued, and render again (the labels themselves were issued already).

    Only for an actor who may change every card of the batch (`permissions.may_retry_batch`);
    anyone else gets a 404, as for a batch that does not exist."""
    batch = PrintBatch.objects.select_for_update().get(pk=batch.pk)
    if not permissions.may_retry_batch(actor, batch):
        raise NotInScope()
    _guard(batch, State.QUEUED)
    batch.state = State.QUEUED
    batch.error = ""
    batch.done_count = 0
    batch.finished_at = None
    batch.save(update_fields=["state", "error", "done_count", "finished_at"])
    transaction.on_commit(lambda: _start_rendering(batch_id=batch.pk, size=batch.total))
    return batch


def fail_stale_batches(*, now=None) -> int:
    """Fail running batches whose worker stopped sending heartbeats (worker killed, lost)."""
    now = now or timezone.now()
    limit = now - timedelta(minutes=settings.YIKA_LABELS_STALE_MINUTES)
    stale = PrintBatch.objects.filter(state=State.RUNNING).filter(
        Q(heartbeat_at__lt=limit) | Q(heartbeat_at__isnull=True)
    )
    count = 0
    for batch_id in stale.values_list("pk", flat=True):
        fail_batch(
            batch_id=batch_id,
            error=_("The print worker stopped responding; retry the batch."),
        )
        count += 1
    return count


def render_batch(*, batch_id: int) -> PrintBatch:
    """Render the batch's PDF into private storage, reporting progress; failures mark it failed."""
    batch = start_batch(batch_id=batch_id)
    try:
        file_name, pages = _render(batch)
    except Exception as error:
        fail_batch(batch_id=batch_id, error=_("Rendering failed: %(error)s") % {"error": error})
        raise
    return finish_batch(batch_id=batch_id, file_name=file_name, pages=pages)


def _render(batch: PrintBatch) -> tuple[str, int]:
    template = batch.template
    spec = template.spec()
    relative = f"labels/batch-{batch.pk}-{secrets.token_hex(8)}.pdf"
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    target = root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    title = _("Yika labels, batch %(id)s") % {"id": batch.pk}

    def progress(done: int) -> None:
        record_progress(batch_id=batch.pk, done=done)

    fd, temporary = tempfile.mkstemp(prefix=".render-", suffix=".pdf", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            if template.kind == LabelTemplate.Kind.COMPONENT_SHEET:
                _count, pages = layout.write_component_sheets(
                    handle, spec, _host_sheets(batch), title=title, progress=progress
                )
            else:
                _count, pages = layout.write_labels(
                    handle,
                    spec,
                    _label_contents(batch),
                    title=title,
                    progress=progress,
                    progress_every=PROGRESS_EVERY,
                )
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return relative, pages


def _remove_private_file(name: str) -> None:
    try:
        (Path(settings.PRIVATE_MEDIA_ROOT) / name).unlink(missing_ok=True)
    except OSError:
        logger.warning("could not remove %s", name)


def _embedded_components() -> Prefetch:
    return Prefetch(
        "components",
        queryset=Asset.objects.filter(install_mode=Asset.InstallMode.EMBEDDED)
        .exclude(status=Asset.Status.RETIRED)
        .only(
            "pk",
            "tag",
            "parent_id",
            "owner_department_id",
            "using_department_id",
            "managing_department_id",
        )
        .order_by("tag"),
        to_attr="embedded_components",
    )


def _label_contents(batch: PrintBatch) -> Iterator[layout.LabelContent]:
    """The batch's labels in tag order, read in chunks (never all at once)."""
    site_url = settings.SITE_URL
    assets = (
        Asset.objects.filter(labels__batch=batch)
        .select_related("owner_department")
        .prefetch_related(_embedded_components())
        .annotate(batch_serial=Max("labels__serial", filter=Q(labels__batch=batch)))
        .order_by("tag")
    )
    # "Contains:" names only the components the requester may open (SECURITY.md §4).
    scope = permissions.card_reading_scope(batch.requested_by)
    for asset in assets.iterator(chunk_size=500):
        yield layout.LabelContent(
            tag=asset.tag,
            url=qr.encode(site_url=site_url, tag=asset.tag, label_serial=asset.batch_serial),
            owner=asset.owner_department.name,
            name=asset.name,
            model=asset.model,
            in_service_on=asset.in_service_on,
            components=tuple(
                c.tag
                for c in asset.embedded_components
                if permissions.reads_card(
                    scope,
                    owner_id=c.owner_department_id,
                    using_id=c.using_department_id,
                    managing_id=c.managing_department_id,
                )
            ),
        )


def active_serials(asset_ids: Iterable[int]) -> dict[int, int]:
    return dict(
        Label.objects.filter(
            asset_id__in=list(asset_ids), superseded_at__isnull=True, voided_at__isnull=True
        ).values_list("asset_id", "serial")
    )


def _host_sheets(batch: PrintBatch) -> Iterator[layout.HostSheet]:
    site_url = settings.SITE_URL
    # The batch holds the chosen hosts and their embedded components; the hosts head the sheets.
    hosts = (
        batch.assets.exclude(
            install_mode=Asset.InstallMode.EMBEDDED,
            parent__in=batch.assets.values("pk"),
        )
        .select_related("owner_department", "location")
        .order_by("tag")
    )
    modes = dict(Asset.LabelMode.choices)
    for host in hosts.iterator(chunk_size=100):
        embedded = Asset.objects.filter(
            parent=host, install_mode=Asset.InstallMode.EMBEDDED
        ).exclude(status=Asset.Status.RETIRED)
        # Only the components the requester may open are listed; the others are counted.
        components = list(permissions.visible_assets(batch.requested_by, embedded).order_by("tag"))
        hidden = embedded.count() - len(components)
        serials = active_serials([host.pk, *[c.pk for c in components]])
        yield layout.HostSheet(
            tag=host.tag,
            url=qr.encode(site_url=site_url, tag=host.tag, label_serial=serials.get(host.pk)),
            name=host.name,
            owner=host.owner_department.name,
            location=host.location.name if host.location else "",
            components=tuple(
                layout.ComponentRow(
                    tag=c.tag,
                    url=qr.encode(site_url=site_url, tag=c.tag, label_serial=serials.get(c.pk)),
                    name=c.name,
                    model=c.model,
                    serial_number=c.serial_number,
                    label_mode=str(modes.get(c.label_mode, c.label_mode)),
                )
                for c in components
            ),
            hidden=hidden,
        )


# ------------------------------------------------------------------------------------ templates


TEMPLATE_FIELDS = (
    "code",
    "name",
    "kind",
    "media",
    "page_width_mm",
    "page_height_mm",
    "label_width_mm",
    "label_height_mm",
    "columns",
    "rows",
    "margin_left_mm",
    "margin_top_mm",
    "gap_x_mm",
    "gap_y_mm",
    "padding_mm",
    "panels",
    "qr_size_mm",
    "fields",
    "code128",
    "code128_height_mm",
    "font_size_pt",
    "min_font_size_pt",
    "draw_border",
    "is_active",
)


@transaction.atomic
def save_template(*, actor, fields: dict, template: LabelTemplate | None = None) -> LabelTemplate:
    """Create or change a label template (admins only); refused when content would overflow."""
    if not permissions.is_admin(actor):
        raise NotInScope()
    unknown = set(fields) - set(TEMPLATE_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be set here.") for name in unknown})
    if template is None:
        template = LabelTemplate()
    else:
        template = LabelTemplate.objects.select_for_update().get(pk=template.pk)
    for name, value in fields.items():
        setattr(template, name, value)
    template.full_clean()
    template.save()
    return template
