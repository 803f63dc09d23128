"""`/api/v1/security-events/`: the security log for auditors and admins, read-only, with
`?kind=`, `?user=` (username), `?since=` (date or date-time) and an `.xlsx` export."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import viewsets
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from assets import permissions
from assets.security import exports, selectors
from assets.security.api.filters import SecurityEventFilter
from assets.security.api.serializers import SecurityEventSerializer
from assets.security.models import SecurityEvent
from config.spreadsheets import XLSX_MIME


class SecurityLogReaders(BasePermission):
    message = _("Only auditors and administrators read the security log.")

    def has_permission(self, request, view):
        return permissions.may_read_security_log(request.user)


class SecurityEventViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = SecurityEventSerializer
    permission_classes = [SecurityLogReaders]
    filterset_class = SecurityEventFilter

    def get_queryset(self):
        return selectors.security_events(user=self.request.user)


class SecurityEventExportView(APIView):
    """The security log under the same filters as the list, as XLSX (the export is logged)."""

    permission_classes = [SecurityLogReaders]

    @extend_schema(
        responses={
            (200, XLSX_MIME): OpenApiResponse(OpenApiTypes.BINARY, description="spreadsheet"),
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="field errors"),
        },
        parameters=[
            OpenApiParameter("kind", str, enum=list(SecurityEvent.Kind.values)),
            OpenApiParameter("user", str),
            OpenApiParameter("since", OpenApiTypes.DATETIME),
        ],
    )
    def get(self, request):
        filterset = SecurityEventFilter(
            request.query_params,
            queryset=selectors.security_events(user=request.user),
            request=request,
        )
        if not filterset.is_valid():
            return Response(filterset.errors, status=400)
        return exports.security_log_response(filterset.qs, request=request)
