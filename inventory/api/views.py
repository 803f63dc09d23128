"""API of stocktakes: campaigns, their actions, scans, lines, differences and reports."""

from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response

from assets import permissions as asset_permissions
from assets.api.permissions import RolePermission
from assets.security.services import query_filters, record_export
from inventory import attachments, exports, permissions, selectors
from inventory.api import serializers as s
from inventory.models import LineResult, StocktakeLine
from inventory.services import campaigns, differences, scanning


def outcome_data(outcome) -> dict:
    """A scan's answer (ScanAnswerSerializer documents it). Built by hand: it is every scan's
    response, and a serializer instance per answer cost more than the rest of the view."""
    return {
        "answer": outcome.answer,
        "message": str(outcome.message),
        "tag": outcome.tag,
        "client_key": outcome.client_key,
        "line": scan_line_data(outcome.line)
        if outcome.line is not None and outcome.line.kind == StocktakeLine.Kind.BOOK
        else None,
        "components": outcome.components,
        "reason": outcome.reason,
    }


# ScanLineSerializer's fields that show a location by its code.
_SCAN_LINE_LOCATIONS = {"location", "counted_location"}


def scan_line_data(line) -> dict:
    """The fields of s.ScanLineSerializer, read from a line loaded with its two locations."""

    def value(name):
        if name not in _SCAN_LINE_LOCATIONS:
            return getattr(line, name)
        return getattr(line, name).code if getattr(line, f"{name}_id") else None

    return {name: value(name) for name in s.ScanLineSerializer.Meta.fields}


class StocktakeViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Stocktake campaigns (年度资产清查盘点): plan, activate, count, close, report."""

    permission_classes = [RolePermission]
    write_roles = permissions.COUNTING_ROLES
    action_roles = {
        "approve": {asset_permissions.ADMIN},
        "post": {asset_permissions.ADMIN},
        "archive": {asset_permissions.ADMIN},
    }
    serializer_class = s.CampaignSerializer

    def get_queryset(self):
        queryset = selectors.campaigns_visible_to(user=self.request.user).order_by("-year", "-id")
        if self.action in ("list", "retrieve"):
            return queryset
        # Actions (scans above all) need the campaign row only, not its scope lists.
        return queryset.prefetch_related(None).select_related(None)

    def _managed(self):
        campaign = self.get_object()
        # Checked here too (the service checks it again) so the 403 keeps its reason.
        if not permissions.can_manage(self.request.user, campaign):
            raise PermissionDenied(_("You may follow this campaign but not manage it."))
        return campaign

    def _validated(self, serializer_class, data=None):
        serializer = serializer_class(
            data=self.request.data if data is None else data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _answer(self, campaign, code=200):
        campaign = self.get_queryset().get(pk=campaign.pk)
        return Response(s.CampaignSerializer(campaign).data, status=code)

    @extend_schema(request=s.CampaignCreateSerializer, responses={201: s.CampaignSerializer})
    def create(self, request, *args, **kwargs):
        data = self._validated(s.CampaignCreateSerializer)
        campaign = campaigns.create_campaign(
            actor=request.user,
            name=data["name"],
            year=data["year"],
            reference_date=data["reference_date"],
            due_on=data["due_on"],
            departments=data.get("departments", []),
            locations=data.get("locations", []),
            categories=data.get("categories", []),
            assignments=[
                (a["counter"], a.get("department"), a.get("location"))
                for a in data.get("assignments", [])
            ],
            note=data.get("note", ""),
        )
        return self._answer(campaign, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.CampaignSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        """Freeze the book snapshot and start counting."""
        campaign = campaigns.activate_campaign(campaign=self._managed(), actor=request.user)
        return self._answer(campaign)

    @extend_schema(request=None, responses=s.CampaignSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close the count: shortages, flags, differences and the frozen result."""
        campaign = campaigns.close_campaign(campaign=self._managed(), actor=request.user)
        return self._answer(campaign)

    @extend_schema(request=None, responses=s.CampaignSerializer)
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        campaign = campaigns.archive_campaign(campaign=self._managed(), actor=request.user)
        return self._answer(campaign)

    @extend_schema(responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"])
    def progress(self, request, pk=None):
        """Your share of the campaign per department and per location: lines, counted,
        shortages, pending and % done, with the same figures over all rows in `summary`."""
        campaign = self.get_object()
        by_department = selectors.progress(campaign=campaign, user=request.user, by="department")
        return Response(
            {
                "summary": selectors.progress_summary(by_department),
                "by_department": by_department,
                "by_location": selectors.progress(
                    campaign=campaign, user=request.user, by="location"
                ),
            }
        )

    @extend_schema(responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"])
    def report(self, request, pk=None):
        """The result: totals by department and category, rates, SHA-256 once closed. Auditors
        and admins read the whole campaign; others their share (`coverage` says which)."""
        return Response(selectors.report(campaign=self.get_object(), user=request.user))

    @extend_schema(
        responses={
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): (
                OpenApiTypes.BINARY
            )
        }
    )
    @action(detail=True, methods=["get"], url_path="report.xlsx", url_name="report-xlsx")
    def report_xlsx(self, request, pk=None):
        campaign = self.get_object()
        data = exports.report_xlsx(
            campaign=campaign,
            report=selectors.report(campaign=campaign, user=request.user),
            user=request.user,
        )
        record_export(request=request, what="stocktake-report.xlsx", campaign=campaign.pk)
        return _download(
            data,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            f"stocktake-{campaign.pk}.xlsx",
        )

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path="report.pdf", url_name="report-pdf")
    def report_pdf(self, request, pk=None):
        campaign = self.get_object()
        data = exports.report_pdf(
            campaign=campaign,
            report=selectors.report(campaign=campaign, user=request.user),
            user=request.user,
        )
        record_export(request=request, what="stocktake-report.pdf", campaign=campaign.pk)
        return _download(data, "application/pdf", f"stocktake-{campaign.pk}.pdf")

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path="lines.csv", url_name="lines-csv")
    def lines_csv(self, request, pk=None):
        campaign = self.get_object()
        lines = selectors.lines_visible_to(user=request.user, campaign=campaign)
        record_export(
            request=request,
            what="stocktake-lines.csv",
            filters=query_filters(request),
            rows=lines.count(),
            campaign=campaign.pk,
        )
        response = StreamingHttpResponse(
            exports.lines_csv(campaign=campaign, queryset=lines), content_type="text/csv"
        )
        response["Content-Disposition"] = f'attachment; filename="stocktake-{campaign.pk}.csv"'
        return response

    @extend_schema(
        parameters=[
            OpenApiParameter("result", str, enum=list(LineResult.values)),
            OpenApiParameter("department", str),
            OpenApiParameter("location", str),
        ],
        responses=s.LineSerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def lines(self, request, pk=None):
        """The campaign's lines in your scope; `?result=` filters (pending, found, missing, …)."""
        campaign = self.get_object()
        lines = selectors.lines_visible_to(user=request.user, campaign=campaign)
        result = request.query_params.get("result")
        if result:
            if result not in LineResult.values:
                raise DRFValidationError({"result": [_("Unknown result.")]})
            lines = lines.filter(result=result)
        department = request.query_params.get("department")
        if department:
            lines = lines.filter(department__code=department.strip())
        location = request.query_params.get("location")
        if location:
            lines = lines.filter(location__code=location.strip())
        lines = lines.select_related("handover").annotate(photo_file=attachments.photo_file())
        page = self.paginate_queryset(lines.order_by("tag", "id"))
        return self.get_paginated_response(s.LineSerializer(page, many=True).data)

    @extend_schema(
        request=s.ScanSerializer,
        responses={200: s.ScanAnswerSerializer, 207: s.BatchAnswerSerializer(many=True)},
    )
    @action(detail=True, methods=["post"])
    def scans(self, request, pk=None):
        """Record a scan, or a JSON list of scans (offline batch): each answers found,
        found_elsewhere, duplicate, superseded_label, not_in_scope or unknown. A batch holds at
        most YIKA_STOCKTAKE_SCAN_BATCH_MAX entries (default 100; more is a 400 and nothing is
        recorded) and creates at most YIKA_STOCKTAKE_SURPLUS_PER_BATCH surplus lines (default 50;
        further unknown codes answer surplus_limit, unrecorded)."""
        campaign = self.get_object()
        if isinstance(request.data, list):
            # A batch is answered while the phone waits, so it is bounded: a web worker holds it
            # for its whole length (issue 15.14).
            limit = settings.YIKA_STOCKTAKE_SCAN_BATCH_MAX
            if len(request.data) > limit:
                raise DRFValidationError(
                    {"non_field_errors": [scanning.batch_too_large_message(limit)]}
                )
            entries, answers = [], {}
            for index, item in enumerate(request.data):
                serializer = s.ScanSerializer(data=item if isinstance(item, dict) else {})
                if serializer.is_valid():
                    entries.append((index, serializer.validated_data))
                else:
                    answers[index] = {"index": index, "errors": serializer.errors}
            results = scanning.record_scan_batch(
                campaign=campaign, actor=request.user, entries=[e for _i, e in entries]
            )
            for (index, _entry), result in zip(entries, results, strict=True):
                if result.errors:
                    answers[index] = {"index": index, "errors": result.errors}
                else:
                    answers[index] = {"index": index, **outcome_data(result.outcome)}
            return Response([answers[i] for i in sorted(answers)])
        data = self._validated(s.ScanSerializer)
        outcome = scanning.record_scan(campaign=campaign, actor=request.user, **data)
        return Response(outcome_data(outcome))

    @extend_schema(request=s.ManualCountSerializer, responses=s.LineSerializer)
    @action(detail=True, methods=["post"])
    def manual(self, request, pk=None):
        """Count a card whose label cannot be read, with a reason; it is queued for reprint."""
        campaign = self.get_object()
        data = self._validated(s.ManualCountSerializer)
        line = scanning.manual_count(campaign=campaign, actor=request.user, **data)
        return Response(s.LineSerializer(line).data)

    @extend_schema(request=s.ConfirmSerializer, responses=s.LineSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """Confirm an embedded device by serial number match or a photo."""
        campaign = self.get_object()
        data = self._validated(s.ConfirmSerializer)
        line = scanning.confirm_component(campaign=campaign, actor=request.user, **data)
        return Response(s.LineSerializer(line).data)

    @extend_schema(request=s.SurplusSerializer, responses={201: s.LineSerializer})
    @action(detail=True, methods=["post"])
    def surplus(self, request, pk=None):
        """Record a surplus find (盘盈) with a note and an optional photo (JPEG/PNG, ≤ 5 MB)."""
        campaign = self.get_object()
        data = self._validated(s.SurplusSerializer)
        line = scanning.record_surplus(campaign=campaign, actor=request.user, **data)
        return Response(s.LineSerializer(line).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[OpenApiParameter("kind", str), OpenApiParameter("state", str)],
        responses=s.DifferenceSerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def differences(self, request, pk=None):
        """The difference register of the campaign, filtered by `?kind=` and `?state=`."""
        campaign = self.get_object()
        items = selectors.differences_visible_to(user=request.user, campaign=campaign)
        for name in ("kind", "state"):
            value = request.query_params.get(name)
            if value:
                items = items.filter(**{name: value})
        page = self.paginate_queryset(items)
        return self.get_paginated_response(s.DifferenceSerializer(page, many=True).data)

    def _difference(self, difference_id):
        campaign = self.get_object()
        return get_object_or_404(
            selectors.differences_visible_to(user=self.request.user, campaign=campaign),
            pk=difference_id,
        )

    @extend_schema(request=s.ExplainSerializer, responses=s.DifferenceSerializer)
    @action(
        detail=True,
        methods=["post"],
        url_path=r"differences/(?P<difference_id>\d+)/explain",
    )
    def explain(self, request, pk=None, difference_id=None):
        difference = self._difference(difference_id)
        data = self._validated(s.ExplainSerializer)
        difference = differences.explain_difference(
            difference=difference, actor=request.user, **data
        )
        return Response(s.DifferenceSerializer(difference).data)

    @extend_schema(request=None, responses=s.DifferenceSerializer)
    @action(detail=True, methods=["post"], url_path=r"differences/(?P<difference_id>\d+)/approve")
    def approve(self, request, pk=None, difference_id=None):
        difference = differences.approve_difference(
            difference=self._difference(difference_id), actor=request.user
        )
        return Response(s.DifferenceSerializer(difference).data)

    @extend_schema(request=s.PostSerializer, responses=s.DifferenceSerializer)
    @action(detail=True, methods=["post"], url_path=r"differences/(?P<difference_id>\d+)/post")
    def post(self, request, pk=None, difference_id=None):
        difference = self._difference(difference_id)
        data = self._validated(s.PostSerializer)
        fields = {k: v for k, v in data.items() if v not in (None, "")}
        difference = differences.post_difference(
            difference=difference, actor=request.user, card_fields=fields
        )
        return Response(s.DifferenceSerializer(difference).data)


def _download(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
