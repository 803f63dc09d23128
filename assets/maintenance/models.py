"""Upkeep (维修 / 维保): repair records on a card and maintenance or warranty contracts.

They keep the `assets` app label; `assets/models.py` imports them. Related models are named by
string so this module imports nothing of `assets.models` (no cycle).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class RepairRecord(models.Model):
    """One fault and its repair (维修记录): reported, sent to a vendor, back with an outcome.

    The card is `under_repair` from `started_on` until `finished_on`, then returns to
    `status_before`. A card has at most one repair under way (a partial unique constraint).
    """

    asset = models.ForeignKey(
        "assets.Asset",
        verbose_name=_("asset"),
        on_delete=models.PROTECT,
        related_name="repairs",
    )
    reported_on = models.DateField(_("reported on"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    fault = models.TextField(_("fault"))
    vendor = models.CharField(_("repairer"), max_length=200, blank=True)
    cost = models.DecimalField(
        _("cost (CNY)"), max_digits=14, decimal_places=2, default=Decimal("0.00")
    )
    started_on = models.DateField(_("repair started on"), null=True, blank=True)
    finished_on = models.DateField(_("repair finished on"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    status_before = models.CharField(_("status before"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-reported_on", "-id"]
        verbose_name = _("repair record")
        verbose_name_plural = _("repair records")
        constraints = [
            models.CheckConstraint(condition=Q(cost__gte=0), name="repair_cost_nonneg"),
            models.CheckConstraint(
                condition=Q(finished_on__isnull=True) | Q(started_on__isnull=False),
                name="repair_finish_needs_start",
            ),
            models.CheckConstraint(
                condition=Q(started_on__isnull=True)
                | Q(finished_on__isnull=True)
                | Q(finished_on__gte=F("started_on")),
                name="repair_finish_after_start",
            ),
            models.UniqueConstraint(
                fields=["asset"],
                condition=Q(started_on__isnull=False, finished_on__isnull=True),
                name="repair_one_under_way_per_asset",
            ),
        ]

    def __str__(self):
        return f"{self.asset_id} {self.reported_on}"

    @property
    def under_way(self) -> bool:
        return self.started_on is not None and self.finished_on is None


class MaintenanceContract(models.Model):
    """A maintenance or warranty contract (维保合同) with a vendor for a period, covering cards.

    A host's contract covers its embedded components unless they have their own
    (`assets.maintenance.selectors.contract_end_for`)."""

    number = models.CharField(_("contract number"), max_length=80, unique=True)
    vendor = models.CharField(_("vendor"), max_length=200)
    department = models.ForeignKey(
        "assets.Department",
        verbose_name=_("contracting department"),
        on_delete=models.PROTECT,
        related_name="maintenance_contracts",
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    assets = models.ManyToManyField(
        "assets.Asset", verbose_name=_("assets covered"), related_name="contracts", blank=True
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["ends_on", "number"]
        verbose_name = _("maintenance contract")
        verbose_name_plural = _("maintenance contracts")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="contract_ends_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.vendor}"
