"""Upkeep API: `/api/v1/assets/{tag}/repairs/` (and `.../{id}/`), `POST .../report-fault/`,
`/api/v1/contracts/` (by number) with `uncovered/`, and `GET /api/v1/repairs/over-value/`.

Cards resolve through the reader's scope (404 outside it); writes ask the role and the card
first (403 before the payload is read); services check again.
"""

from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from assets import permissions, tags
from assets.api.permissions import RolePermission
from assets.maintenance import selectors, services
from assets.maintenance.api import serializers as s
from assets.models import Asset, RepairRecord
from config.api import SearchPagination


class _OnCard:
    def card(self):
        if not hasattr(self, "_card"):
            self._card = get_object_or_404(
                permissions.visible_assets(self.request.user),
                tag=tags.normalise(self.kwargs["tag"]),
            )
            if self.request.method not in ("GET", "HEAD", "OPTIONS"):
                permissions.require_card_change(self.request.user, self._card)
        return self._card


class RepairListView(_OnCard, generics.ListCreateAPIView):
    """A card's repair records, newest first; a clerk records one (with `started_on` and no
    `finished_on` the card is `under_repair` until it finishes)."""

    permission_classes = [RolePermission]
    write_roles = permissions.CARD_WRITERS
    serializer_class = s.RepairSerializer
    pagination_class = SearchPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema, without a card
            return RepairRecord.objects.none()
        return selectors.repairs_of(asset=self.card())

    def create(self, request, *args, **kwargs):
        asset = self.card()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        repair = services.record_repair(
            asset=asset, actor=request.user, fields=dict(serializer.validated_data)
        )
        return Response(s.RepairSerializer(repair).data, status=201)


class RepairDetailView(_OnCard, generics.RetrieveUpdateAPIView):
    """One repair record; PATCH `started_on` to send the card away, `finished_on` to bring it
    back to the status it had, and the vendor, cost and outcome."""

    permission_classes = [RolePermission]
    write_roles = permissions.CARD_WRITERS
    serializer_class = s.RepairSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema, without a card
            return RepairRecord.objects.none()
        return selectors.repairs_of(asset=self.card())

    def update(self, request, *args, **kwargs):
        repair = self.get_object()
        serializer = self.get_serializer(repair, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        repair = services.update_repair(
            repair=repair, actor=request.user, fields=dict(serializer.validated_data)
        )
        return Response(s.RepairSerializer(RepairRecord.objects.get(pk=repair.pk)).data)


class ReportFaultView(generics.GenericAPIView):
    """Report a fault on a card you hold or read (auditors read only)."""

    permission_classes = [RolePermission]
    write_roles = permissions.ROLES
    serializer_class = s.FaultReportSerializer

    @extend_schema(request=s.FaultReportSerializer, responses={201: s.RepairSerializer})
    def post(self, request, tag):
        asset = get_object_or_404(permissions.visible_assets(request.user), tag=tags.normalise(tag))
        permissions.require_fault_reporter(request.user, asset)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        repair = services.report_fault(
            asset=asset,
            actor=request.user,
            fault=serializer.validated_data["fault"],
            reported_on=serializer.validated_data.get("reported_on"),
        )
        return Response(s.RepairSerializer(repair).data, status=201)


class ContractViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Maintenance and warranty contracts (维保合同), looked up by number."""

    permission_classes = [RolePermission]
    write_roles = permissions.CARD_WRITERS
    serializer_class = s.ContractSerializer
    lookup_field = "number"
    lookup_value_regex = r"[^/]+"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return (
            permissions.visible_contracts(self.request.user)
            .select_related("department")
            .prefetch_related("assets")
            .order_by("ends_on", "number")
        )

    def get_object(self):
        contract = super().get_object()
        if self.request.method not in ("GET", "HEAD", "OPTIONS"):
            permissions.require_contract_change(self.request.user, contract)
        return contract

    def perform_create(self, serializer):
        serializer.instance = services.save_contract(
            actor=self.request.user, fields=dict(serializer.validated_data)
        )

    def perform_update(self, serializer):
        serializer.instance = services.save_contract(
            actor=self.request.user,
            contract=serializer.instance,
            fields=dict(serializer.validated_data),
        )

    @extend_schema(responses=s.UncoveredAssetSerializer(many=True))
    @action(detail=False, methods=["get"])
    def uncovered(self, request):
        """Live cards whose warranty has ended and that no contract covers today."""
        rows = selectors.uncovered_after_warranty(user=request.user)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(s.UncoveredAssetSerializer(page, many=True).data)


class CostlyRepairsView(generics.ListAPIView):
    """Live cards whose repair costs add up beyond their net book value (disposal candidates)."""

    permission_classes = [RolePermission]
    serializer_class = s.CostlyAssetSerializer
    pagination_class = SearchPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema: the rows are a list
            return Asset.objects.none()
        return selectors.costly_to_repair(user=self.request.user)


urlpatterns = [
    path("assets/<str:tag>/repairs/", RepairListView.as_view(), name="asset-repair-list"),
    path(
        "assets/<str:tag>/repairs/<int:pk>/",
        RepairDetailView.as_view(),
        name="asset-repair-detail",
    ),
    path("assets/<str:tag>/report-fault/", ReportFaultView.as_view(), name="asset-report-fault"),
    path("repairs/over-value/", CostlyRepairsView.as_view(), name="repair-over-value"),
]
