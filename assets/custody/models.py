"""Custody (领用 / 借用 / 归还): who holds a card, since when, until when, and their confirmations.

They keep the `assets` app label; `assets/models.py` imports them. Related models are named by
string so this module imports nothing of `assets.models` (no cycle).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CustodyRecord(models.Model):
    """One check-out of a card to a person, or one loan outside the unit (出借), until check-in.

    A card has at most one open record (a partial unique constraint); a closed record stays as
    the history of who held it.
    """

    class Kind(models.TextChoices):
        CHECKOUT = "checkout", _("Checked out to a person")
        LOAN = "loan", _("Lent outside the unit")

    class State(models.TextChoices):
        OPEN = "open", _("Not yet returned")
        CLOSED = "closed", _("Returned")

    asset = models.ForeignKey(
        "assets.Asset",
        verbose_name=_("asset"),
        on_delete=models.PROTECT,
        related_name="custody_records",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    state = models.CharField(
        _("state"), max_length=8, choices=State.choices, default=State.OPEN, db_index=True
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("holder"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="custody_records",
    )
    counterparty = models.CharField(_("borrower"), max_length=200, blank=True)
    approval_ref = models.CharField(_("approval reference"), max_length=80, blank=True)
    due_on = models.DateField(_("due back on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    # The card's status before a loan, restored at check-in.
    status_before = models.CharField(_("status before"), max_length=20, blank=True)
    opened_at = models.DateTimeField(_("checked out at"), default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked out by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("receipt confirmed at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked in by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("custody record")
        verbose_name_plural = _("custody records")
        constraints = [
            models.UniqueConstraint(
                fields=["asset"], condition=Q(state="open"), name="custody_one_open_per_asset"
            ),
            models.CheckConstraint(
                condition=Q(state="open", closed_at__isnull=True)
                | Q(state="closed", closed_at__isnull=False),
                name="custody_closed_has_date",
            ),
            models.CheckConstraint(
                condition=Q(kind="checkout", holder__isnull=False)
                | Q(kind="loan", holder__isnull=True),
                name="custody_checkout_has_holder",
            ),
            models.CheckConstraint(
                condition=~Q(kind="loan") | (~Q(counterparty="") & ~Q(approval_ref="")),
                name="custody_loan_has_borrower_and_approval",
            ),
        ]

    def __str__(self):
        return f"{self.asset_id} {self.kind} {self.state}"


class HoldingConfirmation(models.Model):
    """A holder's "I still hold this" for one card in one annual count (年度清查, by year), with
    the stocktake campaign when one was running. One per holder, card and year."""

    asset = models.ForeignKey(
        "assets.Asset",
        verbose_name=_("asset"),
        on_delete=models.PROTECT,
        related_name="holding_confirmations",
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("holder"),
        on_delete=models.PROTECT,
        related_name="holding_confirmations",
    )
    year = models.PositiveIntegerField(_("year"))
    # A plain id: `assets` imports no other app.
    campaign_id = models.PositiveBigIntegerField(_("stocktake campaign"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), default=timezone.now)

    class Meta:
        ordering = ["-confirmed_at", "-id"]
        verbose_name = _("holding confirmation")
        verbose_name_plural = _("holding confirmations")
        constraints = [
            models.UniqueConstraint(
                fields=["asset", "holder", "year"], name="holding_confirmation_once_a_year"
            ),
        ]

    def __str__(self):
        return f"{self.asset_id} {self.holder_id} {self.year}"
