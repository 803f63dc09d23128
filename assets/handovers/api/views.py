"""API of delegated-build projects (`/api/v1/projects/`) and handovers (`/api/v1/handovers/`)."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from assets import permissions
from assets.api.permissions import RolePermission
from assets.handovers import selectors, services
from assets.handovers.api import serializers as s
from assets.handovers.certificate import certificate_response
from assets.models import HandoverItem

PREPARERS = permissions.HANDOVER_PREPARERS


class ProjectViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Delegated-build projects (代建), looked up by code."""

    serializer_class = s.ProjectSerializer
    permission_classes = [RolePermission]
    write_roles = PREPARERS
    lookup_field = "code"
    lookup_value_regex = r"[^/]+"

    def get_queryset(self):
        return selectors.projects_visible_to(user=self.request.user)

    def get_object(self):
        project = get_object_or_404(self.get_queryset(), code=self.kwargs["code"])
        if self.request.method not in ("GET", "HEAD", "OPTIONS"):
            # Before the payload is read; the services ask `require_project_change` again.
            if not permissions.may_change_project(self.request.user, project):
                raise PermissionDenied(_("You may read this project but not change it."))
        return project

    @extend_schema(request=s.FinalAccountsSerializer, responses=s.RevaluationSerializer(many=True))
    @action(detail=True, methods=["post"], url_path="final-accounts")
    def final_accounts(self, request, code=None):
        """Approve the final accounts (决算) and revalue the listed provisional cards."""
        project = self.get_object()
        data = self._validated(s.FinalAccountsSerializer)
        results = services.approve_final_accounts(
            project=project,
            actor=request.user,
            approved_on=data["approved_on"],
            reference=data["reference"],
            values=[services.FinalValue(tag=v["tag"], value=v["value"]) for v in data["values"]],
            confirm_unlisted=data["confirm_unlisted"],
        )
        return Response(s.RevaluationSerializer(results, many=True).data)

    @extend_schema(request=s.RevalueSerializer, responses=s.RevaluationSerializer(many=True))
    @action(detail=True, methods=["post"])
    def revalue(self, request, code=None):
        """Revalue cards still at 暂估 after the final accounts were approved."""
        project = self.get_object()
        data = self._validated(s.RevalueSerializer)
        results = services.revalue_project_assets(
            project=project,
            actor=request.user,
            values=[services.FinalValue(tag=v["tag"], value=v["value"]) for v in data["values"]],
            confirm_unlisted=data["confirm_unlisted"],
        )
        return Response(s.RevaluationSerializer(results, many=True).data)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "kind",
                str,
                enum=["handover", "final_accounts"],
                description="handover: past handover_due_on with cards still owned by the "
                "builder; final_accounts: accepted over a year ago without approved 决算.",
            )
        ],
        responses=s.ProjectSerializer(many=True),
    )
    @action(detail=False, methods=["get"])
    def overdue(self, request):
        """Projects whose handover or final accounts are overdue."""
        if request.query_params.get("kind") == "final_accounts":
            queryset = selectors.final_accounts_overdue_projects(user=request.user)
        else:
            queryset = selectors.overdue_handover_projects(user=request.user)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(s.ProjectSerializer(page, many=True).data)

    def _validated(self, serializer_class):
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


class HandoverViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Handovers (移交单), looked up by number. Every change is a POST action."""

    permission_classes = [RolePermission]
    write_roles = PREPARERS
    action_roles = {
        "create": PREPARERS,
        "submit": PREPARERS,
        "withdraw": PREPARERS,
        "archives": PREPARERS,
        "decide": permissions.HANDOVER_DECIDERS,
    }
    lookup_field = "number"
    lookup_value_regex = r"[^/]+"

    def get_queryset(self):
        items = HandoverItem.objects.select_related(
            "asset", "asset__parent", "new_using_department", "new_location"
        ).order_by("asset__tag")
        return selectors.handovers_visible_to(
            user=self.request.user, state=self.request.query_params.get("state") or None
        ).prefetch_related(Prefetch("items", queryset=items), "archives")

    def get_serializer_class(self):
        if self.action == "create":
            return s.HandoverCreateSerializer
        return s.HandoverSerializer

    def get_object(self):
        number = (self.kwargs["number"] or "").strip().upper()
        return get_object_or_404(
            selectors.handovers_visible_to(user=self.request.user), number=number
        )

    def _prepared_object(self):
        """The handover, for its builder's side only (403 for the receiving side)."""
        handover = self.get_object()
        permissions.require_handover_preparer(self.request.user, handover)
        return handover

    def _answer(self, handover, status=200):
        handover = self.get_queryset().get(pk=handover.pk)
        return Response(
            s.HandoverSerializer(handover, context=self.get_serializer_context()).data,
            status=status,
        )

    def _validated(self, serializer_class):
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer

    @extend_schema(request=s.HandoverCreateSerializer, responses={201: s.HandoverSerializer})
    def create(self, request, *args, **kwargs):
        """Open a draft: `{"project"?, "to_department"?, "items": [tag...], "exclude"?, ...}`;
        without `project`, an internal transfer inside the sender's unit to `to_department`
        (another unit: a 400 naming the transfer disposal case)."""
        handover = self._validated(s.HandoverCreateSerializer).save()
        return self._answer(handover, status=201)

    @extend_schema(request=None, responses=s.HandoverSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, number=None):
        """Send the draft to the receiving department."""
        handover = services.submit_handover(handover=self._prepared_object(), actor=request.user)
        return self._answer(handover)

    @extend_schema(request=s.WithdrawSerializer, responses=s.HandoverSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, number=None):
        """The builder takes the handover back before the decision."""
        handover = self._prepared_object()
        data = self._validated(s.WithdrawSerializer).validated_data
        handover = services.withdraw_handover(
            handover=handover, actor=request.user, reason=data["reason"]
        )
        return self._answer(handover)

    @extend_schema(request=s.ArchiveSerializer, responses=s.HandoverSerializer)
    @action(detail=True, methods=["post"])
    def archives(self, request, number=None):
        """List one more document handed over (documents, licences, source-code location)."""
        handover = self._prepared_object()
        data = self._validated(s.ArchiveSerializer).validated_data
        services.add_handover_archive(
            handover=handover, actor=request.user, line=services.ArchiveLine(**data)
        )
        return self._answer(handover)

    @extend_schema(request=s.DecisionSerializer, responses=s.HandoverSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, number=None):
        """The receiver's decision: `{"items": [{"tag", "result", "reason"}], "comment"}`;
        every item needs `accepted`, or `rejected` with a reason."""
        handover = self.get_object()
        # Authorise before reading the payload: the builder's side gets 403, not a 400.
        permissions.require_handover_decider(request.user, handover)
        serializer = self._validated(s.DecisionSerializer)
        handover = services.decide_handover(
            handover=handover,
            actor=request.user,
            decisions=serializer.decisions(),
            comment=serializer.validated_data["comment"],
        )
        return self._answer(handover)

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The certificate stored at decision time."
            )
        }
    )
    @action(detail=True, methods=["get"], url_path="certificate.pdf")
    def certificate(self, request, number=None):
        """The certificate (移交单) PDF, as stored when the handover was decided."""
        return certificate_response(self.get_object(), request=request)


# The contract's `certificate.pdf` has no trailing slash, which the router always adds.
extra_urlpatterns = [
    path(
        "handovers/<str:number>/certificate.pdf",
        HandoverViewSet.as_view({"get": "certificate"}),
        name="handover-certificate-pdf",
    ),
]
