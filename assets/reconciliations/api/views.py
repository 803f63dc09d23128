"""API of reconciliations with the finance books (issue 19, DESIGN.md row `reconciliations`).

`POST /api/v1/reconciliations/` (multipart `file`, `mapping`?, `value_unit`?, `as_of`?,
`remember_mapping`?) reconciles all or nothing and answers the job with its counts and totals;
`GET …/{id}/rows/?result=` lists a result's rows; `GET …/{id}/finance-tasks.xlsx` the finance
office's task list. Differences are `/api/v1/reconciliation-differences/` with `explain/`,
`approve/` and `post/`. The saved column mapping is `GET`/`PUT /api/v1/reconciliations/mapping/`.
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from assets import permissions
from assets.api.permissions import RolePermission
from assets.reconciliations import exports, selectors, services
from assets.reconciliations.api import serializers as s
from assets.reconciliations.columns import RowsHaveErrors
from assets.reconciliations.models import ReconciliationDifference, ReconciliationMapping
from config import formatting

RECONCILERS = {permissions.CLERK, permissions.ADMIN}
APPROVERS = {permissions.ADMIN}


class ReconciliationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Reconciliations of the register with the finance books (账账相符)."""

    permission_classes = [RolePermission]
    write_roles = RECONCILERS
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        return selectors.reconciliations_visible_to(user=self.request.user)

    def get_serializer_class(self):
        if self.action == "list":
            return s.ReconciliationListSerializer
        if self.action == "create":
            return s.ReconciliationUploadSerializer
        if self.action == "rows":
            return s.FinanceRowSerializer
        return s.ReconciliationSerializer

    @extend_schema(
        request={"multipart/form-data": s.ReconciliationUploadSerializer},
        responses={201: s.ReconciliationSerializer},
    )
    def create(self, request, *args, **kwargs):
        """Upload the finance export; the register is compared card by card, all or nothing."""
        upload = s.ReconciliationUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        try:
            reconciliation = services.create_reconciliation(
                actor=request.user,
                upload=data["file"],
                mapping=data.get("mapping"),
                value_unit=data.get("value_unit") or "",
                as_of=data.get("as_of"),
                remember_mapping=data.get("remember_mapping", False),
            )
        except RowsHaveErrors as failure:
            return Response(
                {"detail": str(failure.message), "code": failure.code, "errors": failure.errors},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(
            s.ReconciliationSerializer(reconciliation).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("result", enum=list(selectors.RESULTS), default=selectors.MATCHED)
        ],
        responses={200: s.FinanceRowSerializer(many=True)},
        description="`result=matched`: finance rows matched with no difference (FinanceRow); "
        "any other result: that kind's differences (see /reconciliation-differences/).",
    )
    @action(detail=True, methods=["get"])
    def rows(self, request, pk=None):
        """The rows of one result: `matched`, or a difference kind."""
        reconciliation = self.get_object()
        result = request.query_params.get("result") or selectors.MATCHED
        if result not in selectors.RESULTS:
            raise ValidationError(
                {
                    "result": [
                        _("Use one of: %(results)s.")
                        % {"results": formatting.text_list(selectors.RESULTS)}
                    ]
                }
            )
        if result == selectors.MATCHED:
            queryset, serializer = (
                selectors.matched_rows(reconciliation=reconciliation),
                s.FinanceRowSerializer,
            )
        else:
            queryset, serializer = (
                selectors.differences_visible_to(
                    user=request.user,
                    filters={"reconciliation": reconciliation.pk, "kind": result},
                ),
                s.ReconciliationDifferenceSerializer,
            )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(serializer(page, many=True).data)

    @extend_schema(
        responses={
            (
                200,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ): OpenApiResponse(OpenApiTypes.BINARY, description="the finance office's task list")
        }
    )
    @action(detail=True, methods=["get"], url_path="finance-tasks.xlsx")
    def finance_tasks(self, request, pk=None):
        """The differences sent to the finance office (approved or posted), as XLSX."""
        reconciliation = self.get_object()
        differences = selectors.finance_tasks(reconciliation=reconciliation)
        return exports.tasks_response(reconciliation, differences)

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])


class ReconciliationDifferenceViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The differences of reconciliations: explain (clerks), approve and post (admins)."""

    permission_classes = [RolePermission]
    serializer_class = s.ReconciliationDifferenceSerializer
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    action_roles = {"explain": RECONCILERS, "approve": APPROVERS, "post": APPROVERS}

    def get_queryset(self):
        params = self.request.query_params
        reconciliation = params.get("reconciliation") or None
        if reconciliation is not None and not reconciliation.isdigit():
            raise ValidationError({"reconciliation": [_("Give a reconciliation's number.")]})
        kind = params.get("kind") or None
        if kind and kind not in ReconciliationDifference.Kind.values:
            raise ValidationError({"kind": [_("Unknown kind of difference.")]})
        state = params.get("state") or None
        if state and state not in ReconciliationDifference.State.values:
            raise ValidationError({"state": [_("Unknown state.")]})
        return selectors.differences_visible_to(
            user=self.request.user,
            filters={"reconciliation": reconciliation, "kind": kind, "state": state},
        )

    def get_object(self):
        return get_object_or_404(
            selectors.differences_visible_to(user=self.request.user), pk=self.kwargs["pk"]
        )

    def _answer(self, difference):
        difference = selectors.differences_visible_to(user=self.request.user).get(pk=difference.pk)
        return Response(s.ReconciliationDifferenceSerializer(difference).data)

    @extend_schema(
        request=s.ReconciliationExplainSerializer,
        responses=s.ReconciliationDifferenceSerializer,
        parameters=[
            OpenApiParameter("reconciliation", int),
            OpenApiParameter("kind", enum=ReconciliationDifference.Kind.values),
            OpenApiParameter("state", enum=ReconciliationDifference.State.values),
        ],
    )
    @action(detail=True, methods=["post"])
    def explain(self, request, pk=None):
        """`{"reason", "treatment"}` with treatment `card` or `finance`."""
        difference = self.get_object()
        serializer = s.ReconciliationExplainSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        difference = services.explain_difference(
            difference=difference, actor=request.user, **serializer.validated_data
        )
        return self._answer(difference)

    @extend_schema(request=None, responses=s.ReconciliationDifferenceSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """The asset office approves the explained treatment."""
        difference = services.approve_difference(difference=self.get_object(), actor=request.user)
        return self._answer(difference)

    @extend_schema(request=None, responses=s.ReconciliationDifferenceSerializer)
    @action(detail=True, methods=["post"])
    def post(self, request, pk=None):
        """Post to the card (an event naming the reconciliation) or to the finance task list."""
        difference = services.post_difference(difference=self.get_object(), actor=request.user)
        return self._answer(difference)


class ReconciliationMappingView(APIView):
    """The deployment's saved column mapping of the finance export; admins change it."""

    permission_classes = [RolePermission]
    read_roles = RECONCILERS | {permissions.AUDITOR}
    write_roles = APPROVERS
    parser_classes = [JSONParser]

    @extend_schema(responses=s.MappingSerializer)
    def get(self, request):
        mapping = services.saved_mapping() or ReconciliationMapping()
        return Response(s.MappingSerializer(mapping).data)

    @extend_schema(request=s.MappingSerializer, responses=s.MappingSerializer)
    def put(self, request):
        serializer = s.MappingSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        mapping = services.save_mapping(
            actor=request.user,
            headers=serializer.validated_data["columns"],
            value_unit=serializer.validated_data.get("value_unit") or "",
        )
        return Response(s.MappingSerializer(mapping).data)
