"""Reconciliation with the finance books (账账相符): the models of `assets.reconciliations`.

A finance office keeps its own card ledger. Its export is uploaded, staged row by row as
`FinanceRow`s, matched card by card against the register in SQL (`assets.reconciliations.sql`),
and every disagreement becomes a `ReconciliationDifference` that is explained, approved and
posted like a stocktake difference. They keep the `assets` app label; `assets/models.py`
imports them. Related models are named by string, so this module imports nothing of
`assets.models` (no cycle).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from assets.storage import private_storage


class ValueUnit(models.TextChoices):
    """The unit of the export's amounts: yuan, or 万元 (× 10,000)."""

    YUAN = "yuan", pgettext_lazy("value unit", "Yuan")
    WAN = "wan", pgettext_lazy("value unit", "Ten thousand yuan")


class ReconciliationMapping(models.Model):
    """The finance export's columns (对账列映射), saved once per deployment; admins edit it.

    `columns` maps each reconciliation field (`assets.reconciliations.columns.FIELDS`) to the
    header the finance system writes; `value_unit` is blank when the headers say the unit.
    """

    DEFAULT_KEY = "default"

    key = models.CharField(max_length=20, unique=True, default=DEFAULT_KEY, editable=False)
    columns = models.JSONField(_("column mapping"), default=dict, blank=True)
    value_unit = models.CharField(
        _("unit of amounts"), max_length=8, choices=ValueUnit.choices, blank=True
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("finance export mapping")
        verbose_name_plural = _("finance export mappings")
        constraints = [
            models.CheckConstraint(condition=Q(key="default"), name="recon_mapping_one_row"),
        ]

    def __str__(self):
        return str(_("finance export mapping"))


class Reconciliation(models.Model):
    """One reconciliation of the register with an uploaded finance export (对账任务).

    Made whole or not at all: the file is read, staged, matched and its differences raised in
    one transaction. It is `open` while a difference is not posted, `cleared` after.
    """

    class State(models.TextChoices):
        OPEN = "open", _("Differences open")
        CLEARED = "cleared", _("All differences posted")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="reconciliations",
    )
    # The uploader's department: clerks of it (and of its parents) read the reconciliation.
    department = models.ForeignKey(
        "assets.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    file = models.FileField(_("file"), storage=private_storage, upload_to="reconciliations/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    file_kind = models.CharField(_("file type"), max_length=8)
    encoding = models.CharField(_("encoding"), max_length=16, blank=True)
    header_row = models.PositiveIntegerField(_("header row"), default=1)
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    ignored_columns = models.JSONField(
        _("ignored columns"),
        default=list,
        blank=True,
        help_text=_("Headers of the file's columns that map to no field."),
    )
    value_unit = models.CharField(_("unit of amounts"), max_length=8, choices=ValueUnit.choices)
    as_of = models.DateField(_("depreciation as of"))
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.OPEN, db_index=True
    )
    row_count = models.PositiveIntegerField(_("finance rows"), default=0)
    matched_count = models.PositiveIntegerField(_("matched"), default=0)
    value_differs_count = models.PositiveIntegerField(_("value differs"), default=0)
    category_differs_count = models.PositiveIntegerField(_("category differs"), default=0)
    department_differs_count = models.PositiveIntegerField(_("department differs"), default=0)
    only_in_finance_count = models.PositiveIntegerField(_("only in the finance books"), default=0)
    only_in_register_count = models.PositiveIntegerField(_("only in the register"), default=0)
    # Totals per category and per department, finance against register: the gaps are listed.
    totals = models.JSONField(_("totals"), default=dict, blank=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    cleared_at = models.DateTimeField(_("cleared at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("reconciliation")
        verbose_name_plural = _("reconciliations")
        constraints = [
            models.CheckConstraint(
                condition=Q(state="cleared", cleared_at__isnull=False)
                | (~Q(state="cleared") & Q(cleared_at__isnull=True)),
                name="recon_cleared_has_date",
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.original_name}"


class FinanceRow(models.Model):
    """One card of the finance export (财务卡片), staged for matching against the register.

    Written in bulk by `assets.reconciliations.sql.stage_rows` (COPY); `asset` and `matched_by`
    are set by the set-based match (tag, then legacy number, then serial number).
    """

    class MatchedBy(models.TextChoices):
        TAG = "tag", _("tag")
        LEGACY_NUMBER = "legacy_number", _("legacy number")
        SERIAL_NUMBER = "serial_number", _("serial number")

    reconciliation = models.ForeignKey(
        Reconciliation, on_delete=models.PROTECT, related_name="finance_rows", db_index=False
    )
    row_number = models.PositiveIntegerField(_("row"))
    tag = models.CharField(_("tag"), max_length=40, blank=True)
    legacy_number = models.CharField(_("legacy number"), max_length=60, blank=True)
    serial_number = models.CharField(_("serial number"), max_length=120, blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    category_code = models.CharField(_("category code"), max_length=40, blank=True)
    category = models.ForeignKey(
        "assets.Category", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        db_index=False,
    )  # fmt: skip
    department_text = models.CharField(_("department"), max_length=200, blank=True)
    department = models.ForeignKey(
        "assets.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        db_index=False,
    )  # fmt: skip
    original_value = models.DecimalField(
        _("original value (CNY)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    accumulated_depreciation = models.DecimalField(
        _("accumulated depreciation"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    booked_on = models.DateField(_("booked on"), null=True, blank=True)
    voucher_no = models.CharField(_("voucher number"), max_length=60, blank=True)
    asset = models.ForeignKey(
        "assets.Asset", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        db_index=False,
    )  # fmt: skip
    matched_by = models.CharField(
        _("matched by"), max_length=16, choices=MatchedBy.choices, blank=True
    )

    class Meta:
        ordering = ["reconciliation", "row_number"]
        verbose_name = _("finance row")
        verbose_name_plural = _("finance rows")
        constraints = [
            models.UniqueConstraint(
                fields=["reconciliation", "row_number"], name="recon_row_number_unique"
            ),
            # A card matches one finance row at most.
            models.UniqueConstraint(
                fields=["reconciliation", "asset"],
                condition=Q(asset__isnull=False),
                name="recon_row_asset_unique",
            ),
            models.CheckConstraint(
                condition=Q(asset__isnull=True, matched_by="")
                | (Q(asset__isnull=False) & ~Q(matched_by="")),
                name="recon_row_matched_by",
            ),
        ]

    def __str__(self):
        return f"{self.reconciliation_id}:{self.row_number}"


class ReconciliationDifference(models.Model):
    """A disagreement between the register and the finance books, followed to posting.

    Like a stocktake difference: raised by the match, explained (reason and treatment),
    approved, then posted either to the card (booked date, voucher number, corrected values,
    with an event naming the reconciliation) or to the finance office's task list (exported).
    `register` and `finance` keep the values as they were when the files were compared.
    """

    class Kind(models.TextChoices):
        VALUE_DIFFERS = "value_differs", _("Value differs")
        CATEGORY_DIFFERS = "category_differs", _("Category differs")
        DEPARTMENT_DIFFERS = "department_differs", _("Department differs")
        ONLY_IN_FINANCE = "only_in_finance", _("Only in the finance books")
        ONLY_IN_REGISTER = "only_in_register", _("Only in the register")

    class State(models.TextChoices):
        RAISED = "raised", _("Raised")
        EXPLAINED = "explained", _("Explained")
        APPROVED = "approved", _("Approved")
        POSTED = "posted", _("Posted")

    class Treatment(models.TextChoices):
        CARD = "card", _("Correct the card")
        FINANCE = "finance", _("Finance office corrects its books")

    reconciliation = models.ForeignKey(
        Reconciliation, on_delete=models.PROTECT, related_name="differences", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    asset = models.ForeignKey(
        "assets.Asset", verbose_name=_("asset"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", db_index=False,
    )  # fmt: skip
    finance_row = models.ForeignKey(
        FinanceRow, verbose_name=_("finance row"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="differences", db_index=False,
    )  # fmt: skip
    register = models.JSONField(_("register values"), default=dict, blank=True)
    finance = models.JSONField(_("finance values"), default=dict, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.RAISED)
    reason = models.TextField(_("reason"), blank=True)
    treatment = models.CharField(
        _("treatment"), max_length=8, choices=Treatment.choices, blank=True
    )
    explained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", db_index=False,
    )  # fmt: skip
    explained_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", db_index=False,
    )  # fmt: skip
    approved_at = models.DateTimeField(null=True, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", db_index=False,
    )  # fmt: skip
    posted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["reconciliation", "kind", "id"]
        verbose_name = _("reconciliation difference")
        verbose_name_plural = _("reconciliation differences")
        indexes = [
            models.Index(fields=["reconciliation", "kind", "state"], name="recon_diff_kind_state"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="raised") | (~Q(reason="") & ~Q(treatment="")),
                name="recon_diff_explained",
            ),
            models.CheckConstraint(
                condition=(Q(kind="only_in_finance", asset__isnull=True, finance_row__isnull=False))
                | (Q(kind="only_in_register", asset__isnull=False, finance_row__isnull=True))
                | (
                    ~Q(kind__in=["only_in_finance", "only_in_register"])
                    & Q(asset__isnull=False, finance_row__isnull=False)
                ),
                name="recon_diff_sides",
            ),
            models.UniqueConstraint(
                fields=["reconciliation", "asset", "kind"],
                condition=Q(asset__isnull=False),
                name="recon_diff_one_per_card_kind",
            ),
        ]

    def __str__(self):
        return f"{self.reconciliation_id}:{self.kind}:{self.pk}"
