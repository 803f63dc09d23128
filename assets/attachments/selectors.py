"""Read queries about evidence, shared by the API, the pages and the ZIP downloads."""

from __future__ import annotations

from django.db.models import QuerySet

from assets.attachments import subjects
from assets.attachments.models import Attachment


def attachments_visible_to(*, user, subject: str | None = None) -> QuerySet:
    """The attachments `user` reads (those whose subject they read), newest first; with
    `subject` (`asset:TAG`) only that subject's, none when they do not read it."""
    queryset = Attachment.objects.select_related(
        "blob", "uploaded_by", "withdrawal", "withdrawal__withdrawn_by"
    ).order_by("-uploaded_at", "-id")
    if subject:
        kind, value = subjects.parse(subject)
        lookup = {"tag": value.upper()} if kind.name == "asset" else {kind.key: value}
        if kind.key in ("pk", "id") and not value.isdigit():
            return queryset.none()
        ids = kind.visible(user).filter(**lookup).values("pk")
        return queryset.filter(subject_kind=kind.name, subject_id__in=ids)
    return queryset.filter(subjects.readable_q(user))


def attachments_of(*, user, kind: str, ids) -> QuerySet:
    """Attachments of the subjects `ids` of `kind` that `user` reads (a card page's steps)."""
    subject_kind = subjects.kind_of(kind)
    ids = ids if isinstance(ids, QuerySet) else list(ids)
    visible = subject_kind.visible(user).filter(pk__in=ids).values("pk")
    return (
        Attachment.objects.select_related("blob", "uploaded_by", "withdrawal")
        .filter(subject_kind=kind, subject_id__in=visible)
        .order_by("-uploaded_at", "-id")
    )


def listed_in_document(*, kind: str, subject_id: int) -> list[tuple[str, str]]:
    """What a subject's printed document lists as its evidence: (kind label, file name) of each
    file not withdrawn, oldest first. Documents are drawn for the record, not for a reader, so
    this reads no user's scope."""
    rows = (
        Attachment.objects.filter(subject_kind=kind, subject_id=subject_id, withdrawal__isnull=True)
        .order_by("uploaded_at", "id")
        .values_list("kind", "file_name")
    )
    labels = dict(Attachment.Kind.choices)
    return [(str(labels.get(file_kind, file_kind)), name) for file_kind, name in rows]


def card_attachments(*, user, asset) -> dict:
    """What a card page lists: the card's own files, and those of its steps (every subject kind
    registered with `card_steps`: the handovers that brought it, a stocktake difference on it,
    …), as `{"own": [...], "steps": [(kind, [...]), ...]}`."""
    own = list(attachments_of(user=user, kind="asset", ids=[asset.pk]))
    steps = []
    for kind in subjects.kinds().values():
        if kind.card_steps is None:
            continue
        rows = list(attachments_of(user=user, kind=kind.name, ids=kind.card_steps(asset)))
        if rows:
            steps.append((kind, rows))
    return {"own": own, "steps": steps}


def readable_attachment(*, user, pk) -> Attachment | None:
    """One attachment `user` reads, or None (answered 404)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    attachment = (
        Attachment.objects.select_related("blob", "uploaded_by", "withdrawal").filter(pk=pk).first()
    )
    if attachment is None or attachment.subject_kind not in subjects.kinds():
        return None
    kind = subjects.kind_of(attachment.subject_kind)
    if not kind.visible(user).filter(pk=attachment.subject_id).exists():
        return None
    return attachment
