"""API of disposal cases (`/api/v1/disposals/`) and approval tiers (`/api/v1/disposal-tiers/`)."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from assets import permissions
from assets.api.permissions import RolePermission
from assets.disposals import selectors, services
from assets.disposals.api import serializers as s
from assets.disposals.document import application_response
from assets.disposals.exports import disposal_response
from assets.imports.api.views import for_format
from assets.models import ApprovalTier, DisposalItem
from assets.security.services import record_export

PREPARERS = permissions.DISPOSAL_PREPARERS
APPROVERS = permissions.DISPOSAL_APPROVERS
FILTERS = ("state", "method", "department", "year")


@extend_schema(
    parameters=[
        OpenApiParameter("state", str, enum=list(services.State.values)),
        OpenApiParameter("method", str, enum=list(services.Method.values)),
        OpenApiParameter("department", str, description="The disposing department's code."),
        OpenApiParameter("year", int, description="The year the case was opened."),
    ]
)
class DisposalViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Disposal cases (资产处置), looked up by number. A draft is edited with PUT/PATCH and
    deleted with DELETE; every other change is a POST action."""

    permission_classes = [RolePermission]
    write_roles = PREPARERS
    action_roles = {
        "create": PREPARERS,
        "update": PREPARERS,
        "partial_update": PREPARERS,
        "destroy": PREPARERS,
        "submit": PREPARERS,
        "execute": PREPARERS,
        "approve": APPROVERS,
        "reject": APPROVERS,
    }
    lookup_field = "number"
    lookup_value_regex = r"[^/]+"

    def _filters(self):
        params = self.request.query_params
        filters = {name: (params.get(name) or "").strip() for name in FILTERS}
        if filters["year"] and not selectors.valid_year(filters["year"]):
            raise ValidationError({"year": [_("Give the year as a number, e.g. 2026.")]})
        return filters

    def get_queryset(self):
        items = DisposalItem.objects.select_related("asset").order_by("asset__tag")
        return selectors.disposals_visible_to(
            user=self.request.user, filters=self._filters()
        ).prefetch_related(Prefetch("items", queryset=items))

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return s.DisposalWriteSerializer
        return s.DisposalSerializer

    def get_object(self):
        number = (self.kwargs["number"] or "").strip().upper()
        return get_object_or_404(
            selectors.disposals_visible_to(user=self.request.user), number=number
        )

    def _prepared_object(self):
        """The case, for its department's preparers only (403 for the approver's side)."""
        case = self.get_object()
        if not permissions.can_prepare_disposal(self.request.user, case):
            raise PermissionDenied(_("Only clerks of the disposing department prepare it."))
        return case

    def _answer(self, case, status=200):
        case = self.get_queryset().get(pk=case.pk)
        return Response(
            s.DisposalSerializer(case, context=self.get_serializer_context()).data, status=status
        )

    def _validated(self, serializer_class, **kwargs):
        serializer = serializer_class(
            data=self.request.data, context=self.get_serializer_context(), **kwargs
        )
        serializer.is_valid(raise_exception=True)
        return serializer

    @extend_schema(request=s.DisposalWriteSerializer, responses={201: s.DisposalSerializer})
    def create(self, request, *args, **kwargs):
        """Open a draft: `{"method", "grounds", "reason"?, "items": [tag...], ...}`."""
        case = self._validated(s.DisposalWriteSerializer).save()
        return self._answer(case, status=201)

    @extend_schema(request=s.DisposalWriteSerializer, responses=s.DisposalSerializer)
    def update(self, request, *args, **kwargs):
        """Edit a draft (the whole case: fields and items)."""
        case = self._prepared_object()
        serializer = s.DisposalWriteSerializer(
            case, data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        return self._answer(serializer.save())

    @extend_schema(responses={204: None})
    def destroy(self, request, *args, **kwargs):
        """Delete a draft (409 once submitted; a draft with files attached stays)."""
        services.delete_disposal(case=self._prepared_object(), actor=request.user)
        return Response(status=204)

    @extend_schema(request=s.DisposalWriteSerializer, responses=s.DisposalSerializer)
    def partial_update(self, request, *args, **kwargs):
        """Edit some fields of a draft; `items` replaces its cards when given."""
        case = self._prepared_object()
        serializer = s.DisposalWriteSerializer(
            case, data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        tags = data.pop("items", None)
        case = services.update_disposal(case=case, actor=request.user, fields=data, tags=tags)
        return self._answer(case)

    @extend_schema(request=None, responses=s.DisposalSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, number=None):
        """Send the draft for approval; its cards become pending disposal."""
        case = services.submit_disposal(case=self._prepared_object(), actor=request.user)
        return self._answer(case)

    @extend_schema(request=s.ApproveSerializer, responses=s.DisposalSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, number=None):
        """Approve: `{"approval_no", "approved_on", "note"?}` by the role of the case's tier."""
        case = self.get_object()
        # Authorise before reading the payload: the wrong role gets 403, not a 400.
        permissions.require_disposal_approver(request.user, case)
        data = self._validated(s.ApproveSerializer).validated_data
        case = services.approve_disposal(
            case=case,
            actor=request.user,
            approval_no=data["approval_no"],
            approved_on=data["approved_on"],
            note=data["note"],
        )
        return self._answer(case)

    @extend_schema(request=s.RejectSerializer, responses=s.DisposalSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, number=None):
        """Reject with `{"reason"}`; the cards go back to their status before."""
        case = self.get_object()
        permissions.require_disposal_approver(request.user, case)
        data = self._validated(s.RejectSerializer).validated_data
        case = services.reject_disposal(case=case, actor=request.user, reason=data["reason"])
        return self._answer(case)

    @extend_schema(request=s.ExecuteSerializer, responses=s.DisposalSerializer)
    @action(detail=True, methods=["post"])
    def execute(self, request, number=None):
        """Carry out an approved case: its cards are retired (a transfer opens a handover)."""
        case = self._prepared_object()
        data = self._validated(s.ExecuteSerializer).validated_data
        case = services.execute_disposal(
            case=case, actor=request.user, executed_on=data["executed_on"]
        )
        return self._answer(case)

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="The application form; for an executed case, the one stored at "
                "execution (header X-Certificate-SHA256).",
            )
        }
    )
    @action(detail=True, methods=["get"], url_path="application.pdf")
    def application(self, request, number=None):
        """The disposal application form (资产处置申请表) as PDF."""
        case = self.get_object()
        response = application_response(case)
        record_export(request=request, what="disposal-application.pdf", disposal=case.number)
        return response


