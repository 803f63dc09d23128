"""Disposal cases (资产处置) and their approval tiers: the models of `assets.disposals`.

They keep the `assets` app label; `assets/models.py` imports them so Django registers them.
Related models are named by string so this module imports nothing of `assets.models`.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

APPROVAL_NO_MAX = 100

# Reasons the system writes for a case (a stocktake's shortages gathered into one): a code and a
# renderer of its stored values in the active language. Other apps add theirs from their
# `AppConfig.ready` (`register_reasons`: `assets` imports no other app), as `assets.history`'s
# generated notes; the case keeps the code and values and says them in each reader's language.
REASONS: dict = {}


def register_reasons(renderers) -> None:
    """Add {code: callable(params) -> text in the active language} for system-written reasons."""
    REASONS.update(renderers)


def reason_text(code: str, params, fallback: str = "") -> str:
    """A system-written reason in the active language; `fallback` (the text as stored) for an
    unknown code or values."""
    render = REASONS.get(code)
    if render is None:
        return fallback
    try:
        return str(render(dict(params or {})))
    except (KeyError, TypeError, ValueError):
        return fallback


class ApprovalTier(models.Model):
    """A value band (total original value of a case) → who approves it (审批权限).

    `up_to` is exclusive (a case below it falls in this band); null means no upper limit.
    Administrators edit the tiers; a case stores the tier it was submitted under.
    """

    class ApproverRole(models.TextChoices):
        APPROVER = "approver", _("Disposal approver")
        ADMIN = "admin", _("Administrator")

    up_to = models.DecimalField(
        _("up to (CNY, exclusive)"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Cases whose total original value is below this amount; empty means no limit."),
    )
    approver_role = models.CharField(
        _("approving role in Yika"),
        max_length=20,
        choices=ApproverRole.choices,
        default=ApproverRole.APPROVER,
    )
    body = models.CharField(
        _("approving body"),
        max_length=200,
        help_text=_(
            "Who approves in the rules, e.g. the unit's head or the finance bureau (财政局)."
        ),
    )

    class Meta:
        ordering = [models.F("up_to").asc(nulls_last=True)]
        verbose_name = _("approval tier")
        verbose_name_plural = _("approval tiers")
        constraints = [
            # One tier per limit, and one without a limit (null counts as one value here).
            models.UniqueConstraint(
                Coalesce("up_to", Value(Decimal("-1"))), name="approval_tier_up_to_unique"
            ),
            models.CheckConstraint(
                condition=Q(up_to__isnull=True) | Q(up_to__gt=0), name="approval_tier_positive"
            ),
        ]

    def __str__(self):
        return self.body


class DisposalCase(models.Model):
    """A disposal case (资产处置单): method, grounds, cards, approval and execution."""

    class Method(models.TextChoices):
        TRANSFER = "transfer", pgettext_lazy("disposal method", "Free transfer")
        DONATION = "donation", pgettext_lazy("disposal method", "Donation")
        SALE = "sale", pgettext_lazy("disposal method", "Sale")
        EXCHANGE = "exchange", pgettext_lazy("disposal method", "Exchange")
        SCRAP = "scrap", pgettext_lazy("disposal method", "Scrapping")
        WRITE_OFF = "write_off", pgettext_lazy("disposal method", "Loss write-off")

    class Grounds(models.TextChoices):
        OBSOLETE = "obsolete", _("Technically obsolete or not worth repairing")
        LOSS = "loss", _("Stocktake shortage or other abnormal loss")
        PAST_LIFE = "past_life", _("Past its service life and no longer adequate")
        FORCE_MAJEURE = "force_majeure", _("Destroyed by force majeure")
        REORGANISATION = "reorganisation", _("Unit split, merged or reorganised")
        OTHER = "other", _("Other")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted for approval")
        APPROVED = "approved", _("Approved")
        # Its own context: a handover's "Rejected" is 已拒收 (refused delivery), a case's 已驳回.
        REJECTED = "rejected", pgettext_lazy("disposal state", "Rejected")
        EXECUTED = "executed", _("Executed")

    class Components(models.TextChoices):
        REFUSE = "refuse", _("Listed in the case")
        DETACH = "detach", _("Detached and kept")

    number = models.CharField(_("number"), max_length=20, unique=True)
    method = models.CharField(_("method"), max_length=16, choices=Method.choices)
    grounds = models.CharField(_("grounds"), max_length=20, choices=Grounds.choices)
    reason = models.TextField(_("reason"), blank=True)
    # A reason the system wrote (`REASONS`): its code and values, said in the reader's language;
    # `reason` keeps the text in the writer's language. Blank for a reason a person wrote.
    reason_code = models.CharField(_("reason code"), max_length=64, blank=True, default="")
    reason_params = models.JSONField(_("reason values"), default=dict, blank=True)
    department = models.ForeignKey(
        "assets.Department",
        verbose_name=_("disposing department"),
        on_delete=models.PROTECT,
        related_name="disposal_cases",
    )
    to_department = models.ForeignKey(
        "assets.Department",
        verbose_name=_("receiving department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disposal_cases_in",
    )
    counterparty = models.CharField(_("counterparty"), max_length=200, blank=True)
    evidence = models.CharField(_("evidence reference"), max_length=500, blank=True)
    components = models.CharField(
        _("live components not listed"),
        max_length=10,
        choices=Components.choices,
        default=Components.REFUSE,
    )
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.DRAFT, db_index=True
    )
    total_original_value = models.DecimalField(
        _("total original value (CNY)"), max_digits=16, decimal_places=2, default=0
    )
    total_net_value = models.DecimalField(
        _("total net value (CNY)"), max_digits=16, decimal_places=2, default=0
    )
    # The tier chosen at submission, copied so a later edit of the tiers changes no case.
    tier = models.ForeignKey(
        ApprovalTier,
        verbose_name=_("approval tier"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    tier_up_to = models.DecimalField(
        _("tier limit (CNY)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    approver_role = models.CharField(_("approving role"), max_length=20, blank=True)
    approving_body = models.CharField(_("approving body"), max_length=200, blank=True)
    approval_no = models.CharField(_("approval number"), max_length=APPROVAL_NO_MAX, blank=True)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    executed_on = models.DateField(_("executed on"), null=True, blank=True)
    handover = models.ForeignKey(
        "assets.Handover",
        verbose_name=_("transfer handover"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disposal_cases",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="disposals_created",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disposals_submitted",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disposals_decided",
    )
    executed_at = models.DateTimeField(_("executed at"), null=True, blank=True)
    executed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("executed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disposals_executed",
    )
    # The executed case's application form, rendered once at execution and never regenerated.
    document_file = models.CharField(_("document file"), max_length=255, blank=True)
    document_sha256 = models.CharField(_("document SHA-256"), max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("disposal case")
        verbose_name_plural = _("disposal cases")
        constraints = [
            models.CheckConstraint(
                condition=~Q(method="transfer") | Q(to_department__isnull=False),
                name="disposal_transfer_has_receiver",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["approved", "executed"])
                | (Q(approved_on__isnull=False) & ~Q(approval_no="")),
                name="disposal_approved_has_reference",
            ),
            models.CheckConstraint(
                condition=~Q(state="executed") | Q(executed_on__isnull=False),
                name="disposal_executed_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(state="rejected") | ~Q(decision_note=""),
                name="disposal_rejection_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(state="draft") | Q(approver_role__gt=""),
                name="disposal_submitted_has_tier",
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def reason_shown(self) -> str:
        """The reason in the active language: a system-written one from its code, else as
        written."""
        if self.reason_code:
            return reason_text(self.reason_code, self.reason_params, self.reason)
        return self.reason


class DisposalItem(models.Model):
    """One card in a disposal case, with its values at submission and its status before."""

    case = models.ForeignKey(
        DisposalCase,
        verbose_name=_("disposal case"),
        on_delete=models.PROTECT,
        related_name="items",
    )
    asset = models.ForeignKey(
        "assets.Asset",
        verbose_name=_("asset"),
        on_delete=models.PROTECT,
        related_name="disposal_items",
    )
    original_value = models.DecimalField(
        _("original value (CNY)"), max_digits=14, decimal_places=2, default=0
    )
    net_value = models.DecimalField(
        _("net value (CNY)"), max_digits=14, decimal_places=2, default=0
    )
    previous_status = models.CharField(_("status before"), max_length=20, blank=True)
    # An open case (draft, submitted, approved) holds the card: one open item per card.
    is_open = models.BooleanField(default=True, editable=False)

    class Meta:
        ordering = ["asset__tag"]
        verbose_name = _("disposal item")
        verbose_name_plural = _("disposal items")
        constraints = [
            models.UniqueConstraint(fields=["case", "asset"], name="disposal_item_unique"),
            models.UniqueConstraint(
                fields=["asset"], condition=Q(is_open=True), name="asset_one_open_disposal"
            ),
        ]

    def __str__(self):
        return f"{self.case_id}:{self.asset_id}"
