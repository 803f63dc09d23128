"""Annual stocktake campaigns (年度资产清查盘点): plan, book snapshot, scans, counts, differences.

State changes go through `inventory.services`; models hold fields, constraints and cheap properties.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from assets.models import AppendOnlyError, Asset, Category, Department, Location


class StocktakeCampaign(models.Model):
    """One stocktake (盘点方案): its scope, counters, book snapshot and frozen result."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Counting")
        CLOSED = "closed", _("Closed")
        ARCHIVED = "archived", _("Archived")

    name = models.CharField(_("name"), max_length=200)
    year = models.PositiveIntegerField(_("year"))
    reference_date = models.DateField(
        _("reference date"), help_text=_("The date the book values are taken at.")
    )
    due_on = models.DateField(_("due date"))
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.DRAFT, db_index=True
    )
    departments = models.ManyToManyField(
        Department, verbose_name=_("departments in scope"), blank=True, related_name="+"
    )
    locations = models.ManyToManyField(
        Location, verbose_name=_("locations in scope"), blank=True, related_name="+"
    )
    categories = models.ManyToManyField(
        Category, verbose_name=_("categories in scope"), blank=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("activated by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    # The frozen result (totals, rates) and the SHA-256 of its canonical form with every line.
    result = models.JSONField(_("result"), null=True, blank=True, editable=False)
    result_sha256 = models.CharField(_("result SHA-256"), max_length=64, blank=True)

    class Meta:
        ordering = ["-year", "-created_at"]
        verbose_name = _("stocktake campaign")
        verbose_name_plural = _("stocktake campaigns")
        constraints = [
            models.UniqueConstraint(fields=["year", "name"], name="campaign_name_per_year"),
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2200), name="campaign_year_sane"
            ),
            models.CheckConstraint(
                condition=Q(due_on__gte=models.F("reference_date")),
                name="campaign_due_after_reference",
            ),
            models.CheckConstraint(
                condition=Q(state="draft") | Q(activated_at__isnull=False),
                name="campaign_activated_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["closed", "archived"]) | Q(closed_at__isnull=False),
                name="campaign_closed_has_date",
            ),
        ]

    def __str__(self):
        # Names usually carry their year (2025年度资产清查): never say it twice.
        return self.name if str(self.year) in self.name else f"{self.year} {self.name}"


