"""Delegated-build (代建) projects and their handovers: the models of `assets.handovers`.

They keep the `assets` app label and table names; `assets/models.py` imports them, so Django and
`assets.models.Handover` find them as before. Related models are named by string so this module
imports nothing of `assets.models` (no cycle).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DelegatedProject(models.Model):
    """A delegated-build (代建) project whose assets pass to the owning bureau by handover."""

    class FinalAccountsState(models.TextChoices):
        PENDING = "pending", _("Not yet prepared")
        SUBMITTED = "submitted", _("Submitted for approval")
        APPROVED = "approved", _("Final accounts approved")

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    builder_department = models.ForeignKey(
        "assets.Department",
        verbose_name=_("builder department"),
        on_delete=models.PROTECT,
        related_name="built_projects",
    )
    owner_department = models.ForeignKey(
        "assets.Department",
        verbose_name=_("owning department"),
        on_delete=models.PROTECT,
        related_name="owned_projects",
    )
    contract_no = models.CharField(_("contract number"), max_length=80, blank=True)
    budget = models.DecimalField(
        _("budget (CNY)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    accepted_on = models.DateField(_("completion acceptance date"), null=True, blank=True)
    acceptance_report_no = models.CharField(
        _("acceptance report number"), max_length=80, blank=True
    )
    handover_due_on = models.DateField(_("handover due date"), null=True, blank=True)
    final_accounts_state = models.CharField(
        _("final accounts"),
        max_length=16,
        choices=FinalAccountsState.choices,
        default=FinalAccountsState.PENDING,
    )
    final_accounts_approved_on = models.DateField(
        _("final accounts approved on"), null=True, blank=True
    )
    final_accounts_ref = models.CharField(
        _("final accounts approval number"), max_length=80, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("delegated-build project")
        verbose_name_plural = _("delegated-build projects")
        constraints = [
            models.CheckConstraint(
                condition=Q(budget__isnull=True) | Q(budget__gte=0), name="project_budget_nonneg"
            ),
            models.CheckConstraint(
                condition=~Q(final_accounts_state="approved")
                | Q(final_accounts_approved_on__isnull=False),
                name="project_final_accounts_dated",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class Handover(models.Model):
    """A handover (移交单) of a delegated-build project's assets to the owning department."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", _("Accepted")
        PARTIALLY_ACCEPTED = "partially_accepted", _("Partially accepted")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    number = models.CharField(_("number"), max_length=40, unique=True)
    # No project: a free transfer (无偿划转) opened by executing an approved disposal case.
    project = models.ForeignKey(
        "assets.DelegatedProject",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handovers",
    )
    from_department = models.ForeignKey(
        "assets.Department",
        verbose_name=_("from department"),
        on_delete=models.PROTECT,
        related_name="handovers_out",
    )
    to_department = models.ForeignKey(
        "assets.Department",
        verbose_name=_("to department"),
        on_delete=models.PROTECT,
        related_name="handovers_in",
    )
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.DRAFT, db_index=True
    )
    note = models.TextField(_("note"), blank=True)
    decision_comment = models.TextField(_("decision comment"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="handovers_created",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handovers_submitted",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handovers_decided",
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    # The certificate (移交单) is rendered once, at decision time, and never regenerated.
    certificate_file = models.CharField(_("certificate file"), max_length=255, blank=True)
    certificate_sha256 = models.CharField(_("certificate SHA-256"), max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_department=models.F("to_department")),
                name="handover_distinct_parties",
            ),
            models.CheckConstraint(
                condition=(
                    Q(state__in=["accepted", "partially_accepted", "rejected"])
                    & Q(decided_at__isnull=False)
                )
                | (
                    ~Q(state__in=["accepted", "partially_accepted", "rejected"])
                    & Q(decided_at__isnull=True)
                ),
                name="handover_decided_has_date",
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def is_internal_transfer(self) -> bool:
        """A handover without project that no disposal case opened: an internal transfer
        (单位内部调拨) inside the sender's unit, not a free transfer (无偿划转). Lists annotate
        `opened_by_disposal` (`selectors.handovers_visible_to`) to spare a query per row."""
        if self.project_id is not None:
            return False
        opened = getattr(self, "opened_by_disposal", None)
        if opened is None:
            opened = self.disposal_cases.exists()
        return not opened


class HandoverItem(models.Model):
    """One card in a handover and the receiver's explicit result for it."""

    class Result(models.TextChoices):
        PENDING = "pending", pgettext_lazy("handover item", "Pending")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    handover = models.ForeignKey(
        Handover, verbose_name=_("handover"), on_delete=models.PROTECT, related_name="items"
    )
    asset = models.ForeignKey(
        "assets.Asset",
        verbose_name=_("asset"),
        on_delete=models.PROTECT,
        related_name="handover_items",
    )
    included_with_host = models.BooleanField(_("brought along by its host"), default=False)
    result = models.CharField(
        _("result"), max_length=10, choices=Result.choices, default=Result.PENDING
    )
    reason = models.TextField(_("reason"), blank=True)
    # An open handover holds the asset; a partial unique constraint allows one open item per asset.
    is_open = models.BooleanField(default=True, editable=False)
    new_using_department = models.ForeignKey(
        "assets.Department",
        verbose_name=_("new using department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    new_custodian = models.CharField(_("new custodian"), max_length=80, blank=True)
    new_location = models.ForeignKey(
        "assets.Location",
        verbose_name=_("new location"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["asset__tag"]
        verbose_name = _("handover item")
        verbose_name_plural = _("handover items")
        constraints = [
            models.UniqueConstraint(fields=["handover", "asset"], name="handover_item_unique"),
            models.UniqueConstraint(
                fields=["asset"], condition=Q(is_open=True), name="asset_one_open_handover"
            ),
            models.CheckConstraint(
                condition=~Q(result="rejected") | ~Q(reason=""),
                name="handover_rejection_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.handover_id}:{self.asset_id}"


class HandoverArchive(models.Model):
    """A document handed over with the assets: reports, licences, source-code location."""

    class Kind(models.TextChoices):
        ENGINEERING = "engineering", _("Engineering documents")
        FINANCIAL = "financial", _("Financial documents")
        LICENCE = "licence", _("Licence proof")
        SOURCE_CODE = "source_code", _("Source code and media")
        OTHER = "other", _("Other")

    handover = models.ForeignKey(
        Handover, verbose_name=_("handover"), on_delete=models.PROTECT, related_name="archives"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    reference = models.CharField(_("reference or location"), max_length=500, blank=True)
    copies = models.PositiveIntegerField(_("copies"), default=1)

    class Meta:
        ordering = ["id"]
        verbose_name = _("handover archive")
        verbose_name_plural = _("handover archives")

    def __str__(self):
        return self.title
