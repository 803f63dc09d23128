"""Adding and withdrawing evidence: the only writers of `Blob`, `Attachment` and
`AttachmentWithdrawal` (invariant 11).

An upload is streamed to a private staging file while it is hashed and counted, judged by its
bytes (`checks.inspect_file`), and only then stored, once per SHA-256, through the
`attachments` storage. A refused upload leaves nothing behind: the staging file is removed
whatever happens, and a blob file written inside a transaction that then fails is deleted before
the transaction ends (under an advisory lock on the hash, so a concurrent upload of the same
bytes neither duplicates it nor loses it).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import storages
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assets import permissions
from assets.attachments import checks, subjects
from assets.attachments.models import Attachment, AttachmentWithdrawal, Blob
from assets.errors import Conflict
from assets.history import record_event
from assets.models import AssetEvent
from config import formatting

CHUNK = 1 << 16


def attachment_storage():
    """The storage evidence is kept in (the `attachments` alias of STORAGES)."""
    return storages["attachments"]


def max_bytes() -> int:
    return settings.YIKA_ATTACHMENT_MAX_MB * 1024 * 1024


def too_large_message() -> str:
    return _("The file is larger than %(mb)s MB; upload a smaller one.") % {
        "mb": settings.YIKA_ATTACHMENT_MAX_MB
    }


def staging_dir() -> Path:
    """Where uploads are hashed and judged before anything is kept (emptied as it goes)."""
    path = Path(settings.VAR_DIR) / "tmp" / "attachments"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _stage(upload) -> tuple[str, str, int]:
    """Copy `upload` chunk by chunk to a staging file, hashing and counting as it goes; past the
    size limit it stops reading and refuses. Returns (path, sha256, size)."""
    limit = max_bytes()
    if getattr(upload, "size", None) is not None and upload.size > limit:
        raise ValidationError({"file": too_large_message()})
    digest = hashlib.sha256()
    size = 0
    handle, path = tempfile.mkstemp(dir=staging_dir(), prefix="upload-")
    try:
        with os.fdopen(handle, "wb") as out:
            for chunk in upload.chunks(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise ValidationError({"file": too_large_message()})
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        os.unlink(path)
        raise
    return path, digest.hexdigest(), size


def _lock_hash(sha256: str) -> None:
    """Serialise writers of one blob until the end of the transaction."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"blob:{sha256}"])


