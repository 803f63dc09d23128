"""Stocktake differences as subjects of evidence (`difference:ID`, `assets.attachments`).

Files on a difference (a photo of the damage, a write-off approval) are read by whoever reads
the difference (its line, `readable_line_q`, in a campaign they read) and added by whoever may
explain it (clerks who read it, admins). Registered from `InventoryConfig.ready()`: `assets`
knows nothing of inventory.
"""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View

from assets import permissions as scope
from assets.attachments import archive
from assets.attachments import selectors as attachment_selectors
from assets.attachments.subjects import register_subject
from inventory import permissions, selectors
from inventory.models import Difference


def visible_differences(user):
    """The differences `user` reads, over every campaign they read."""
    campaigns = permissions.visible_campaigns(user)
    queryset = Difference.objects.filter(campaign__in=campaigns)
    if scope.reads_everything(user):
        return queryset
    condition = Q(pk__in=[])
    for campaign in campaigns:
        lines = selectors.lines_visible_to(user=user, campaign=campaign).values("pk")
        condition |= Q(campaign=campaign, line__in=lines)
    return queryset.filter(condition)


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
        )
        name = gettext("stocktake-%(pk)s-attachments.zip") % {"pk": campaign.pk}
        return archive.zip_response(files, file_name=name)