class ApprovalTierViewSet(viewsets.ModelViewSet):
    """Approval tiers (审批权限): value bands → approving body and role. Admins change them;
    every role reads them (the case pages show the tier)."""

    serializer_class = s.ApprovalTierSerializer
    permission_classes = [RolePermission]
    write_roles = {permissions.ADMIN}
    queryset = ApprovalTier.objects.all()

    def perform_destroy(self, instance):
        services.delete_tier(actor=self.request.user, tier=instance)


class DisposalExportView(APIView):
    """Disposal cases and their cards under the list's filters (`?state=&method=&department=
    &year=`), one line per card, as XLSX or CSV."""

    permission_classes = [RolePermission]

    @extend_schema(
        parameters=[OpenApiParameter(name, str) for name in FILTERS],
        responses={200: OpenApiTypes.BINARY},
    )
    def get(self, request, fmt=None):
        params = request.query_params
        filters = {name: (params.get(name) or "").strip() for name in FILTERS}
        if filters["year"] and not selectors.valid_year(filters["year"]):
            raise ValidationError({"year": [_("Give the year as a number, e.g. 2026.")]})
        cases = selectors.disposals_visible_to(user=request.user, filters=filters)
        return disposal_response(cases, "csv" if fmt == "csv" else "xlsx")


# The contract's `application.pdf` has no trailing slash, which the router always adds.
extra_urlpatterns = [
    path(
        "disposals/export.xlsx",
        for_format(DisposalExportView, "get", "xlsx").as_view(),
        {"fmt": "xlsx"},
        name="disposal-export-xlsx",
    ),
    path(
        "disposals/export.csv",
        for_format(DisposalExportView, "get", "csv").as_view(),
        {"fmt": "csv"},
        name="disposal-export-csv",
    ),
    path(
        "disposals/<str:number>/application.pdf",
        DisposalViewSet.as_view({"get": "application"}),
        name="disposal-application-pdf",
    ),
]
