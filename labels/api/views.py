"""Labels API: print, print batches (progress, PDF), label templates, void a label."""

from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from assets import permissions
from assets.api.permissions import RolePermission
from assets.errors import Conflict
from assets.security.services import record_export
from labels import selectors, services
from labels.api import serializers as s
from labels.models import LabelTemplate, PrintBatch, selection_key

PRINT_ROLES = permissions.CARD_WRITERS


class PrintView(APIView):
    """`POST /api/v1/labels/print/` `{"tags": [...], "template": code}` → a print batch."""

    permission_classes = [RolePermission]
    write_roles = PRINT_ROLES

    @extend_schema(request=s.PrintRequestSerializer, responses={201: s.PrintBatchSerializer})
    def post(self, request):
        serializer = s.PrintRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assets = selectors.resolve_tags(
            user=request.user, raw_tags=serializer.validated_data["tags"]
        )
        batch = services.print_labels(
            actor=request.user,
            assets=assets,
            template=serializer.validated_data["template"],
            selection=selection_key("api", len(assets)),
        )
        batch.refresh_from_db()
        return Response(s.PrintBatchSerializer(batch).data, status=status.HTTP_201_CREATED)


class VoidView(APIView):
    """`POST /api/v1/labels/void/` `{"tag", "reason"}`: void the card's active label."""

    permission_classes = [RolePermission]
    write_roles = PRINT_ROLES

    @extend_schema(request=s.VoidRequestSerializer, responses=s.VoidedLabelSerializer)
    def post(self, request):
        serializer = s.VoidRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        asset = selectors.resolve_tags(
            user=request.user, raw_tags=[serializer.validated_data["tag"]]
        )[0]
        label = services.void_label(
            actor=request.user, asset=asset, reason=serializer.validated_data["reason"]
        )
        return Response(s.VoidedLabelSerializer(label).data)


class PrintBatchViewSet(viewsets.ReadOnlyModelViewSet):
    """Print batches the user may see (all their cards visible); progress while rendering."""

    serializer_class = s.PrintBatchSerializer
    permission_classes = [RolePermission]
    action_roles = {"retry": PRINT_ROLES}

    def get_queryset(self):
        return selectors.batches_visible_to(user=self.request.user)

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(description=_("The PDF file")),
            409: OpenApiResponse(description=_("Not rendered yet")),
        }
    )
    @action(detail=True, methods=["get"], url_path="pdf")
    def pdf(self, request, pk=None):
        batch = self.get_object()
        if batch.state != PrintBatch.State.DONE or not batch.file:
            raise Conflict(_("The PDF of this batch is not ready."), code="not_ready")
        try:
            handle = batch.file.open("rb")
        except FileNotFoundError:
            raise NotFound(_("The PDF file of this batch is missing from storage."))
        record_export(request=request, what="label-batch.pdf", rows=batch.total, batch=batch.pk)
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=f"yika-labels-{batch.pk}.pdf",
            content_type="application/pdf",
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response

    @extend_schema(request=None, responses=s.PrintBatchSerializer)
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        # A batch with a card the user may not change is a 404 (`permissions.may_retry_batch`,
        # asked by the service).
        batch = services.retry_batch(actor=request.user, batch=self.get_object())
        batch.refresh_from_db()
        return Response(s.PrintBatchSerializer(batch).data)


class LabelTemplateViewSet(
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Label templates in millimetres; everyone reads, admins create and edit."""

    serializer_class = s.LabelTemplateSerializer
    permission_classes = [RolePermission]
    write_roles = {permissions.ADMIN}
    lookup_field = "code"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    queryset = LabelTemplate.objects.order_by("code")

    def perform_create(self, serializer):
        serializer.instance = services.save_template(
            actor=self.request.user, fields=dict(serializer.validated_data)
        )

    def perform_update(self, serializer):
        serializer.instance = services.save_template(
            actor=self.request.user,
            fields=dict(serializer.validated_data),
            template=serializer.instance,
        )
