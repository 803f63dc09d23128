"""Custody API: `POST /api/v1/assets/{tag}/checkout/`, `checkin/`, `lend/`, `confirm-receipt/`,
and `GET /api/v1/me/assets/` (with `POST .../confirm-all/` for the annual count).

Each view resolves the card through the reader's scope (404 outside it), asks the role first
(403 before the payload is read), and calls one service, which checks again.
"""

from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from assets import permissions, tags
from assets.api.permissions import RolePermission
from assets.custody import selectors, services
from assets.custody.api import serializers as s
from config.api import SearchPagination


class _CardActionSchema(AutoSchema):
    """The schema of a card action: its input serializer in, the custody record out."""

    def get_request_serializer(self):
        return self.view.input_serializer

    def get_response_serializers(self):
        return s.CustodyRecordSerializer


class _CardAction(APIView):
    """A POST on one card: the card from the reader's scope, the payload, then `service`.

    The input serializer's validated data are the service's keyword arguments (a field named
    otherwise on the wire says so with `source`), so each action is its serializer and service.
    """

    permission_classes = [RolePermission]
    write_roles = permissions.CARD_WRITERS
    input_serializer = None
    service = None
    changes_card = True
    schema = _CardActionSchema()

    def scope(self, request):
        return permissions.visible_assets(request.user)

    def card(self, request, tag):
        asset = get_object_or_404(self.scope(request), tag=tags.normalise(tag))
        if self.changes_card:
            permissions.require_card_change(request.user, asset)
        return asset

    def validated(self, request) -> dict:
        if self.input_serializer is None:
            return {}
        serializer = self.input_serializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def post(self, request, tag):
        asset = self.card(request, tag)
        data = self.validated(request)
        record = type(self).service(asset=asset, actor=request.user, **data)
        return Response(s.CustodyRecordSerializer(record).data)


class CheckoutView(_CardAction):
    """Check the card out to a user of its departments (`due_on` optional, not in the past)."""

    input_serializer = s.CheckoutSerializer
    service = services.checkout_asset


class CheckinView(_CardAction):
    """Take the card back from its holder or borrower (a card not out is a 409)."""

    input_serializer = s.CheckinSerializer
    service = services.checkin_asset


class LendView(_CardAction):
    """Lend the card outside the unit: status `lent`, borrower, due date, approval reference."""

    input_serializer = s.LendSerializer
    service = services.lend_asset


class ConfirmReceiptView(_CardAction):
    """The holder confirms they received the card checked out to them."""

    permission_classes = [IsAuthenticated]
    changes_card = False
    service = services.confirm_receipt

    def scope(self, request):
        # The holder confirms whatever their role (a holder with none still holds the card).
        return permissions.visible_assets(request.user) | permissions.held_assets(request.user)


class MyAssetsView(generics.ListAPIView):
    """The cards the signed-in user holds, with their open check-out and this year's
    confirmation; every signed-in user has this list."""

    permission_classes = [IsAuthenticated]
    serializer_class = s.HeldAssetSerializer
    pagination_class = SearchPagination

    def get_queryset(self):
        return selectors.held_by(user=self.request.user)


class ConfirmAllView(APIView):
    """ "I still hold these": one confirmation per held card for the year's count."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=s.ConfirmAllSerializer, responses=s.HeldAssetSerializer(many=True))
    def post(self, request):
        serializer = s.ConfirmAllSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        year = serializer.validated_data.get("year")
        services.confirm_holdings(actor=request.user, year=year)
        held = selectors.held_by(user=request.user, year=year)
        return Response(s.HeldAssetSerializer(held, many=True).data)


urlpatterns = [
    path("assets/<str:tag>/checkout/", CheckoutView.as_view(), name="asset-checkout"),
    path("assets/<str:tag>/checkin/", CheckinView.as_view(), name="asset-checkin"),
    path("assets/<str:tag>/lend/", LendView.as_view(), name="asset-lend"),
    path(
        "assets/<str:tag>/confirm-receipt/",
        ConfirmReceiptView.as_view(),
        name="asset-confirm-receipt",
    ),
    path("me/assets/", MyAssetsView.as_view(), name="me-assets"),
    path("me/assets/confirm-all/", ConfirmAllView.as_view(), name="me-assets-confirm-all"),
]