def _stored_hash(storage, name: str) -> str:
    digest = hashlib.sha256()
    with storage.open(name, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _write_blob_file(storage, name: str, path: str, sha256: str) -> bool:
    """Put the staged file under `name`; True when this call wrote it. A file already there
    with the right bytes (left by a crash before its row committed) is kept as it is."""
    if storage.exists(name):
        if _stored_hash(storage, name) == sha256:
            return False
        storage.delete(name)
    with open(path, "rb") as handle:
        saved = storage.save(name, File(handle, name=name))
    if saved != name:
        storage.delete(saved)
        raise RuntimeError(f"attachment storage stored {name} as {saved}")
    return True


def add_attachment(
    *, actor, subject: str, kind: str, upload, file_name: str | None = None
) -> Attachment:
    """Attach the uploaded file `upload` to `subject` (`asset:TAG`, …) as `kind`.

    The subject resolves through the actor's scope (one they may not read is refused like an
    unknown one, 400 on `subject`); attaching needs the subject kind's `may_attach` (403). The
    file is refused (400 on `file`) when too large or not an allowed type by its bytes. The same
    bytes uploaded twice are one blob. A card subject gets an `attachment_added` event.
    """
    subject_kind, obj = subjects.resolve(user=actor, reference=subject)
    permissions.require_attachment_change(
        actor, readable=True, may_attach=subject_kind.may_attach(actor, obj)
    )
    if kind not in Attachment.Kind.values:
        raise ValidationError(
            {
                "kind": _("Choose one of: %(kinds)s.")
                % {"kinds": formatting.text_list(Attachment.Kind.values)}
            }
        )
    if upload is None:
        raise ValidationError({"file": _("Choose a file to upload.")})
    path, sha256, size = _stage(upload)
    try:
        content_type = checks.inspect_file(path)
        name = checks.safe_file_name(file_name or getattr(upload, "name", ""), content_type)
        storage = attachment_storage()
        with transaction.atomic():
            _lock_hash(sha256)
            blob = Blob.objects.filter(sha256=sha256).first()
            wrote, stored_name = False, f"{sha256[:2]}/{sha256}"
            try:
                if blob is None:
                    wrote = _write_blob_file(storage, stored_name, path, sha256)
                    blob = Blob(
                        sha256=sha256, size=size, content_type=content_type, name=stored_name
                    )
                    blob.save(force_insert=True)
                attachment = Attachment(
                    blob=blob,
                    subject_kind=subject_kind.name,
                    subject_id=obj.pk,
                    kind=kind,
                    file_name=name,
                    uploaded_by=actor,
                    uploaded_at=timezone.now(),
                )
                attachment.save(force_insert=True)
                card = subject_kind.asset(obj) if subject_kind.asset else None
                if card is not None:
                    record_event(
                        asset=card,
                        actor=actor,
                        kind=AssetEvent.Kind.ATTACHMENT_ADDED,
                        changes={"attachment": [None, name]},
                        note=f"{Attachment.Kind(kind).label} · SHA-256 {sha256[:12]}",
                    )
            except BaseException:
                # Still inside the transaction and its lock: nobody can have come to rely on it.
                if wrote:
                    storage.delete(stored_name)
                raise
    finally:
        os.unlink(path)
    return attachment


def require_attachment_withdrawer(*, actor, attachment: Attachment) -> None:
    """Refuse (404 out of view, 403 in view) an actor who may not withdraw `attachment`: the
    check `withdraw_attachment` makes, asked by the API and pages before reading a payload."""
    subject_kind = subjects.kind_of(attachment.subject_kind)
    obj = subject_kind.visible(actor).filter(pk=attachment.subject_id).first()
    permissions.require_attachment_change(
        actor,
        readable=obj is not None,
        may_attach=obj is not None and subject_kind.may_attach(actor, obj),
    )
    refusal = withdraw_refusal(actor=actor, attachment=attachment, kind=subject_kind, obj=obj)
    if refusal:
        raise PermissionDenied(refusal)


def withdraw_refusal(*, actor, attachment: Attachment, kind=None, obj=None) -> str:
    """Why `actor`, who may attach to the subject, still may not withdraw `attachment` (the
    subject kind's rule: the other side's file, a decided case), or "" when they may."""
    if kind is None or obj is None:
        kind, obj = subjects.subject_of(attachment)
    if kind.withdraw_refusal is None:
        return ""
    return kind.withdraw_refusal(actor, obj, attachment)


def withdraw_attachment(*, attachment: Attachment, actor, reason: str) -> AttachmentWithdrawal:
    """Mark `attachment` withdrawn (a wrong upload) with the actor's reason; it stays, readable,
    in the subject's files and history. Withdrawing it again is a 409."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the file is withdrawn.")})
    with transaction.atomic():
        attachment = Attachment.objects.select_for_update().get(pk=attachment.pk)
        require_attachment_withdrawer(actor=actor, attachment=attachment)
        subject_kind, obj = subjects.subject_of(attachment)
        if AttachmentWithdrawal.objects.filter(attachment=attachment).exists():
            raise Conflict(_("This file was withdrawn already."), code="already_withdrawn")
        withdrawal = AttachmentWithdrawal(
            attachment=attachment, reason=reason, withdrawn_by=actor, withdrawn_at=timezone.now()
        )
        try:
            with transaction.atomic():
                withdrawal.save(force_insert=True)
        except IntegrityError:
            raise Conflict(
                _("This file was withdrawn already."), code="already_withdrawn"
            ) from None
        card = subject_kind.asset(obj) if subject_kind.asset else None
        if card is not None:
            record_event(
                asset=card,
                actor=actor,
                kind=AssetEvent.Kind.ATTACHMENT_WITHDRAWN,
                changes={"attachment": [attachment.file_name, None]},
                note=reason,
            )
    return withdrawal