class CounterAssignment(models.Model):
    """A counter (盘点人) assigned to a department's or a location's assets in one campaign."""

    campaign = models.ForeignKey(
        StocktakeCampaign,
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    counter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("counter"),
        on_delete=models.PROTECT,
        related_name="stocktake_assignments",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    location = models.ForeignKey(
        Location,
        verbose_name=_("location"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["campaign", "counter"]
        verbose_name = _("counter assignment")
        verbose_name_plural = _("counter assignments")
        constraints = [
            models.CheckConstraint(
                condition=Q(department__isnull=False) | Q(location__isnull=False),
                name="assignment_has_target",
            ),
            models.UniqueConstraint(
                fields=["campaign", "counter", "department", "location"],
                name="assignment_unique",
            ),
        ]

    def __str__(self):
        return f"{self.campaign_id}:{self.counter_id}"


class LineResult(models.TextChoices):
    PENDING = "pending", _("Pending")
    AWAITING = "awaiting", _("Awaiting confirmation")
    FOUND = "found", _("Found")
    FOUND_ELSEWHERE = "found_elsewhere", _("Found elsewhere")
    MISMATCH = "mismatch", _("Information differs")
    DAMAGED = "damaged", _("Damaged")
    # The code stays `missing` (API contract); the stocktake term is 盘亏, "shortage".
    MISSING = "missing", _("Shortage")
    SURPLUS = "surplus", _("Surplus")
    # A card handed over to a unit outside the campaign's scope while it was still uncounted
    # (its handover accepted, ownership moved): it leaves this count, neither counted nor short
    # (`services.handed_over`). The line keeps the handover (`handover`).
    HANDED_OVER = "handed_over", _("Handed over")


# The results of a counted book line, and of one still open (closing makes it a shortage).
COUNTED_RESULTS = {
    LineResult.FOUND,
    LineResult.FOUND_ELSEWHERE,
    LineResult.MISMATCH,
    LineResult.DAMAGED,
}
OPEN_RESULTS = {LineResult.PENDING, LineResult.AWAITING}


class VerifyMethod(models.TextChoices):
    SCAN_OWN_LABEL = "scan_own_label", _("Own label scanned")
    VIA_HOST = "via_host", _("Confirmed through its host")
    SN_MATCH = "sn_match", _("Serial number matched")
    PHOTO = "photo", _("Photo")
    MANUAL = "manual", _("Manual count without a label")
    # A typed tag (no label serial): the label was not seen.
    TYPED_TAG = "typed_tag", _("Tag typed, no label scanned")
    # The holder's "I still hold these" (assets.custody), nobody scanning it: set at close on
    # a line no scan counted (`holder_confirmed_at`).
    CUSTODIAN = "custodian", _("Confirmed by its holder")
    # A card away for repair at close: its open repair record stands for the count, and the
    # line's place is the repairer (`StocktakeLine.away_at`).
    REPAIR_RECORD = "repair_record", _("Its repair record (away for repair)")


class StocktakeLine(models.Model):
    """One line of the count: a book line frozen at activation, or a surplus find (盘盈).

    Book lines copy the card as it stood (账面): later edits to the card do not change them.
    """

    class Kind(models.TextChoices):
        BOOK = "book", _("On the books")
        SURPLUS = "surplus", _("Surplus find")

    # Looked up through the composite indexes below, which all start with the campaign.
    campaign = models.ForeignKey(
        StocktakeCampaign,
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        related_name="lines",
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.BOOK)
    asset = models.ForeignKey(
        Asset,
        verbose_name=_("asset"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="stocktake_lines",
    )
    # The book snapshot (账面).
    tag = models.CharField(_("tag"), max_length=40, blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    model = models.CharField(_("model"), max_length=120, blank=True)
    serial_number = models.CharField(_("serial number"), max_length=120, blank=True)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
        related_name="+",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
        related_name="+",
        help_text=_("The using department, or the owning department when none is recorded."),
    )
    owner_department = models.ForeignKey(
        Department,
        verbose_name=_("owning department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
        related_name="+",
    )
    location = models.ForeignKey(
        Location,
        verbose_name=_("book location"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
        related_name="+",
    )
    custodian = models.CharField(_("custodian"), max_length=80, blank=True)
    status = models.CharField(_("status"), max_length=20, blank=True)
    parent = models.ForeignKey(
        Asset,
        verbose_name=_("host"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
        related_name="+",
    )
    embedded = models.BooleanField(_("embedded"), default=False)
    # Set at activation from the frozen lines, so a scan knows without a subquery whether the
    # card it counts has embedded devices to count through it (bench/stocktake.py).
    hosts_embedded = models.BooleanField(_("hosts embedded devices"), default=False)
    book_quantity = models.PositiveSmallIntegerField(_("book quantity"), default=1)
    original_value = models.DecimalField(
        _("book original value"), max_digits=14, decimal_places=2, default=0
    )
    accumulated_depreciation = models.DecimalField(
        _("book accumulated depreciation"), max_digits=14, decimal_places=2, default=0
    )
    net_value = models.DecimalField(_("book net value"), max_digits=14, decimal_places=2, default=0)
    # The count (实盘).
    result = models.CharField(
        _("result"),
        max_length=16,
        choices=LineResult.choices,
        default=LineResult.PENDING,
    )
    counted_quantity = models.PositiveSmallIntegerField(_("counted quantity"), default=0)
    verify_method = models.CharField(
        _("verified by"), max_length=16, choices=VerifyMethod.choices, blank=True
    )
    counted_at = models.DateTimeField(_("counted at"), null=True, blank=True)
    counted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("counted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
        related_name="+",
    )
    counted_location = models.ForeignKey(
        Location,
        verbose_name=_("found at"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
        related_name="+",
    )
    # Where a card counted by its repair record is (the repair's repairer): a place outside the
    # register's locations. A database default: activation inserts lines by INSERT … SELECT.
    away_at = models.CharField(_("away at"), max_length=200, blank=True, db_default="")
    label_ok = models.BooleanField(
        _("readable active label"), null=True, blank=True, help_text=_("Null until counted.")
    )
    # The holder's "I still hold these" during the count, beside the physical count and never
    # instead of it: a scan still counts the line as a scan. At close a line no scan counted
    # is found by its holder (`VerifyMethod.CUSTODIAN`) rather than short.
    holder_confirmed_at = models.DateTimeField(
        _("confirmed by its holder at"), null=True, blank=True
    )
    holder_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by its holder"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
        related_name="+",
    )
    # The accepted handover that took an uncounted card out of this count (`LineResult.HANDED_OVER`).
    handover = models.ForeignKey(
        "assets.Handover",
        verbose_name=_("handed over in"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
        related_name="+",
    )
    reprint_requested = models.BooleanField(_("label reprint requested"), default=False)
    manual_reason = models.TextField(_("reason for a manual count"), blank=True)
    # Surplus finds (盘盈): what was scanned or seen, a note and an optional photo.
    scanned_code = models.CharField(_("scanned code"), max_length=512, blank=True)
    note = models.TextField(_("note"), blank=True)
    photo = models.CharField(
        _("photo"), max_length=255, blank=True, help_text=_("Path in private storage.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["campaign", "tag", "id"]
        verbose_name = _("stocktake line")
        verbose_name_plural = _("stocktake lines")
        indexes = [
            models.Index(fields=["campaign", "tag"], name="line_campaign_tag"),
            models.Index(fields=["campaign", "location"], name="line_campaign_location"),
            models.Index(fields=["campaign", "department"], name="line_campaign_department"),
            models.Index(fields=["campaign", "parent"], name="line_campaign_parent"),
        ]
        constraints = [
            # One expected line per card per campaign: the anchor of "one count" (invariant 5).
            models.UniqueConstraint(
                fields=["campaign", "asset"],
                condition=Q(asset__isnull=False),
                name="line_one_per_asset",
            ),
            models.UniqueConstraint(
                fields=["campaign", "scanned_code"],
                condition=Q(kind="surplus") & ~Q(scanned_code=""),
                name="surplus_one_per_code",
            ),
            models.CheckConstraint(
                condition=Q(kind="surplus", result="surplus")
                | (Q(kind="book") & ~Q(result="surplus") & Q(asset__isnull=False)),
                name="line_kind_matches_result",
            ),
            models.CheckConstraint(condition=Q(counted_quantity__lte=1), name="line_quantity_one"),
            models.CheckConstraint(
                condition=~Q(result="handed_over") | Q(handover__isnull=False),
                name="line_handed_over_names_handover",
            ),
            models.CheckConstraint(
                condition=Q(original_value__gte=0) & Q(net_value__gte=0),
                name="line_values_nonneg",
            ),
        ]

    def __str__(self):
        return f"{self.campaign_id}:{self.tag or self.scanned_code}"

    @property
    def counted(self) -> bool:
        return self.counted_quantity > 0

    @property
    def found_at(self) -> str:
        """Where the count found the card, in the active (reader's) language: the counted
        location, or the repairer of a card away for repair."""
        if self.counted_location_id:
            return self.counted_location.name
        if self.verify_method == VerifyMethod.REPAIR_RECORD:
            return away_for_repair(self.away_at)
        return ""


def away_for_repair(repairer: str) -> str:
    """The place of a line counted by its repair record, in the active language."""
    if repairer:
        return gettext("Away for repair at %(repairer)s") % {"repairer": repairer}
    return gettext("Away for repair")


class ProgressTally(models.Model):
    """A campaign's lines counted by what progress groups and scopes on: one row per (campaign,
    kind, line department, owning department, location, and for a surplus find its counter),
    with its lines, counted (实盘数, holder-confirmed included), of them by the holder, shortages
    (盘亏), and pending (not counted, not confirmed by the holder).

    Maintained by PostgreSQL statement triggers on the line table (migration 0020), in the same
    transaction as the statement that changed the lines (a scan, a decision, activation, close:
    whichever service wrote them), so the progress pages, API and dashboard read exact counts
    from a few rows instead of every line (`selectors.progress`). Its key carries the line
    fields `permissions.readable_line_q` filters on, so a clerk's share is the same condition
    on either table. A row whose lines went elsewhere stays at zero. Nobody writes it from
    Python; `tests/inventory/test_progress_tally.py` checks it against the ORM's count of the
    lines.
    """

    campaign = models.ForeignKey(
        StocktakeCampaign, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False,
        db_index=False,
    )  # fmt: skip
    kind = models.CharField(max_length=8)
    department = models.ForeignKey(
        Department, null=True, on_delete=models.DO_NOTHING, related_name="+",
        db_constraint=False, db_index=False,
    )  # fmt: skip
    owner_department = models.ForeignKey(
        Department, null=True, on_delete=models.DO_NOTHING, related_name="+",
        db_constraint=False, db_index=False,
    )  # fmt: skip
    location = models.ForeignKey(
        Location, null=True, on_delete=models.DO_NOTHING, related_name="+",
        db_constraint=False, db_index=False,
    )  # fmt: skip
    # A surplus find's counter (whose finds a clerk reads); null on book lines.
    counted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.DO_NOTHING, related_name="+",
        db_constraint=False, db_index=False,
    )  # fmt: skip
    # Lines in the count: a card handed over to another unit during it (`LineResult.HANDED_OVER`)
    # left it, and is counted apart.
    lines = models.BigIntegerField(default=0)
    counted = models.BigIntegerField(default=0)
    by_holder = models.BigIntegerField(default=0)
    shortage = models.BigIntegerField(default=0)
    pending = models.BigIntegerField(default=0)
    handed_over = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("progress tally")
        verbose_name_plural = _("progress tallies")
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "campaign",
                    "kind",
                    "department",
                    "owner_department",
                    "location",
                    "counted_by",
                ],
                name="progress_tally_key",
                nulls_distinct=False,
            ),
        ]

    def __str__(self):
        return f"{self.campaign_id}/{self.kind}/{self.department_id}: {self.lines}"


class StocktakeCount(models.Model):
    """The one count of a card in a campaign. Its unique key makes concurrent scans count once."""

    # Every scan inserts a count, and each index is a write the scan waits for: the unique
    # (campaign, asset) and line keys serve every lookup, so the foreign keys carry no index of
    # their own (cards and users are never deleted, which is what such an index would speed up).
    campaign = models.ForeignKey(
        StocktakeCampaign,
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    asset = models.ForeignKey(
        Asset, verbose_name=_("asset"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    line = models.OneToOneField(
        StocktakeLine, verbose_name=_("line"), on_delete=models.PROTECT, related_name="count"
    )
    counted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("counted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    counted_at = models.DateTimeField(_("counted at"))
    verify_method = models.CharField(_("verified by"), max_length=16, choices=VerifyMethod.choices)

    class Meta:
        verbose_name = _("stocktake count")
        verbose_name_plural = _("stocktake counts")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "asset"], name="count_one_per_asset"),
        ]

    def __str__(self):
        return f"{self.campaign_id}:{self.asset_id}"


class ScanQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The scan log is append-only.")

    def delete(self):
        raise AppendOnlyError("The scan log is append-only.")


class StocktakeScan(models.Model):
    """One scan as received (the append-only scan log); `client_key` makes a replay harmless."""

    class Answer(models.TextChoices):
        FOUND = "found", _("Found")
        FOUND_ELSEWHERE = "found_elsewhere", _("Found elsewhere")
        DUPLICATE = "duplicate", _("Already counted")
        SUPERSEDED_LABEL = "superseded_label", _("Old label: reprint needed")
        NOT_IN_SCOPE = "not_in_scope", _("Not in your scope")
        UNKNOWN = "unknown", _("Unknown code")
        AWAITING = "awaiting", _("Awaiting confirmation")
        INVALID = "invalid", _("Not a Yika code")

    # The log takes a row per scan: (campaign, received_at) and the client key are what is read;
    # the other foreign keys carry no index a scan would pay for and nothing reads by.
    campaign = models.ForeignKey(
        StocktakeCampaign,
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        related_name="scans",
        db_index=False,
    )
    client_key = models.UUIDField(_("client key"), unique=True, default=uuid.uuid4)
    code = models.CharField(_("scanned code"), max_length=512)
    tag = models.CharField(_("tag"), max_length=40, blank=True)
    label_serial = models.PositiveIntegerField(_("label serial"), null=True, blank=True)
    location = models.ForeignKey(
        Location,
        verbose_name=_("location"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    scanned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("scanned by"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    scanned_at = models.DateTimeField(_("scanned at"))
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    answer = models.CharField(_("answer"), max_length=20, choices=Answer.choices)
    line = models.ForeignKey(
        StocktakeLine,
        verbose_name=_("line"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="scans",
        db_index=False,
    )

    objects = ScanQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("scan")
        verbose_name_plural = _("scans")
        indexes = [models.Index(fields=["campaign", "received_at"], name="scan_campaign_at")]

    def __str__(self):
        return f"{self.campaign_id}:{self.code}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("The scan log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The scan log is append-only.")


class Difference(models.Model):
    """A difference found by the count (差异登记), followed to posting before year end."""

    class Kind(models.TextChoices):
        SURPLUS = "surplus", pgettext_lazy("difference kind", "Surplus")
        SHORTAGE = "shortage", pgettext_lazy("difference kind", "Shortage")
        MISMATCH = "mismatch", pgettext_lazy("difference kind", "Information differs")
        DAMAGED = "damaged", pgettext_lazy("difference kind", "Damaged")

    class State(models.TextChoices):
        RAISED = "raised", _("Raised")
        EXPLAINED = "explained", _("Explained")
        APPROVED = "approved", _("Approved")
        POSTED = "posted", _("Posted")

    campaign = models.ForeignKey(
        StocktakeCampaign,
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        related_name="differences",
    )
    line = models.OneToOneField(
        StocktakeLine, verbose_name=_("line"), on_delete=models.PROTECT, related_name="difference"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # Close inserts one difference per open line (100,000 at once): this table carries no index
    # beyond its campaign, its line and its key; the register is read a campaign at a time.
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.RAISED)
    reason = models.TextField(_("reason"), blank=True)
    responsible = models.CharField(_("responsible person"), max_length=80, blank=True)
    treatment = models.TextField(_("proposed treatment"), blank=True)
    write_back = models.BooleanField(
        _("write the counted location back to the card"), default=False
    )
    draft_asset = models.ForeignKey(
        Asset,
        verbose_name=_("draft card"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    explained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    explained_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    posted_at = models.DateTimeField(null=True, blank=True)
    # A posted shortage or damage ends in a disposal case (write-off, scrap); the difference stays
    # open until the case is executed. Why its card could not join one, when it could not.
    disposal = models.ForeignKey(
        "assets.DisposalCase",
        verbose_name=_("disposal case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="stocktake_differences",
    )
    # Why, as refusals (`assets.refusals`: code and values), so each reader reads it in their
    # language. A database default: closing inserts the differences by INSERT … SELECT, naming
    # its columns.
    disposal_refusals = models.JSONField(
        _("why no disposal case"), blank=True, default=list, db_default=[]
    )

    class Meta:
        ordering = ["campaign", "kind", "id"]
        verbose_name = _("difference")
        verbose_name_plural = _("differences")
        constraints = [
            models.CheckConstraint(
                condition=Q(state="raised") | ~Q(reason=""), name="difference_explained_has_reason"
            ),
        ]

    def __str__(self):
        return f"{self.campaign_id}:{self.kind}:{self.line_id}"

    @property
    def disposal_problem(self) -> str:
        """Why the card is in no disposal case, in the active (reader's) language."""
        from assets.refusals import stored_text

        return stored_text(self.disposal_refusals)

    @property
    def disposal_problem_codes(self) -> list[str]:
        from assets.refusals import stored_codes

        return stored_codes(self.disposal_refusals)

    @property
    def awaits_disposal(self) -> bool:
        """Posted, and its disposal case is not executed yet (draft, submitted, approved): the
        card is still on the books, nothing is written off (walk 6)."""
        return (
            self.state == self.State.POSTED
            and self.disposal_id is not None
            and self.disposal.state in ("draft", "submitted", "approved")
        )

    @property
    def needs_disposal_case(self) -> bool:
        """A posted shortage or damage whose card is in no live case, or an approved one held
        back because its card could join no case when posted (walk4-2): the clerk opens one
        (with its own choices, e.g. detaching a host's live components), which posts it."""
        asset = self.line.asset if self.line.asset_id else None
        return (
            (
                self.state == self.State.POSTED
                or (self.state == self.State.APPROVED and bool(self.disposal_refusals))
            )
            and self.kind in (self.Kind.SHORTAGE, self.Kind.DAMAGED)
            and asset is not None
            and asset.status != "retired"
            and (self.disposal_id is None or self.disposal.state == "rejected")
        )


# Reminders and notifications (issue 6) live in their own module, part of this app.
from inventory.reminders.models import *  # noqa: E402,F401,F403
