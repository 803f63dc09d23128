"""API of the register reports (DESIGN.md contract row `register reports`).

`GET /api/v1/reports/balance/?on=DATE&by=category|department|status|value_type[&level=N]` and
`GET /api/v1/reports/movements/?from=DATE&to=DATE&by=…[&level=N]` answer JSON; the same paths
with `.xlsx` and `.pdf` answer the files. Every role reads, each within its department scope
(auditors and admins: the whole register). Bad parameters are a 400 naming the parameter.
"""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from assets import permissions
from assets.api.permissions import RolePermission
from assets.reports import exports, selectors, services
from assets.reports.api.serializers import FreezeSerializer, FrozenReportSerializer
from config import spreadsheets as sx

MEDIA_TYPES = {"xlsx": sx.XLSX_MIME, "pdf": "application/pdf"}
FILE_RESPONSE = OpenApiResponse(OpenApiTypes.BINARY, description="report file")
GROUPING = [
    OpenApiParameter("by", str, enum=list(selectors.BY_CHOICES), description="grouping"),
    OpenApiParameter("level", int, description="tree level for category/department, 1 = top"),
]


def download(data: bytes, fmt: str, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=MEDIA_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def answer(report: dict, fmt: str | None, *, sha256: str = ""):
    """The report as JSON, or as the file `fmt` names."""
    if fmt == "xlsx":
        return download(
            exports.report_xlsx(report, sha256=sha256), fmt, exports.filename(report, fmt)
        )
    if fmt == "pdf":
        return download(
            exports.report_pdf(report, sha256=sha256), fmt, exports.filename(report, fmt)
        )
    return Response(report)


def for_format(view, fmt: str):
    """`view` answering the file `fmt`, documented with that media type in the schema."""

    def get(self, request, *args, **kwargs):
        return super(subclass, self).get(request, *args, **kwargs)

    get.__doc__ = view.get.__doc__
    annotation = extend_schema(
        parameters=getattr(view, "schema_parameters", []),
        responses={(200, MEDIA_TYPES[fmt]): FILE_RESPONSE},
    )
    subclass = type(f"{view.__name__}{fmt.title()}", (view,), {"get": annotation(get)})
    return subclass


class BalanceReportView(APIView):
    """The balance at a date (资产总表): count, 原值, 累计折旧, 净值 per group."""

    permission_classes = [RolePermission]
    schema_parameters = [
        OpenApiParameter("on", OpenApiTypes.DATE, required=True, description="report date"),
        *GROUPING,
    ]

    @extend_schema(parameters=schema_parameters, responses={200: OpenApiTypes.OBJECT})
    def get(self, request, fmt=None):
        """The balance at the end of `on`, computed from the cards' history."""
        params = request.query_params
        on = selectors.parse_day(params.get("on"), "on")
        grouping = selectors.parse_grouping(params.get("by"), params.get("level"))
        report = selectors.balance(user=request.user, on=on, by=grouping.by, level=grouping.level)
        return answer(report, fmt)


class MovementsReportView(APIView):
    """The movements of a period (增减变动表): opening, additions, disposals, closing."""

    permission_classes = [RolePermission]
    schema_parameters = [
        OpenApiParameter("from", OpenApiTypes.DATE, required=True, description="first day"),
        OpenApiParameter("to", OpenApiTypes.DATE, required=True, description="last day"),
        *GROUPING,
    ]

    @extend_schema(parameters=schema_parameters, responses={200: OpenApiTypes.OBJECT})
    def get(self, request, fmt=None):
        """Opening + additions − disposals ± transfers + revaluation + depreciation = closing."""
        params = request.query_params
        start = selectors.parse_day(params.get("from"), "from")
        end = selectors.parse_day(params.get("to"), "to")
        grouping = selectors.parse_grouping(params.get("by"), params.get("level"))
        report = selectors.movements(
            user=request.user, start=start, end=end, by=grouping.by, level=grouping.level
        )
        return answer(report, fmt)


class FrozenReportViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Frozen register reports: the figures stored once with their SHA-256; never changed."""

    permission_classes = [RolePermission]
    write_roles = permissions.REPORT_FREEZERS
    serializer_class = FrozenReportSerializer

    def get_queryset(self):
        return permissions.visible_frozen_reports(self.request.user).select_related(
            "frozen_by", "department"
        )

    @extend_schema(request=FreezeSerializer, responses={201: FrozenReportSerializer})
    def create(self, request, *args, **kwargs):
        """Freeze a report of a day that has ended, in your scope."""
        data = FreezeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        grouping = selectors.parse_grouping(values["by"], values.get("level"))
        frozen = services.freeze_report(
            actor=request.user,
            kind=values["report"],
            by=grouping.by,
            level=grouping.level,
            on=values.get("on"),
            start=values.get("from"),
            end=values.get("to"),
        )
        return Response(FrozenReportSerializer(frozen).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, MEDIA_TYPES["pdf"]): FILE_RESPONSE})
    @action(detail=True, methods=["get"], url_path="report.pdf", url_name="pdf")
    def report_pdf(self, request, pk=None):
        """The frozen report as PDF, its SHA-256 printed under the sign-off."""
        frozen = self.get_object()
        return answer(frozen.payload, "pdf", sha256=frozen.sha256)

    @extend_schema(responses={(200, MEDIA_TYPES["xlsx"]): FILE_RESPONSE})
    @action(detail=True, methods=["get"], url_path="report.xlsx", url_name="xlsx")
    def report_xlsx(self, request, pk=None):
        """The frozen report as a workbook, its SHA-256 on the "About" sheet."""
        frozen = self.get_object()
        return answer(frozen.payload, "xlsx", sha256=frozen.sha256)
