"""A frozen register report (冻结的报表): the figures as they were drawn up, kept with their SHA-256.

Like a stocktake's frozen result: the stored payload is the report as its JSON answered, the
hash is over its canonical form, and the row is never changed or deleted (the model refuses,
and a PostgreSQL trigger refuses too: migration 0009). Related models are named by string:
`assets/models.py` imports this module, so it imports nothing of `assets.models` (no cycle).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AppendOnlyError(Exception):
    """A frozen report was to be changed or deleted (as `assets.models.AppendOnlyError` for
    history rows; this module imports nothing of `assets.models`, which imports it)."""


class FrozenReportQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Frozen reports are never changed.")

    def delete(self):
        raise AppendOnlyError("Frozen reports are never deleted.")


class FrozenReport(models.Model):
    """A balance (资产总表) or movements (增减变动表) report frozen with its SHA-256."""

    class Kind(models.TextChoices):
        BALANCE = "balance", pgettext_lazy("report kind", "Asset balance")
        MOVEMENTS = "movements", pgettext_lazy("report kind", "Asset movements")

    kind = models.CharField(_("report"), max_length=16, choices=Kind.choices)
    parameters = models.JSONField(_("parameters"), default=dict)
    payload = models.JSONField(_("figures"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    # Whose cards it counts: the freezer's department subtree, or the whole register.
    department = models.ForeignKey(
        "assets.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="frozen_reports",
    )
    whole_register = models.BooleanField(_("whole register"), default=False)
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("frozen by"),
        on_delete=models.PROTECT,
        related_name="frozen_reports",
    )
    frozen_at = models.DateTimeField(_("frozen at"), default=timezone.now)

    objects = FrozenReportQuerySet.as_manager()

    class Meta:
        ordering = ["-frozen_at", "-id"]
        verbose_name = _("frozen report")
        verbose_name_plural = _("frozen reports")
        constraints = [
            models.CheckConstraint(
                condition=Q(whole_register=True) | Q(department__isnull=False),
                name="frozenreport_has_scope",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.sha256[:12]}"

    def save(self, *args, **kwargs):
        if self.pk is not None or not self._state.adding:
            raise AppendOnlyError("Frozen reports are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Frozen reports are never deleted.")


class RegisterTally(models.Model):
    """The register counted by what the dashboard groups on (登记簿汇总): one row per
    (category, owning department, status, month in service, useful life, own label), with its
    card count and original value.

    Maintained by PostgreSQL statement triggers on the card table (migration 0019), so every
    write counts, the services' and a bulk insert's alike; the dashboard then reads a few
    thousand rows instead of every card. A row whose cards went elsewhere stays at zero (the
    readers skip it). Nobody writes it from Python; `tests/assets/reports/test_tally.py`
    checks it against the ORM's count of the cards.
    """

    category = models.ForeignKey(
        "assets.Category", null=True, on_delete=models.DO_NOTHING, related_name="+",
        db_constraint=False, db_index=False,
    )  # fmt: skip
    owner_department = models.ForeignKey(
        "assets.Department", null=True, on_delete=models.DO_NOTHING, related_name="+",
        db_constraint=False, db_index=False,
    )  # fmt: skip
    status = models.CharField(max_length=20)
    # The first day of the month the card went into service: age counts whole months.
    in_service_month = models.DateField(null=True)
    useful_life_months = models.PositiveIntegerField(null=True)
    own_label = models.BooleanField()
    cards = models.BigIntegerField(default=0)
    original_value = models.DecimalField(max_digits=20, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("register tally")
        verbose_name_plural = _("register tallies")
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "category",
                    "owner_department",
                    "status",
                    "in_service_month",
                    "useful_life_months",
                    "own_label",
                ],
                name="register_tally_key",
                nulls_distinct=False,
            ),
        ]

    def __str__(self):
        return f"{self.category_id}/{self.owner_department_id}/{self.status}: {self.cards}"
