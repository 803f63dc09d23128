"""API of evidence: `/api/v1/attachments/` (upload, list `?subject=`, read, `file`, `withdraw/`).

Attachments are never changed or deleted (no PUT, PATCH or DELETE); a wrong one is withdrawn.
"""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from assets import permissions
from assets.api.permissions import RolePermission
from assets.attachments import selectors, services, subjects
from assets.attachments.api import serializers as s
from assets.attachments.serving import file_response


def refuse_oversized_body(request) -> None:
    """A body larger than the limit (and the form around it) is refused before it is read."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > services.max_bytes() + 64 * 1024:
        raise ValidationError({"file": services.too_large_message()})


class AttachmentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Evidence (证明材料) on cards, projects, handovers and other registered subjects."""

    permission_classes = [RolePermission]
    write_roles = permissions.ATTACHMENT_WRITERS
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    serializer_class = s.AttachmentSerializer

    def get_queryset(self):
        return selectors.attachments_visible_to(
            user=self.request.user, subject=self.request.query_params.get("subject") or None
        )

    def get_object(self):
        attachment = selectors.readable_attachment(user=self.request.user, pk=self.kwargs["pk"])
        if attachment is None:
            raise Http404
        return attachment

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "references": getattr(self, "_refs", {})}

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "subject", str, description="Only this subject's files: `asset:TAG`, …"
            )
        ]
    )
    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        self._refs = subjects.references(page)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        request={"multipart/form-data": s.AttachmentUploadSerializer},
        responses={201: s.AttachmentSerializer},
    )
    def create(self, request, *args, **kwargs):
        """Upload one file: `file`, `subject`, `kind` (multipart). The same bytes twice are one
        stored blob; the answer names its `sha256`, `size` and sniffed `content_type`."""
        refuse_oversized_body(request)
        upload = s.AttachmentUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        attachment = services.add_attachment(
            actor=request.user, subject=data["subject"], kind=data["kind"], upload=data["file"]
        )
        attachment = selectors.readable_attachment(user=request.user, pk=attachment.pk)
        return Response(self.get_serializer(attachment).data, status=201)

    @extend_schema(request=s.WithdrawAttachmentSerializer, responses=s.AttachmentSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Mark a wrong upload withdrawn, with a reason; it stays in the history."""
        attachment = self.get_object()
        # Authorise before reading the payload: a reader who may not withdraw gets 403, not 400.
        services.require_attachment_withdrawer(actor=request.user, attachment=attachment)
        data = s.WithdrawAttachmentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.withdraw_attachment(
            attachment=attachment, actor=request.user, reason=data.validated_data["reason"]
        )
        attachment = selectors.readable_attachment(user=request.user, pk=attachment.pk)
        return Response(self.get_serializer(attachment).data)

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The stored bytes, as an attachment download."
            )
        }
    )
    @action(detail=True, methods=["get"])
    def file(self, request, pk=None):
        """The file itself (`Content-Disposition: attachment`, the sniffed content type)."""
        return file_response(self.get_object())


# The contract's `{id}/file` has no trailing slash, which the router always adds.
extra_urlpatterns = [
    path(
        "attachments/<int:pk>/file",
        AttachmentViewSet.as_view({"get": "file"}),
        name="attachment-download",
    ),
]
