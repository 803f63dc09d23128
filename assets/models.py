"""The register: reference data, the asset card (资产卡片), nesting and append-only history.

State changes go through `assets.services`; models hold fields, constraints and cheap properties.
"""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy
from tree_queries.fields import TreeNodeForeignKey
from tree_queries.models import TreeNode
from tree_queries.query import TreeQuerySet

CURRENT_CODE_SYSTEM = "GBT14885-2022"
CENT = Decimal("0.01")


class AppendOnlyError(Exception):
    """Raised when code tries to rewrite or delete what must stay (history rows, cards)."""


def name_and_code(name, code) -> str:
    """A department or place as it is shown: its name and, in brackets, its code; Chinese takes
    full-width brackets without a space ("市大数据中心（BDC）")."""
    return pgettext("a name and its code", "%(name)s (%(code)s)") % {"name": name, "code": code}


class Department(TreeNode):
    """A unit in the tree: the bureau, the big data centre, their offices, other bureaus (委办局)."""

    class Kind(models.TextChoices):
        BUREAU = "bureau", _("Bureau")
        CENTRE = "centre", _("Centre")
        OFFICE = "office", _("Office")
        OTHER = "other", _("Other")

    parent = TreeNodeForeignKey(
        "self",
        verbose_name=_("parent department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.OFFICE)
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("department head"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_departments",
    )
    contact = models.CharField(_("contact for reports"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self):
        return name_and_code(self.name, self.code)


class Location(TreeNode):
    """Where assets stand: site › building › floor › room › rack (存放地点)."""

    class Kind(models.TextChoices):
        SITE = "site", _("Site")
        BUILDING = "building", _("Building")
        FLOOR = "floor", _("Floor")
        ROOM = "room", _("Room")
        RACK = "rack", _("Rack")

    parent = TreeNodeForeignKey(
        "self",
        verbose_name=_("parent location"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.ROOM)
    department = models.ForeignKey(
        Department,
        verbose_name=_("responsible department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="locations",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("location")
        verbose_name_plural = _("locations")

    def __str__(self):
        return name_and_code(self.name, self.code)


class Category(TreeNode):
    """A classification node keyed by (code system, code); cards use leaves of GB/T 14885-2022."""

    class VerifyPolicy(models.TextChoices):
        VIA_HOST = "via_host", _("Counted through its host")
        SN_MATCH = "sn_match", _("Confirm by serial number")
        PHOTO = "photo", _("Confirm by photo")

    parent = TreeNodeForeignKey(
        "self",
        verbose_name=_("parent category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    code_system = models.CharField(
        _("code system"), max_length=20, default=CURRENT_CODE_SYSTEM, db_index=True
    )
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=120)
    default_useful_life_months = models.PositiveIntegerField(
        _("default useful life (months)"), default=72
    )
    usually_embedded = models.BooleanField(
        _("usually embedded"),
        default=False,
        help_text=_(
            "Device class that usually sits inside a host (terminal access devices and the like)."
        ),
    )
    embedded_verify_policy = models.CharField(
        _("how embedded devices are counted"),
        max_length=16,
        choices=VerifyPolicy.choices,
        default=VerifyPolicy.VIA_HOST,
    )
    maps_to = models.ForeignKey(
        "self",
        verbose_name=_("maps to (GB/T 14885-2022)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="legacy_codes",
        help_text=_("For legacy code systems: the current category this code is mapped to."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code_system", "code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.UniqueConstraint(fields=["code_system", "code"], name="category_code_unique"),
            models.CheckConstraint(
                condition=Q(default_useful_life_months__gt=0), name="category_life_positive"
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class User(AbstractUser):
    """A person who signs in. Roles are the groups clerk, receiver, auditor, admin."""

    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    display_name = models.CharField(_("display name"), max_length=80, blank=True)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans"
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.display_name or self.get_full_name() or self.username

    @staticmethod
    def name_expression(path: str = ""):
        """`str(user)` as a query expression (display name, else full name, else login name),
        for exports that read values rather than objects; `path` is the relation, e.g.
        "counted_by__"."""
        from django.db.models import Value
        from django.db.models.functions import Coalesce, Concat, NullIf, Trim

        return Coalesce(
            NullIf(f"{path}display_name", Value("")),
            NullIf(Trim(Concat(f"{path}first_name", Value(" "), f"{path}last_name")), Value("")),
            f"{path}username",
        )

    def _get_session_auth_hash(self, secret=None):
        """Sessions are bound to the password AND the department: moving a user to another
        department ends their sessions on the next request, as a password change does
        (SECURITY.md test 16). Deactivated users are refused by the auth backend itself."""
        from django.utils.crypto import salted_hmac

        return salted_hmac(
            "assets.User.get_session_auth_hash",
            f"{self.password}|{self.department_id or ''}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


class TagSequence(models.Model):
    """The counter behind generated tags: one row per (prefix, year), incremented under a lock."""

    prefix = models.CharField(max_length=10)
    year = models.PositiveIntegerField()
    last_value = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="tag_sequence_unique")
        ]

    def __str__(self):
        return f"{self.prefix}{self.year}: {self.last_value}"


class AssetQuerySet(TreeQuerySet):
    """Cards are retired, never deleted (invariant 4)."""

    def delete(self):
        raise AppendOnlyError("Asset cards are never deleted; retire them instead.")


class Asset(TreeNode):
    """One card per asset (资产卡片, 一物一卡). `parent` is the host of a nested component."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Surplus, pending booking")
        IN_STOCK = "in_stock", _("In stock")
        IN_USE = "in_use", _("In use")
        IDLE = "idle", _("Idle")
        LENT = "lent", _("Lent or leased")
        PENDING_DISPOSAL = "pending_disposal", _("Pending disposal")
        RETIRED = "retired", _("Retired")
        # Repairs (custody and upkeep): away for repair, back to its previous status after.
        UNDER_REPAIR = "under_repair", _("Under repair")

    class AcquisitionMethod(models.TextChoices):
        PURCHASE = "purchase", _("New purchase")
        TRANSFER = "transfer", _("Free transfer")
        EXCHANGE = "exchange", _("Exchange")
        DONATION = "donation", _("Donation")
        SURPLUS = "surplus", _("Stocktake surplus")
        DELEGATED_BUILD = "delegated_build", _("Delegated-build handover")
        OTHER = "other", _("Other")

    class ValueType(models.TextChoices):
        PROVISIONAL = "provisional", _("Provisional estimate")
        FINAL = "final", pgettext_lazy("value type", "Final accounts")
        APPRAISED = "appraised", _("Appraised")
        REPLACEMENT = "replacement", _("Replacement cost")
        NOMINAL = "nominal", _("Nominal amount")

    class InstallMode(models.TextChoices):
        STANDALONE = "standalone", _("Standalone")
        EMBEDDED = "embedded", _("Embedded in its host")
        RACK_MOUNTED = "rack_mounted", _("Rack-mounted")

    class LabelMode(models.TextChoices):
        OWN_LABEL = "own_label", _("Own label")
        HOST_LABEL = "host_label", _("Listed on the host's label")
        CARD_LABEL = "card_label", _("Label kept with the paper card")
        VIRTUAL = "virtual", _("No physical label (identified by SN/MAC)")

    parent = TreeNodeForeignKey(
        "self",
        verbose_name=_("host"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="components",
    )
    tag = models.CharField(_("tag"), max_length=40, unique=True, editable=False)
    legacy_number = models.CharField(_("legacy number"), max_length=60, blank=True, db_index=True)
    name = models.CharField(_("name"), max_length=200)
    brand = models.CharField(_("brand"), max_length=80, blank=True)
    model = models.CharField(_("model"), max_length=120, blank=True)
    spec = models.CharField(_("specification"), max_length=255, blank=True)
    # Not indexed on its own: nothing looks a card up by exact serial; `?q=` finds serials
    # through the search index (selectors.AssetSearchText).
    serial_number = models.CharField(_("serial number"), max_length=120, blank=True)
    unit = models.CharField(_("unit of measure"), max_length=10, default="台")
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="assets"
    )

    acquisition_method = models.CharField(
        _("acquisition method"),
        max_length=20,
        choices=AcquisitionMethod.choices,
        default=AcquisitionMethod.PURCHASE,
    )
    acquired_on = models.DateField(_("acquired on"), null=True, blank=True)
    in_service_on = models.DateField(_("in service since"), null=True, blank=True)
    contract_no = models.CharField(_("contract number"), max_length=80, blank=True)
    invoice_no = models.CharField(_("invoice number"), max_length=80, blank=True)
    project = models.ForeignKey(
        "assets.DelegatedProject",
        verbose_name=_("delegated-build project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assets",
    )
    warranty_until = models.DateField(_("warranty until"), null=True, blank=True)

    value_type = models.CharField(
        _("value type"), max_length=16, choices=ValueType.choices, default=ValueType.FINAL
    )
    original_value = models.DecimalField(
        _("original value (CNY)"), max_digits=14, decimal_places=2, default=Decimal("0.00")
    )
    booked_on = models.DateField(_("booked on"), null=True, blank=True)
    voucher_no = models.CharField(_("voucher number"), max_length=60, blank=True)
    depreciate = models.BooleanField(_("depreciate"), default=True)
    useful_life_months = models.PositiveIntegerField(_("useful life (months)"), default=72)

    managing_department = models.ForeignKey(
        Department,
        verbose_name=_("managing department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="managed_assets",
    )
    using_department = models.ForeignKey(
        Department,
        verbose_name=_("using department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="used_assets",
    )
    owner_department = models.ForeignKey(
        Department,
        verbose_name=_("owning department"),
        on_delete=models.PROTECT,
        related_name="owned_assets",
        db_index=False,  # `asset_owner_status` leads with it
    )
    ownership_confirmed = models.BooleanField(_("ownership confirmed"), default=True)
    custodian = models.CharField(_("custodian"), max_length=80, blank=True)
    custodian_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("custodian account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="custodied_assets",
        # Indexed only where set (`asset_custodian_user`): few cards name an account.
        db_index=False,
    )
    location = models.ForeignKey(
        Location,
        verbose_name=_("location"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assets",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.IN_STOCK, db_index=True
    )
    lent_to = models.CharField(_("lent to"), max_length=200, blank=True)
    suspected_shortage = models.BooleanField(_("suspected shortage"), default=False)

    install_mode = models.CharField(
        _("installation"),
        max_length=16,
        choices=InstallMode.choices,
        default=InstallMode.STANDALONE,
    )
    label_mode = models.CharField(
        _("label strategy"),
        max_length=16,
        choices=LabelMode.choices,
        default=LabelMode.OWN_LABEL,
    )
    notes = models.TextField(_("notes"), blank=True)

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)
    retire_reason = models.TextField(_("retirement reason"), blank=True)

    objects = AssetQuerySet.as_manager(with_tree_fields=False)

    class Meta:
        ordering = ["tag"]
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        # Each index slows every write (a stocktake close updates most of the register, an
        # import inserts tens of thousands of cards): keep only those a filter, a scope, an
        # ordering or a lookup uses (migration 0007 says which and why). The `?q=` search has
        # one trigram index over `selectors.AssetSearchText`, made by SQL in migration 0007
        # beside the pg_trgm extension it needs (migration 0005), and for one- and
        # two-character searches one over its short grams (`selectors.ShortSearch`, migration
        # 0025).
        indexes = [
            models.Index(fields=["owner_department", "status"], name="asset_owner_status"),
            # The dashboard's longest-serving cards (walked in order, stopped at the tenth) and
            # its cards that went into service this month (`reports.sql.dashboard_rows`).
            models.Index(
                fields=["in_service_on", "tag"],
                name="asset_in_service_live",
                condition=Q(in_service_on__isnull=False) & ~Q(status="retired"),
            ),
            # Every scoped read (`permissions.visible_assets`) ORs "or held by me" onto the
            # department scope; without an index on that arm PostgreSQL cannot combine the
            # scope's indexes and reads the whole register for a clerk's list count (770 ms at
            # 1,000,000 cards; bench/scale.py).
            models.Index(
                fields=["custodian_user"],
                name="asset_custodian_user",
                condition=Q(custodian_user__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(original_value__gte=0), name="asset_original_value_nonneg"
            ),
            models.CheckConstraint(
                condition=Q(useful_life_months__gt=0), name="asset_life_positive"
            ),
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")) | Q(parent__isnull=True),
                name="asset_not_own_parent",
            ),
            models.CheckConstraint(
                condition=Q(status="retired", retired_at__isnull=False)
                | (~Q(status="retired") & Q(retired_at__isnull=True)),
                name="asset_retired_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(install_mode="embedded") | Q(parent__isnull=False),
                name="asset_embedded_has_host",
            ),
        ]

    def __str__(self):
        return f"{self.tag} {self.name}"

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Asset cards are never deleted; retire them instead.")

    @property
    def embedded(self) -> bool:
        return self.install_mode == self.InstallMode.EMBEDDED

    @property
    def ownership_clear(self) -> bool:
        """Its ownership is confirmed and it is not a delegated-build card still with its
        builder (a handover never happened): only then may it be disposed of or transferred
        (DOMAIN.md §8, "ownership must be clear"). Reads `project` when there is one."""
        if not self.ownership_confirmed:
            return False
        return not (
            self.project_id and self.owner_department_id == self.project.builder_department_id
        )

    @property
    def is_live(self) -> bool:
        return self.status != self.Status.RETIRED

    def months_depreciated(self, on: date | None = None) -> int:
        """Months charged by `on`: the month of entry into service counts (政府会计准则第3号)."""
        if not self.depreciate or self.in_service_on is None:
            return 0
        on = on or timezone.localdate()
        if on < self.in_service_on:
            return 0
        months = (on.year - self.in_service_on.year) * 12 + on.month - self.in_service_on.month + 1
        return min(months, self.useful_life_months)

    def monthly_depreciation(self) -> Decimal:
        if not self.depreciate:
            return Decimal("0.00")
        return (self.original_value / self.useful_life_months).quantize(CENT, ROUND_HALF_UP)

    def accumulated_depreciation(self, on: date | None = None) -> Decimal:
        """Straight-line, monthly, no residual value; never more than the original value."""
        months = self.months_depreciated(on)
        if months >= self.useful_life_months:
            return self.original_value
        value = (self.original_value * months / self.useful_life_months).quantize(
            CENT, ROUND_HALF_UP
        )
        return min(value, self.original_value)

    def net_book_value(self, on: date | None = None) -> Decimal:
        return max(self.original_value - self.accumulated_depreciation(on), Decimal("0.00"))


class AssetEventQuerySet(models.QuerySet):
    """History rows are written once and never updated or deleted (invariant 4)."""

    def update(self, **kwargs):
        raise AppendOnlyError("Asset history is append-only.")

    def delete(self):
        raise AppendOnlyError("Asset history is append-only.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError("Asset history is append-only.")

    def update_or_create(self, *args, **kwargs):
        raise AppendOnlyError("Asset history is append-only.")


class AssetEvent(models.Model):
    """One change to one card: who, when, what kind, each field's before/after, why, and where from."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Registered")
        UPDATED = "updated", _("Edited")
        NESTED = "nested", _("Nesting changed")
        MOVED = "moved", _("Moved")
        STATUS_CHANGED = "status_changed", _("Status changed")
        RETIRED = "retired", _("Retired")
        REVALUED = "revalued", _("Revalued")
        LABEL_PRINTED = "label_printed", _("Label printed")
        LABEL_VOIDED = "label_voided", _("Label voided")
        HANDOVER_SUBMITTED = "handover_submitted", _("Handover submitted")
        HANDOVER_ACCEPTED = "handover_accepted", _("Accepted in a handover")
        HANDOVER_REJECTED = "handover_rejected", _("Rejected in a handover")
        HANDOVER_WITHDRAWN = "handover_withdrawn", _("Handover withdrawn")
        COUNTED = "counted", _("Counted in a stocktake")
        STOCKTAKE_CORRECTION = "stocktake_correction", _("Corrected after a stocktake")
        SHORTAGE_FLAGGED = "shortage_flagged", _("Flagged as suspected shortage")
        IMPORTED = "imported", _("Imported")
        # Disposals
        DISPOSAL_SUBMITTED = "disposal_submitted", _("Submitted for disposal")
        DISPOSAL_APPROVED = "disposal_approved", _("Disposal approved")
        DISPOSAL_REJECTED = "disposal_rejected", _("Disposal rejected")
        DISPOSAL_TRANSFERRED = "disposal_transferred", _("Transfer executed, handover opened")
        # Custody and upkeep
        CHECKED_OUT = "checked_out", _("Checked out")
        RECEIPT_CONFIRMED = "receipt_confirmed", _("Receipt confirmed")
        CHECKED_IN = "checked_in", _("Checked in")
        LENT_OUT = "lent_out", _("Lent outside the unit")
        HOLDING_CONFIRMED = "holding_confirmed", _("Holder confirmed they still hold it")
        FAULT_REPORTED = "fault_reported", _("Fault reported")
        REPAIR_STARTED = "repair_started", _("Sent for repair")
        REPAIR_FINISHED = "repair_finished", _("Back from repair")
        # attachments (evidence)
        ATTACHMENT_ADDED = "attachment_added", _("File attached")
        ATTACHMENT_WITHDRAWN = "attachment_withdrawn", _("Attached file withdrawn")

    asset = models.ForeignKey(
        Asset, verbose_name=_("asset"), on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="asset_events",
    )
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)
    handover = models.ForeignKey(
        "Handover",
        verbose_name=_("handover"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="asset_events",
    )
    # The stocktake campaign, when there is one. A plain id: `assets` imports no other app.
    campaign_id = models.PositiveBigIntegerField(_("stocktake campaign"), null=True, blank=True)
    # A note written by code, not typed by a person: its message key and values, so the
    # timeline says it in the reader's language (`history.note_text`); `note` keeps the
    # writer's wording for the API and exports.
    note_code = models.CharField(_("note code"), max_length=64, blank=True, default="")
    note_params = models.JSONField(_("note values"), default=dict, blank=True)
    # Disposals: the case a disposal step belongs to.
    disposal = models.ForeignKey(
        "DisposalCase",
        verbose_name=_("disposal case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="asset_events",
    )

    objects = AssetEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("asset event")
        verbose_name_plural = _("asset events")
        indexes = [models.Index(fields=["asset", "-at"], name="event_asset_at")]

    def __str__(self):
        return f"{self.asset_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None or not self._state.adding:
            raise AppendOnlyError("Asset history is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Asset history is append-only.")


# In its own module so the sub-domains' models name it without importing this one.
from assets.storage import private_storage as private_storage  # noqa: E402


class ImportJob(models.Model):
    """One uploaded ledger file (导入任务): its preview, its row errors, and whether it was applied.

    A job belongs to the user who uploaded it; nobody else reads it (404). `assets.imports` holds
    the state machine and the services.
    """

    class State(models.TextChoices):
        READY = "ready", _("Ready to apply")
        INVALID = "invalid", _("Has errors")
        APPLIED = "applied", _("Applied")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="import_jobs",
    )
    file = models.FileField(_("file"), storage=private_storage, upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    file_kind = models.CharField(_("file type"), max_length=8)
    encoding = models.CharField(_("encoding"), max_length=16, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, db_index=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    create_count = models.PositiveIntegerField(_("cards to create"), default=0)
    update_count = models.PositiveIntegerField(_("cards to update"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged cards"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    columns = models.JSONField(_("column mapping"), default=dict, blank=True)
    preview = models.JSONField(_("preview"), default=list, blank=True)
    errors = models.JSONField(_("row errors"), default=list, blank=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        constraints = [
            models.CheckConstraint(
                condition=Q(state="applied", applied_at__isnull=False)
                | (~Q(state="applied") & Q(applied_at__isnull=True)),
                name="importjob_applied_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(state="ready") | Q(error_count=0),
                name="importjob_ready_has_no_errors",
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.original_name}"


class ApiToken(models.Model):
    """A named API token (`Authorization: Token <key>`), from `POST /api/v1/auth/token/` or the
    user's account page (`/api/v1/tokens/`).

    Only the key's SHA-256 is stored, so a copy of the database signs nobody in; the key is shown
    once, when it is issued. A token carries a scope (`read`: safe methods only; `scan`: those and
    the stocktake scan endpoint, for PDAs that only count; `full`: all its user may do) and an
    expiry. It ends when it expires, when it is revoked, when its user's password changes, when
    the user is deactivated or moved to another department, and when it has not been used for
    `YIKA_TOKEN_IDLE_DAYS` days (`assets.credentials`).
    """

    class Scope(models.TextChoices):
        READ = "read", _("Read only")
        SCAN = "scan", _("Read and stocktake scans")
        FULL = "full", _("Everything the user may do")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    digest = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("key begins"), max_length=8, editable=False)
    created_at = models.DateTimeField(_("issued at"), default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    # API tokens: name, scope and expiry (issue 20)
    name = models.CharField(_("token name"), max_length=80, blank=True)
    scope = models.CharField(
        _("scope"), max_length=8, choices=Scope.choices, default=Scope.FULL, editable=False
    )
    expires_at = models.DateTimeField(_("expires at"), editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(scope__in=["read", "scan", "full"]), name="api_token_scope"
            ),
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="api_token_expires_after_issue",
            ),
        ]

    def __str__(self):
        return f"{self.name or self.prefix + '…'} ({self.user})"


# Single sign-on's role rules (issue 20), in their package like the handovers' below.
from assets.accounts.models import SsoIdentity, SsoRoleRule  # noqa: E402,F401

# The handovers' models live in their package; imported here so the app registers them.
# Disposals: the disposal cases' models (assets.disposals.models), registered the same way.
# attachments (evidence): its models too (assets/attachments/), the same way.
from assets.attachments.models import Attachment, AttachmentWithdrawal, Blob  # noqa: E402,F401
from assets.disposals.models import ApprovalTier, DisposalCase, DisposalItem  # noqa: E402,F401
from assets.handovers.models import DelegatedProject, Handover, HandoverArchive, HandoverItem  # noqa: E402,F401

# isort: split
# Custody and upkeep live in their packages; imported here so the app registers them.
from assets.custody.models import CustodyRecord, HoldingConfirmation  # noqa: E402,F401
from assets.maintenance.models import MaintenanceContract, RepairRecord  # noqa: E402,F401

# Reconciliation with the finance books (issue 19): models in their package.
from assets.reconciliations.models import (  # noqa: E402,F401
    FinanceRow,
    Reconciliation,
    ReconciliationDifference,
    ReconciliationMapping,
)

# register reports
from assets.reports.models import FrozenReport, RegisterTally  # noqa: E402,F401

# Security log: the audit trail of sign-ins, tokens, role changes, exports and admin changes.
from assets.security.models import SecurityEvent  # noqa: E402,F401
