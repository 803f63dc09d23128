"""Import jobs: bringing a ledger in, with a preview, and applying it all or nothing.

The pipeline (issue 7, DESIGN.md invariant 7), one module per stage:

1. `spreadsheets.read_table` reads the file (XLSX or CSV in UTF-8, BOM or GB18030).
2. `columns.map_headers` maps each header, Chinese or English, to a card field; a missing required
   column is a file error.
3. `plan.plan_import` checks every row without writing: values, references (departments, locations,
   categories through (code system, code) and `Category.maps_to`, projects, users, hosts), the
   actor's department scope, duplicates within the file and parent cycles, and works out for each
   row whether it creates a card, updates one (matched on tag or legacy number) or changes
   nothing. Errors are collected per row and column in plain words.
4. `apply.execute_plan` applies every row in one transaction through `assets.services`, so each change
   writes its history event like any other: new cards in batches through `register_assets`
   (hosts before their components), cards with only plain-field changes in batches through
   `update_assets`, other changes through `update_asset`, `nest_asset`, `move_asset` and
   `change_status`. One failing row rolls the whole file back.

`create_import_job` and `apply_import_job` are the services behind the API, the web pages and
`manage.py import_assets`; the job's state machine is `IMPORT_TRANSITIONS`.
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assets import permissions, spreadsheets
from assets.errors import NotInScope, TransitionNotAllowed
from assets.imports.apply import execute_plan, savepoints_off
from assets.imports.columns import ImportHasErrors
from assets.imports.plan import CREATE, UNCHANGED, UPDATE, plan_import
from assets.models import ImportJob

State = ImportJob.State
IMPORT_TRANSITIONS: dict[str, set[str]] = {
    State.READY: {State.APPLIED, State.INVALID},
    State.INVALID: set(),
    State.APPLIED: set(),
}


def _guard(job: ImportJob, to: str) -> None:
    if to not in IMPORT_TRANSITIONS.get(job.state, set()):
        if job.state == State.INVALID:
            raise ImportHasErrors(
                _("The file has %(count)s error(s); fix them and upload it again.")
                % {"count": job.error_count},
                errors=job.errors,
                job=job,
            )
        raise TransitionNotAllowed(
            _("This import was applied already; nothing was changed."), code="import_applied"
        )


def safe_file_name(name: str) -> str:
    name = os.path.basename((name or "").replace("\\", "/"))
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).strip()
    return name[:200] or "upload"


def read_upload(upload) -> bytes:
    """The uploaded file's bytes, refusing anything over the size limit before reading it all."""
    size = getattr(upload, "size", None)
    if size is not None and size > spreadsheets.MAX_UPLOAD_BYTES:
        raise spreadsheets.SpreadsheetError(
            _("The file is larger than %(size)s MB; split it into smaller files.")
            % {"size": spreadsheets.MAX_UPLOAD_BYTES // (1024 * 1024)},
            code="file_too_large",
        )
    data = upload.read(spreadsheets.MAX_UPLOAD_BYTES + 1)
    if len(data) > spreadsheets.MAX_UPLOAD_BYTES:
        raise spreadsheets.SpreadsheetError(
            _("The file is larger than %(size)s MB; split it into smaller files.")
            % {"size": spreadsheets.MAX_UPLOAD_BYTES // (1024 * 1024)},
            code="file_too_large",
        )
    return data


def _require_importer(actor) -> None:
    # Jobs belong to an uploader: the system imports through `import_assets`, never a job.
    if permissions.is_system(actor) or not permissions.can_change_assets(actor):
        raise NotInScope()


def create_import_job(
    *, actor, upload=None, data: bytes | None = None, name: str = ""
) -> ImportJob:
    """Read and check an uploaded ledger; keep the file privately with its preview and errors.

    A file that is no spreadsheet, or lacks required columns, raises `SpreadsheetError` (400)
    and nothing is stored. Row errors make an `invalid` job that lists them.
    """
    _require_importer(actor)
    if upload is not None:
        data = read_upload(upload)
        name = name or getattr(upload, "name", "")
    table = spreadsheets.read_table(data or b"")
    plan = plan_import(actor=actor, table=table)
    counts = plan.counts
    job = ImportJob(
        created_by=actor,
        original_name=safe_file_name(name),
        file_sha256=hashlib.sha256(data).hexdigest(),
        file_kind=table.kind,
        encoding=table.encoding or "",
        state=State.INVALID if plan.errors else State.READY,
        row_count=len(plan.rows),
        create_count=counts[CREATE],
        update_count=counts[UPDATE],
        unchanged_count=counts[UNCHANGED],
        error_count=len(plan.errors),
        columns={
            "mapped": plan.header_map.labels,
            "ignored": plan.header_map.ignored,
            "unmatched": plan.warnings,
            "examples": plan.examples,
        },
        preview=plan.preview(),
        errors=[e.as_dict() for e in plan.errors],
    )
    with transaction.atomic():
        job.file.save(f"{uuid.uuid4().hex}.{table.kind}", ContentFile(data), save=False)
        job.save()
    return job


def apply_import_job(*, job: ImportJob, actor) -> ImportJob:
    """Apply every row of a ready job in one transaction, or none.

    The file is checked again inside the transaction (the register may have changed since the
    preview). Errors turn the job `invalid`, keep the register unchanged and raise
    `ImportHasErrors`; applying twice is a 409 that changes nothing.
    """
    try:
        return _apply(job=job, actor=actor)
    except ImportHasErrors as failure:
        if failure.job is None:
            failure.job = _mark_invalid(job=job, errors=failure.errors)
        raise


@transaction.atomic
def _apply(*, job: ImportJob, actor) -> ImportJob:
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if not permissions.visible_import_jobs(actor, ImportJob.objects.filter(pk=job.pk)).exists():
        raise NotInScope()
    _guard(job, State.APPLIED)
    with job.file.open("rb") as handle:
        data = handle.read()
    table = spreadsheets.read_table(data)
    plan = plan_import(actor=actor, table=table)
    with savepoints_off():
        counts = execute_plan(
            plan=plan,
            actor=actor,
            note=_("Imported from %(name)s (import #%(id)s)")
            % {"name": job.original_name, "id": job.pk},
        )
    job.state = State.APPLIED
    job.applied_at = timezone.now()
    job.create_count = counts[CREATE]
    job.update_count = counts[UPDATE]
    job.unchanged_count = counts[UNCHANGED]
    # The preview becomes the record of what was done, with the new cards' tags.
    # Its warnings were about what applying would do: done now.
    plan.warnings = []
    job.preview = plan.preview()
    job.columns = {**(job.columns or {}), "examples": [], "unmatched": []}
    job.save(
        update_fields=[
            "state",
            "applied_at",
            "create_count",
            "update_count",
            "unchanged_count",
            "preview",
            "columns",
        ]
    )
    return job


@transaction.atomic
def _mark_invalid(*, job: ImportJob, errors: list[dict]) -> ImportJob:
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.state == State.READY:
        job.state = State.INVALID
        job.errors = errors
        job.error_count = len(errors)
        job.save(update_fields=["state", "errors", "error_count"])
    return job
