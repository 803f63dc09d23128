"""Labels (标签): printed label records, label templates as data, and print batches.

One active label per card (DESIGN.md invariant 2): printing supersedes the previous label in the
same transaction, and a partial unique constraint holds it under concurrent reprints. State
changes go through `labels.services`.
"""

from __future__ import annotations

import os
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assets.models import Asset


class PrivateStorage(FileSystemStorage):
    """Storage under settings.PRIVATE_MEDIA_ROOT, read when used (so settings overrides apply)."""

    @property
    def base_location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None


def private_storage() -> FileSystemStorage:
    """Generated PDFs live outside MEDIA_ROOT and are served only by permission-checked views."""
    return PrivateStorage()


def _mm(**kwargs) -> models.DecimalField:
    return models.DecimalField(
        max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0"))], **kwargs
    )


# The templates the migrations seed (0002, named in Chinese by 0003): their seeded name and the
# name every reader sees, in the reader's language. A template an administrator created or
# renamed shows its own name.
BUILT_IN_TEMPLATE_NAMES = {
    "a4-70x40": ("A4 标签纸 70×40（3×7）", _("A4 label sheet 70×40 (3×7)")),
    "a4-60x40": ("A4 标签纸 60×40（3×7）", _("A4 label sheet 60×40 (3×7)")),
    "thermal-50x30": ("热敏卷标 50×30", _("Thermal roll 50×30")),
    "mini-40x20": ("小标签 40×20（A4，5×14）", _("Mini labels 40×20 (A4, 5×14)")),
    "flag-60x10": (
        "旗形标签 60×10（线缆、嵌入设备）",
        _("Flag labels 60×10 (cables, embedded devices)"),
    ),
    "a4-components": ("A4 部件清单（每台主机一页）", _("A4 component sheet (one page per host)")),
}


