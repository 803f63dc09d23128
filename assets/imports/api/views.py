"""API of ledger imports and register exports (issue 7).

`POST /api/v1/imports/` (multipart `file`) checks the file and returns the job with its preview
and row errors; `POST /api/v1/imports/{id}/apply/` applies all rows or none. A job is private to
its uploader (others get 404). `GET /api/v1/assets/export.xlsx` / `export.csv` export the register
under the same filters as the list.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from assets import exports, permissions, selectors
from assets.api.filters import AssetFilter
from assets.api.permissions import RolePermission
from assets.imports import jobs
from assets.imports.api.serializers import (
    ImportJobListSerializer,
    ImportJobSerializer,
    ImportUploadSerializer,
)
from assets.imports.columns import (
    ImportHasErrors,
    error_columns,
    instruction_columns,
    instruction_rows,
    said_errors,
    template_columns,
    template_example_rows,
)
from assets.security.services import record_export
from config import spreadsheets as sx

FILE_RESPONSE = OpenApiResponse(OpenApiTypes.BINARY, description="spreadsheet file")
IMPORTERS = {permissions.CLERK, permissions.ADMIN}
FILE_MEDIA_TYPES = {"xlsx": sx.XLSX_MIME, "csv": "text/csv"}


def for_format(view, method: str, fmt: str, **schema):
    """`view` answering one file format, its 200 documented with that format's media type: one
    view serves both the `.xlsx` and `.csv` paths, and the schema is per path."""

    def answer(self, *args, **kwargs):
        return getattr(super(subclass, self), method)(*args, **kwargs)

    answer.__doc__ = getattr(view, method).__doc__
    annotation = extend_schema(responses={(200, FILE_MEDIA_TYPES[fmt]): FILE_RESPONSE}, **schema)
    subclass = type(
        f"{view.__name__}{fmt.title()}",
        (view,),
        {"__doc__": view.__doc__, method: annotation(answer)},
    )
    return subclass


def _format(kwargs) -> str:
    fmt = kwargs.get("fmt")
    if fmt not in ("xlsx", "csv"):
        raise Http404
    return fmt


class ImportJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Your import jobs: upload a ledger, read its preview and errors, apply it."""

    permission_classes = [RolePermission]
    read_roles = IMPORTERS
    write_roles = IMPORTERS
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        return permissions.visible_import_jobs(self.request.user).select_related("created_by")

    def get_serializer_class(self):
        if self.action == "list":
            return ImportJobListSerializer
        if self.action == "create":
            return ImportUploadSerializer
        return ImportJobSerializer

    @extend_schema(
        request={"multipart/form-data": ImportUploadSerializer},
        responses={201: ImportJobSerializer},
    )
    def create(self, request, *args, **kwargs):
        """Upload a ledger; nothing is written to the register until you apply the job."""
        upload = ImportUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        job = jobs.create_import_job(actor=request.user, upload=upload.validated_data["file"])
        return Response(ImportJobSerializer(job).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: ImportJobSerializer, 400: ImportJobSerializer})
    def apply(self, request, pk=None):
        """Apply every row in one transaction, or none; a second apply is a 409."""
        job = self.get_object()
        try:
            job = jobs.apply_import_job(job=job, actor=request.user)
        except ImportHasErrors as failure:
            data = ImportJobSerializer(failure.job or job).data
            data.update(detail=str(failure.message), code=failure.code)
            return Response(data, status=status.HTTP_400_BAD_REQUEST)
        return Response(ImportJobSerializer(job).data)

    @extend_schema(responses={200: FILE_RESPONSE})
    def error_file(self, request, pk=None, fmt=None):
        """The job's row errors as a spreadsheet (row, column, value, error)."""
        extension = _format({"fmt": fmt})
        job = self.get_object()
        name = f"{_('import-errors')}-{job.pk}.{extension}"
        record_export(
            request=request, what=f"import-errors.{extension}", rows=len(job.errors), job=job.pk
        )
        if extension == "csv":
            return sx.csv_response(name, error_columns(), said_errors(job.errors))
        return sx.xlsx_response(
            name, error_columns(), said_errors(job.errors), sheet_title=_("Errors")
        )

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])


class ImportTemplateView(APIView):
    """The import template: one header per card field, two example rows, and instructions."""

    permission_classes = [RolePermission]
    read_roles = IMPORTERS

    @extend_schema(responses={200: FILE_RESPONSE})
    def get(self, request, fmt=None):
        extension = _format({"fmt": fmt})
        lang = request.query_params.get("lang")
        columns = template_columns(lang)
        rows = template_example_rows()
        name = f"{_('asset-import-template')}.{extension}"
        if extension == "csv":
            return sx.csv_response(name, columns, rows)
        return sx.xlsx_response(
            name,
            columns,
            rows,
            sheet_title=_("Assets"),
            extra=[(_("Instructions"), instruction_columns(), instruction_rows())],
        )


class AssetExportView(APIView):
    """The register under the same filters as `GET /api/v1/assets/`, as XLSX or CSV."""

    permission_classes = [RolePermission]

    @extend_schema(responses={200: FILE_RESPONSE}, filters=True)
    def get(self, request, fmt=None):
        extension = _format({"fmt": fmt})
        queryset = selectors.assets_visible_to(user=request.user)
        filterset = AssetFilter(request.query_params, queryset=queryset, request=request)
        if not filterset.is_valid():
            return Response(filterset.errors, status=status.HTTP_400_BAD_REQUEST)
        return exports.register_response(
            filterset.qs, extension, user=request.user, request=request
        )


job_list = ImportJobViewSet.as_view({"get": "list", "post": "create"})
job_detail = ImportJobViewSet.as_view({"get": "retrieve"})
job_apply = ImportJobViewSet.as_view({"post": "apply"}, detail=True)
job_errors_xlsx = for_format(ImportJobViewSet, "error_file", "xlsx").as_view(
    {"get": "error_file"}, detail=True
)
job_errors_csv = for_format(ImportJobViewSet, "error_file", "csv").as_view(
    {"get": "error_file"}, detail=True
)


class HandoverListExportView(APIView):
    """The handover list (移交清单) of one handover you may read, as XLSX or CSV."""

    permission_classes = [RolePermission]

    @extend_schema(responses={200: FILE_RESPONSE})
    def get(self, request, number=None, fmt=None):
        from assets.handovers import selectors as handover_selectors

        extension = _format({"fmt": fmt})
        handover = get_object_or_404(
            handover_selectors.handovers_visible_to(user=request.user), number=number
        )
        items = handover_selectors.handover_items(handover=handover)
        return exports.handover_response(
            handover, items, extension, user=request.user, request=request
        )
