"""Stocktake differences (`difference:ID`) and lines (`stocktake_line:ID`: count photos) as
subjects of evidence (`assets.attachments`).

Files on a difference (a photo of the damage, a write-off approval) are read by whoever reads
the difference (its line, `readable_line_q`, in a campaign they read) and added by whoever may
explain it (clerks who read it, admins). A line's files (count photos) are read by whoever reads
the line. Registered from `InventoryConfig.ready()`: `assets` knows nothing of inventory.
"""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View

from assets import permissions as scope
from assets.attachments import archive
from assets.attachments import selectors as attachment_selectors
from assets.attachments.models import Attachment
from assets.attachments.subjects import register_subject
from inventory import permissions, selectors
from inventory.models import Difference, StocktakeLine


def visible_lines(user):
    """The stocktake lines `user` reads (`selectors.lines_visible_to`), over every campaign they
    read: the subjects of count photos (a surplus find, an embedded device in its host)."""
    campaigns = permissions.visible_campaigns(user)
    queryset = StocktakeLine.objects.filter(campaign__in=campaigns)
    if scope.reads_everything(user):
        return queryset
    condition = Q(pk__in=[])
    for campaign in campaigns:
        lines = selectors.lines_visible_to(user=user, campaign=campaign).values("pk")
        condition |= Q(campaign=campaign, pk__in=lines)
    return queryset.filter(condition)


def may_attach_to_line(user, line) -> bool:
    """Counters add the photo of what they count (a surplus find only by who may change it),
    clerks and admins who may explain the difference add to it later."""
    if line.kind == StocktakeLine.Kind.SURPLUS and not permissions.may_change_surplus(user, line):
        return False
    return (permissions.can_count(user) or permissions.can_explain_differences(user)) and (
        visible_lines(user).filter(pk=line.pk).exists()
    )


def photo_file(line_ref: str = "pk") -> Exists:
    """Whether the line at `line_ref` carries a photo attachment (withdrawn ones too: they stay
    in its history), for `annotate` over lines or differences."""
    return Exists(
        Attachment.objects.filter(
            subject_kind="stocktake_line", subject_id=OuterRef(line_ref), kind="photo"
        )
    )


def has_photo(line) -> bool:
    """A count photo on `line`: an attachment, or a file kept before photos were evidence
    (`StocktakeLine.photo`, served by `views.LinePhotoView`)."""
    if line.photo:
        return True
    known = getattr(line, "photo_file", None)
    if known is not None:
        return bool(known)
    return Attachment.objects.filter(
        subject_kind="stocktake_line", subject_id=line.pk, kind="photo"
    ).exists()


def _line_url(line) -> str:
    difference = Difference.objects.filter(line=line).only("pk", "campaign_id").first()
    if difference is not None:
        return reverse("inventory:difference-detail", args=[line.campaign_id, difference.pk])
    return reverse("inventory:line-list", args=[line.campaign_id])


def visible_differences(user):
    """The differences `user` reads: those of the lines they read (`visible_lines`)."""
    return Difference.objects.filter(line__in=visible_lines(user).values("pk"))


def may_attach_to_difference(user, difference) -> bool:
    return permissions.can_explain_differences(user) and (
        visible_differences(user).filter(pk=difference.pk).exists()
    )


def register_difference_subject() -> None:
    register_subject(
        "difference",
        model=Difference,
        key="pk",
        label=_("Stocktake difference"),
        visible=visible_differences,
        may_attach=may_attach_to_difference,
        asset=lambda difference: difference.line.asset if difference.line.asset_id else None,
        url=lambda difference: reverse(
            "inventory:difference-detail", args=[difference.campaign_id, difference.pk]
        ),
        card_steps=lambda card: Difference.objects.filter(line__asset=card).values("pk"),
    )
    # A count photo (a surplus find 盘盈, an embedded device confirmed by photo): on the line,
    # served like any evidence, listed on the line's difference page.
    register_subject(
        "stocktake_line",
        model=StocktakeLine,
        key="pk",
        label=_("Stocktake line"),
        visible=visible_lines,
        may_attach=may_attach_to_line,
        asset=lambda line: line.asset if line.asset_id else None,
        url=_line_url,
    )


class CampaignAttachmentsZipView(LoginRequiredMixin, View):
    """Every file on a campaign's differences the reader reads, as one ZIP with SHA-256 sums
    (the auditor's evidence download)."""

    def get(self, request, pk):
        campaign = permissions.visible_campaigns(request.user).filter(pk=pk).first()
        if campaign is None:
            raise Http404(gettext("No such stocktake."))
        differences = visible_differences(request.user).filter(campaign=campaign)
        files = attachment_selectors.attachments_of(
            user=request.user, kind="difference", ids=differences.values_list("pk", flat=True)
        ) | attachment_selectors.attachments_of(
            user=request.user,
            kind="stocktake_line",
            ids=visible_lines(request.user).filter(campaign=campaign).values_list("pk", flat=True),
        )
        name = gettext("stocktake-%(pk)s-attachments.zip") % {"pk": campaign.pk}
        return archive.zip_response(files, file_name=name)