class LabelTemplate(models.Model):
    """A label layout defined in millimetres as data (admin-editable; never template source code).

    Content comes from a fixed list of stable card fields (DOMAIN.md §7); `clean()` and the
    print service both check that the grid fits the page and the content fits the label.
    """

    class Media(models.TextChoices):
        SHEET = "sheet", _("Sheet (A4)")
        ROLL = "roll", _("Roll (thermal printer)")

    class Kind(models.TextChoices):
        LABEL = "label", _("One label per card")
        COMPONENT_SHEET = "component_sheet", _("Component sheet per host")

    class Field(models.TextChoices):
        OWNER = "owner", _("Owning unit")
        NAME = "name", _("Name")
        MODEL = "model", _("Model")
        IN_SERVICE_ON = "in_service_on", _("In service since")
        COMPONENTS = "components", _("Embedded components")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.LABEL)
    media = models.CharField(_("media"), max_length=10, choices=Media.choices, default=Media.SHEET)
    page_width_mm = _mm(verbose_name=_("page width (mm)"), default=Decimal("210"))
    page_height_mm = _mm(verbose_name=_("page height (mm)"), default=Decimal("297"))
    label_width_mm = _mm(verbose_name=_("label width (mm)"))
    label_height_mm = _mm(verbose_name=_("label height (mm)"))
    columns = models.PositiveSmallIntegerField(_("columns"), default=1)
    rows = models.PositiveSmallIntegerField(_("rows"), default=1)
    margin_left_mm = _mm(verbose_name=_("left margin (mm)"), default=Decimal("0"))
    margin_top_mm = _mm(verbose_name=_("top margin (mm)"), default=Decimal("0"))
    gap_x_mm = _mm(verbose_name=_("gap between columns (mm)"), default=Decimal("0"))
    gap_y_mm = _mm(verbose_name=_("gap between rows (mm)"), default=Decimal("0"))
    padding_mm = _mm(verbose_name=_("inner padding (mm)"), default=Decimal("2"))
    panels = models.PositiveSmallIntegerField(
        _("panels"),
        default=1,
        help_text=_(
            "2 for a flag label folded around a cable: the content is printed on each half."
        ),
    )
    qr_size_mm = _mm(verbose_name=_("QR code size (mm)"), default=Decimal("0"))
    fields = models.JSONField(
        _("printed fields"),
        default=list,
        blank=True,
        help_text=_(
            "From: owner, name, model, in_service_on, components. The tag is always printed."
        ),
    )
    code128 = models.BooleanField(_("Code 128 of the tag"), default=False)
    code128_height_mm = _mm(verbose_name=_("Code 128 height (mm)"), default=Decimal("6"))
    font_size_pt = _mm(verbose_name=_("font size (pt)"), default=Decimal("8"))
    min_font_size_pt = _mm(verbose_name=_("smallest font size (pt)"), default=Decimal("5"))
    draw_border = models.BooleanField(_("draw a cut line around each label"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("label template")
        verbose_name_plural = _("label templates")
        constraints = [
            models.CheckConstraint(
                condition=Q(label_width_mm__gt=0) & Q(label_height_mm__gt=0),
                name="label_template_size_positive",
            ),
            models.CheckConstraint(
                condition=Q(page_width_mm__gt=0) & Q(page_height_mm__gt=0),
                name="label_template_page_positive",
            ),
            models.CheckConstraint(
                condition=Q(columns__gte=1) & Q(rows__gte=1), name="label_template_grid_positive"
            ),
            models.CheckConstraint(
                condition=Q(panels__gte=1) & Q(panels__lte=2), name="label_template_panels_1_2"
            ),
        ]

    def __str__(self):
        return f"{self.display_name} ({self.code})"

    @property
    def display_name(self) -> str:
        """The name people read: a built-in template's in the reader's language while it keeps
        its seeded name, else the name it was given."""
        seeded, shown = BUILT_IN_TEMPLATE_NAMES.get(self.code, (None, None))
        return str(shown) if seeded is not None and self.name == seeded else self.name

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    def spec(self):
        """The pure layout description `labels.layout` works with."""
        from labels.layout import TemplateSpec

        return TemplateSpec.from_template(self)

    def clean(self):
        from labels.layout import template_problems

        problems = template_problems(self.spec(), site_url=settings.SITE_URL)
        if problems:
            raise ValidationError(problems)


# The print queue's filters (labels/forms.py) by key, also named in a batch's selection.
QUEUE_FILTERS = [
    ("", _("All live assets")),
    ("never", _("Never labelled")),
    ("superseded", _("Label superseded or voided, no active label")),
    ("embedded", _("Embedded without a label strategy")),
]

# How a batch's selection reads, by kind; {tag}, {count} or the filter's parts fill it in.
SELECTION_TEXTS = {
    "card": _("Card %(tag)s"),
    "sheet": _("Component sheet of host %(tag)s"),
    "host": _("Host %(tag)s and its subtree"),
    "chosen": _("%(count)s chosen assets"),
    "api": _("API: %(count)s tags"),
}


def selection_key(kind: str, *parts) -> str:
    """A batch's selection as stored: `kind:part|part` (e.g. `host:YK2026000013X`)."""
    return f"{kind}:" + "|".join(str(part or "") for part in parts)


class PrintBatch(models.Model):
    """One print run: the chosen cards, a template, and the PDF kept in private storage."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    template = models.ForeignKey(
        LabelTemplate,
        verbose_name=_("template"),
        on_delete=models.PROTECT,
        related_name="batches",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="label_batches",
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.QUEUED, db_index=True
    )
    # What was printed, as a key (`selection_key`) read in each reader's language by
    # `selection_text`; rows from before keys hold the text as it was written.
    selection = models.CharField(_("selection"), max_length=300, blank=True)
    assets = models.ManyToManyField(
        Asset, verbose_name=_("assets"), related_name="print_batches", blank=True
    )
    total = models.PositiveIntegerField(_("items"), default=0)
    done_count = models.PositiveIntegerField(_("items rendered"), default=0)
    pages = models.PositiveIntegerField(_("pages"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("error"), blank=True)
    file = models.FileField(
        _("PDF file"), storage=private_storage, upload_to="labels/", blank=True, max_length=200
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("print batch")
        verbose_name_plural = _("print batches")
        constraints = [
            models.CheckConstraint(
                condition=Q(done_count__lte=models.F("total")), name="print_batch_progress_bounded"
            ),
            models.CheckConstraint(
                condition=~Q(state="done") | (Q(finished_at__isnull=False) & ~Q(file="")),
                name="print_batch_done_has_file",
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.template.code} ({self.get_state_display()})"

    @property
    def selection_text(self) -> str:
        """The selection in the active language (stored keys), or as written (older rows)."""
        kind, sep, rest = self.selection.partition(":")
        if not sep or (kind not in SELECTION_TEXTS and kind != "filter"):
            return self.selection
        parts = rest.split("|")
        if kind == "filter":
            names = dict(QUEUE_FILTERS)
            words = [str(names.get(parts[0], names[""]))] + [part for part in parts[1:] if part]
            return " · ".join(words)
        value = parts[0]
        return str(SELECTION_TEXTS[kind]) % {"tag": value, "count": value}

    @property
    def progress_percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        return int(self.done_count * 100 / self.total) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)


class Label(models.Model):
    """One printed label of one card (标签). `serial` is 1, 2, 3… per card and is in the QR (`?l=`)."""

    asset = models.ForeignKey(
        Asset, verbose_name=_("asset"), on_delete=models.PROTECT, related_name="labels"
    )
    serial = models.PositiveIntegerField(_("label serial"))
    template = models.ForeignKey(
        LabelTemplate,
        verbose_name=_("template"),
        on_delete=models.PROTECT,
        related_name="labels",
        null=True,
        blank=True,
    )
    batch = models.ForeignKey(
        PrintBatch,
        verbose_name=_("print batch"),
        on_delete=models.PROTECT,
        related_name="labels",
        null=True,
        blank=True,
    )
    printed_at = models.DateTimeField(_("printed at"), default=timezone.now)
    printed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("printed by"),
        on_delete=models.PROTECT,
        related_name="labels_printed",
        null=True,
        blank=True,
    )
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("voided by"),
        on_delete=models.PROTECT,
        related_name="labels_voided",
        null=True,
        blank=True,
    )
    void_reason = models.TextField(_("void reason"), blank=True)

    class Meta:
        ordering = ["asset_id", "-serial"]
        verbose_name = _("label")
        verbose_name_plural = _("labels")
        constraints = [
            models.UniqueConstraint(fields=["asset", "serial"], name="label_serial_unique"),
            models.UniqueConstraint(
                fields=["asset"],
                condition=Q(superseded_at__isnull=True) & Q(voided_at__isnull=True),
                name="label_one_active_per_asset",
            ),
            models.CheckConstraint(condition=Q(serial__gte=1), name="label_serial_positive"),
            models.CheckConstraint(
                condition=Q(voided_at__isnull=True) | ~Q(void_reason=""),
                name="label_void_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.asset_id}#{self.serial}"

    @property
    def is_active(self) -> bool:
        return self.superseded_at is None and self.voided_at is None


class LabelledTally(models.Model):
    """Live cards that should carry their own label and have an active one, per owning
    department: the label coverage panel's numerator (the register tally has the cards).

    Maintained by PostgreSQL statement triggers on the label and card tables (migration 0004):
    a label made active or no longer active, and a labelled card moving department, changing its
    label strategy or retiring. Nobody writes it from Python; `tests/labels/test_tally.py` checks
    it against the ORM's count.
    """

    owner_department = models.ForeignKey(
        "assets.Department", null=True, on_delete=models.DO_NOTHING, related_name="+",
        db_constraint=False, db_index=False,
    )  # fmt: skip
    labelled = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("labelled cards tally")
        verbose_name_plural = _("labelled cards tallies")
        constraints = [
            models.UniqueConstraint(
                fields=["owner_department"], name="labelled_tally_key", nulls_distinct=False
            ),
        ]

    def __str__(self):
        return f"{self.owner_department_id}: {self.labelled}"
