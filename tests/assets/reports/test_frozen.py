"""Freezing a register report: stored once with the SHA-256 of its figures, never changed or
deleted (model and database), shown with its hash in the PDF, scoped like the reports."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, InternalError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from assets.models import Asset
from assets.reports import services
from assets.reports.models import AppendOnlyError, FrozenReport
from tests.api_base import (
    AnonymousTests,
    CreateTests,
    ListTests,
    RetrieveTests,
    ScopeTests,
    WrongRoleTests,
)
from tests.factories import make_asset

pytestmark = pytest.mark.django_db


def yesterday() -> dt.date:
    return timezone.localdate() - dt.timedelta(days=1)


def registered_days_ago(days=2, **fields):
    """A card registered `days` ago (its creation moment moved back: services write now)."""
    card = make_asset(**fields)
    Asset.objects.filter(pk=card.pk).update(created_at=timezone.now() - dt.timedelta(days=days))
    return card


def frozen_for(user, **params):
    params.setdefault("on", yesterday())
    return services.freeze_report(actor=user, kind="balance", by="department", **params)


class TestFrozenReportAPI(
    ListTests, RetrieveTests, CreateTests, AnonymousTests, WrongRoleTests, ScopeTests
):
    basename = "frozen-report"
    lookup = "id"
    lookup_url_kwarg = "pk"
    reader = "clerk"
    writer = "clerk"
    wrong_role = "auditor"
    url_names = ("frozen-report-pdf", "frozen-report-xlsx")

    def get_create_data(self, request):
        return {"report": "movements", "from": "2025-01-01", "to": yesterday().isoformat()}

    def make_object(self, request):
        return frozen_for(request.getfixturevalue("clerk"))

    def make_other_object(self, request):
        return frozen_for(request.getfixturevalue("other_clerk"))

    def write(self, client, obj):
        return client.post(self.list_url(), self.get_create_data(self.request), format="json")

    def test_other_departments_object_is_404(self, request):
        other = self.make_other_object(request)
        client = self.client_for(request, self.scoped_reader)
        assert client.get(self.detail_url(other)).status_code == 404
        assert client.get(reverse("frozen-report-pdf", args=[other.pk])).status_code == 404

    def test_frozen_pdf_shows_its_hash(self, request, centre):
        registered_days_ago(owner=centre, original_value=Decimal("4321.00"))
        frozen = frozen_for(request.getfixturevalue("clerk"))
        response = self.client_for(request, "auditor").get(
            reverse("frozen-report-pdf", args=[frozen.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
        assert response.status_code == 200
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
        assert frozen.sha256 in text.replace("\n", "")

    def test_a_report_of_a_day_not_yet_ended_is_not_frozen(self, request):
        client = self.client_for(request, "clerk")
        today = timezone.localdate().isoformat()
        response = client.post(self.list_url(), {"report": "balance", "on": today}, format="json")
        assert response.status_code == 400
        assert "on" in response.json()
        assert not FrozenReport.objects.exists()


@pytest.fixture
def frozen(clerk, centre):
    registered_days_ago(owner=centre, original_value=Decimal("1000.00"))
    return services.freeze_report(actor=clerk, kind="balance", by="category", on=yesterday())


def test_the_hash_is_over_the_figures_as_frozen(frozen):
    assert services.is_intact(frozen)
    assert frozen.sha256 == services.digest(frozen.payload)
    assert frozen.payload["totals"]["original_value"] == "1000.00"


def test_the_same_figures_frozen_twice_are_one_copy(frozen, clerk):
    again = services.freeze_report(actor=clerk, kind="balance", by="category", on=yesterday())
    assert again.pk == frozen.pk


def test_a_frozen_report_is_never_changed_or_deleted(frozen):
    with pytest.raises(AppendOnlyError):
        frozen.save()
    with pytest.raises(AppendOnlyError):
        FrozenReport.objects.filter(pk=frozen.pk).update(sha256="0" * 64)
    with pytest.raises(AppendOnlyError):
        frozen.delete()
    # The database refuses too, whatever the code does.
    for statement in (
        "UPDATE assets_frozenreport SET sha256 = ''",
        "DELETE FROM assets_frozenreport",
    ):
        with pytest.raises((InternalError, IntegrityError)), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement)
    assert FrozenReport.objects.get(pk=frozen.pk).sha256 == frozen.sha256


def test_auditors_read_but_do_not_freeze(auditor):
    with pytest.raises(PermissionDenied):
        services.freeze_report(actor=auditor, kind="balance", by="category", on=yesterday())


def test_a_frozen_copy_keeps_saying_what_it_said(frozen, clerk, centre):
    registered_days_ago(owner=centre, original_value=Decimal("5000.00"))
    kept = FrozenReport.objects.get(pk=frozen.pk)
    assert kept.payload["totals"]["original_value"] == "1000.00"
    assert services.is_intact(kept)


def test_unknown_report_kinds_are_refused(clerk):
    with pytest.raises(ValidationError):
        services.freeze_report(actor=clerk, kind="nonsense", by="category", on=yesterday())
