"""Template tags for the evidence panel (附件) on the card and handover pages."""

from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from assets import permissions
from assets.attachments import checks, selectors, subjects
from assets.attachments.forms import UploadForm
from assets.attachments.services import max_bytes, withdraw_refusal

register = template.Library()


def _rows(attachments, *, user, may_attach: dict, obj=None) -> list[dict]:
    rows = []
    for attachment in attachments:
        content_type = attachment.blob.content_type
        withdrawal = attachment.withdrawal_or_none
        key = (attachment.subject_kind, attachment.subject_id)
        may_withdraw = (
            withdrawal is None
            and may_attach.get(key, False)
            and not withdraw_refusal(
                actor=user,
                attachment=attachment,
                kind=subjects.kind_of(attachment.subject_kind),
                obj=obj,
            )
        )
        rows.append(
            {
                "attachment": attachment,
                "withdrawal": withdrawal,
                "image": content_type in checks.IMAGES and withdrawal is None,
                "pdf": content_type == checks.PDF,
                "can_withdraw": may_withdraw,
            }
        )
    return rows


def _user(context):
    return context.get("user") or getattr(context.get("request"), "user", None)


def _group(user, kind_name: str, obj, attachments, *, title) -> dict:
    kind = subjects.kind_of(kind_name)
    may = permissions.has_role(user, *permissions.ATTACHMENT_WRITERS) and kind.may_attach(user, obj)
    reference = kind.reference(obj)
    return {
        "title": title,
        "reference": reference,
        "rows": _rows(attachments, user=user, may_attach={(kind_name, obj.pk): may}, obj=obj),
        "can_attach": may,
        "upload_url": f"{reverse('assets:attachment-upload')}?{urlencode({'subject': reference})}",
    }


def _panel(groups, **extra) -> dict:
    return {
        "groups": groups,
        "form": UploadForm(),
        "max_mb": max_bytes() // (1024 * 1024),
        "count": sum(len(group["rows"]) for group in groups),
        **extra,
    }


@register.simple_tag(takes_context=True)
def card_attachment_panel(context, asset):
    """The card's own files (with the upload form for who may attach), then those of its steps
    (each handover that brought it, each stocktake difference on it, …), linked to their pages;
    their files are added there."""
    user = _user(context)
    files = selectors.card_attachments(user=user, asset=asset)
    groups = [_group(user, "asset", asset, files["own"], title=_("This card"))]
    for kind, attachments in files["steps"]:
        by_subject: dict[int, list] = {}
        for attachment in attachments:
            by_subject.setdefault(attachment.subject_id, []).append(attachment)
        objects = kind.model._default_manager.in_bulk(list(by_subject))
        for pk, rows in by_subject.items():
            obj = objects[pk]
            title = f"{kind.label} {getattr(obj, kind.key)}"
            group = _group(user, kind.name, obj, rows, title=title)
            group["can_attach"] = False
            group["link"] = kind.url(obj) if kind.url else ""
            groups.append(group)
    return _panel(groups)


@register.simple_tag(takes_context=True)
def handover_attachment_panel(context, handover):
    """A handover's own files, with the upload form for either side, and the ZIP download."""
    user = _user(context)
    attachments = selectors.attachments_of(user=user, kind="handover", ids=[handover.pk])
    group = _group(user, "handover", handover, attachments, title=_("This handover"))
    return _panel(
        [group],
        zip_url=reverse("assets:handover-attachments-zip", args=[handover.number]),
    )


@register.simple_tag(takes_context=True)
def subject_attachment_panel(
    context, kind: str, obj, zip_url: str = "", also_kind: str = "", also=None
):
    """The files of any registered subject (a stocktake difference, …), with the upload form
    for who may attach; with `also_kind` and `also`, a second subject's files after them (the
    difference's line and its count photos)."""
    user = _user(context)
    groups = []
    for name, subject in ((kind, obj), (also_kind, also)):
        if not name or subject is None:
            continue
        attachments = selectors.attachments_of(user=user, kind=name, ids=[subject.pk])
        groups.append(_group(user, name, subject, attachments, title=subjects.kind_of(name).label))
    return _panel(groups, zip_url=zip_url)
