"""API of the register: reference data, users, assets and their actions."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from assets import credentials, permissions, selectors, services, tags
from assets.accounts import twofactor
from assets.api import serializers as s
from assets.api.authentication import ExpiringTokenAuthentication
from assets.api.filters import AssetFilter
from assets.api.permissions import AdminOnly, RolePermission
from assets.models import Category, User
from assets.security.services import Kind as SecurityKind
from assets.security.services import record_security_event
from config.api import SearchPagination

# The components answer's count of components outside the reader's scope (the list keeps the
# contract's shape; the count travels beside it).
HIDDEN_COMPONENTS_HEADER = "X-Hidden-Components"


class LockedOut(APIException):
    status_code = 429
    default_code = "locked_out"


class TwoFactorRequired(APIException):
    status_code = 403
    default_code = "two_factor_required"


class TokenView(APIView):
    """`POST /api/v1/auth/token/` with username and password returns `{"token": ...}`, a new
    token each time; `DELETE` with `Authorization: Token <key>` revokes that token."""

    # Reached without a session, so CSRF does not apply; django-axes counts failures per
    # username + IP, and a locked-out pair gets a 429 however good the password.
    authentication_classes = [ExpiringTokenAuthentication]
    throttle_classes = ()

    def get_permissions(self):
        return [IsAuthenticated()] if self.request.method == "DELETE" else [AllowAny()]

    @extend_schema(
        request=inline_serializer(
            "TokenRequest",
            {
                "username": serializers.CharField(),
                "password": serializers.CharField(),
                "otp": serializers.CharField(
                    required=False,
                    help_text="A TOTP or recovery code, for users who sign in with two factors.",
                ),
            },
        ),
        responses={200: inline_serializer("Token", {"token": serializers.CharField()})},
    )
    def post(self, request, *args, **kwargs):
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
        try:
            serializer.is_valid(raise_exception=True)
        except ValidationError:
            # Axes marks the request it was handed by `authenticate(request=...)`.
            if getattr(request, "axes_locked_out", False):
                from axes.helpers import get_lockout_message

                raise LockedOut(get_lockout_message()) from None
            raise
        user = serializer.validated_data["user"]
        # Two-factor sign-in (issue 20): where the role requires it (or the user enrolled), the
        # token comes only with a code in `otp` (`{"username", "password"}` stays for the rest).
        if twofactor.second_step_due(user):
            refusal = None
            if not twofactor.enrolled(user):
                refusal = TwoFactorRequired(
                    _("Set up two-factor sign-in on your account page before asking for a token."),
                    code="two_factor_setup_required",
                )
            elif not (code := str(request.data.get("otp") or "")):
                refusal = TwoFactorRequired(
                    _("Send the code from your authenticator app as otp."),
                    code="two_factor_required",
                )
            elif twofactor.verify_code(user=user, code=code, request=request) is None:
                refusal = TwoFactorRequired(
                    _("That two-factor code is wrong, expired or already used."),
                    code="two_factor_failed",
                )
            if refusal is not None:
                # The password was right: the security log says which second step was missing.
                record_security_event(
                    kind=SecurityKind.SIGN_IN_FAILED,
                    user=user,
                    request=request,
                    detail={"method": "api_token", "reason": refusal.get_codes()},
                )
                raise refusal
        key = credentials.issue_token(user=user, request=request)
        return Response({"token": key})

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, *args, **kwargs):
        credentials.revoke_tokens(
            actor=request.user, user=request.user, token=request.auth, request=request
        )
        return Response(status=204)


class DepartmentViewSet(viewsets.ModelViewSet):
    serializer_class = s.DepartmentSerializer
    permission_classes = [RolePermission]
    lookup_field = "code"
    lookup_value_regex = r"[^/]+"
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return permissions.visible_departments(self.request.user).select_related("parent")


class LocationViewSet(viewsets.ModelViewSet):
    serializer_class = s.LocationSerializer
    permission_classes = [RolePermission]
    lookup_field = "code"
    lookup_value_regex = r"[^/]+"
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return permissions.visible_locations(self.request.user).select_related(
            "parent", "department"
        )


class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    """GB/T 14885-2022 categories (and mapped legacy codes with `?code_system=`)."""

    serializer_class = s.CategorySerializer
    permission_classes = [RolePermission]
    lookup_field = "code"
    lookup_value_regex = r"[^/]+"

    def get_queryset(self):
        system = self.request.query_params.get("code_system", "GBT14885-2022")
        return Category.objects.filter(code_system=system).select_related("parent")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["leaf_ids"] = set(
            Category.objects.exclude(
                pk__in=Category.objects.filter(parent__isnull=False).values("parent")
            ).values_list("pk", flat=True)
        )
        return context


class UserViewSet(viewsets.ModelViewSet):
    """Accounts; admins only."""

    serializer_class = s.UserSerializer
    permission_classes = [AdminOnly]
    lookup_field = "username"
    lookup_value_regex = r"[^/]+"
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return (
            User.objects.select_related("department")
            .prefetch_related("groups")
            .order_by("username")
        )


class AssetViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Asset cards, looked up by tag. State changes are the POST actions below."""

    permission_classes = [RolePermission]
    write_roles = permissions.CARD_WRITERS
    lookup_field = "tag"
    lookup_value_regex = r"[^/]+"
    filterset_class = AssetFilter
    pagination_class = SearchPagination
    # `?cursor=` pages walk the list by tag (unique), whatever `?q=` would rank first.
    cursor_ordering = ("tag",)

    def get_queryset(self):
        if self.action == "list":
            return selectors.assets_visible_to(user=self.request.user).order_by("tag")
        # One card: the subtree and history read only its id; the card itself takes its
        # relations by join in the same query rather than one prefetch query each.
        queryset = permissions.visible_assets(self.request.user)
        if self.action in {"components", "events"}:
            return queryset
        if self.action == "retrieve":
            # What a phone asks after reading a label: only the columns the answer shows.
            return selectors.with_card_relations(queryset)
        return queryset.select_related(*selectors.ASSET_LIST_RELATED)

    def get_serializer_class(self):
        if self.action == "create":
            return s.AssetCreateSerializer
        return s.AssetSerializer

    def get_object(self):
        queryset = self.get_queryset()
        tag = tags.normalise(self.kwargs[self.lookup_field])
        asset = get_object_or_404(queryset, tag=tag)
        if self.request.method not in ("GET", "HEAD", "OPTIONS"):
            # Before the payload is read (403, not a 400); the services ask it again.
            permissions.require_card_change(self.request.user, asset)
        return asset

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        asset = serializer.save()
        return Response(
            s.AssetSerializer(asset, context=self.get_serializer_context()).data, status=201
        )

    def _answer(self, asset):
        asset = self.get_queryset().get(pk=asset.pk)
        return Response(s.AssetSerializer(asset, context=self.get_serializer_context()).data)

    @extend_schema(
        responses=s.ComponentSerializer(many=True),
        parameters=[
            OpenApiParameter(
                HIDDEN_COMPONENTS_HEADER,
                int,
                OpenApiParameter.HEADER,
                response=True,
                description=(
                    "How many components below the host are outside your scope and left out "
                    "(each with everything below it); 0 when the whole subtree is listed."
                ),
            )
        ],
    )
    @action(detail=True, methods=["get"])
    def components(self, request, tag=None):
        """The subtree below the host that you may read, depth-first, in one query. A
        component outside your scope is left out with everything below it; the
        `X-Hidden-Components` header counts what was left out."""
        asset = self.get_object()
        subtree = selectors.asset_subtree_rows(asset=asset, user=request.user)
        response = Response(s.ComponentSerializer.represent_rows(subtree.nodes))
        response[HIDDEN_COMPONENTS_HEADER] = str(subtree.hidden)
        return response

    @extend_schema(responses=s.AssetEventSerializer(many=True))
    @action(detail=True, methods=["get"])
    def events(self, request, tag=None):
        """The card's history, newest first."""
        asset = self.get_object()
        page = self.paginate_queryset(selectors.asset_events(asset=asset))
        # Another card's tag the reader may not open is not shown (SECURITY.md §4).
        page = selectors.redact_event_tags(page, user=request.user)
        return self.get_paginated_response(s.AssetEventSerializer(page, many=True).data)

    @extend_schema(request=s.NestSerializer, responses=s.AssetSerializer)
    @action(detail=True, methods=["post"])
    def nest(self, request, tag=None):
        """Put the card into a host (`parent`: tag) or take it out (`parent`: null)."""
        asset = self.get_object()
        data = self._validated(s.NestSerializer)
        # The host check (`permissions.require_host_change`) is the service's.
        asset = services.nest_asset(
            asset=asset,
            actor=request.user,
            parent=data["parent"],
            embedded=data["embedded"],
            note=data["note"],
        )
        return self._answer(asset)

    @extend_schema(request=s.MoveSerializer, responses=s.AssetSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, tag=None):
        """Move the card; embedded and rack-mounted components follow."""
        asset = self.get_object()
        data = self._validated(s.MoveSerializer)
        asset = services.move_asset(
            asset=asset, actor=request.user, location=data["location"], note=data["note"]
        )
        return self._answer(asset)

    @extend_schema(request=s.RetireSerializer, responses=s.AssetSerializer)
    @action(detail=True, methods=["post"])
    def retire(self, request, tag=None):
        """Retire the card; `components` says what happens to live components."""
        asset = self.get_object()
        data = self._validated(s.RetireSerializer)
        asset = services.retire_asset(
            asset=asset, actor=request.user, reason=data["reason"], components=data["components"]
        )
        return self._answer(asset)

    @extend_schema(request=s.StatusSerializer, responses=s.AssetSerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def change_status(self, request, tag=None):
        """Move the card along the status machine (in use, idle, lent, pending disposal …)."""
        asset = self.get_object()
        data = self._validated(s.StatusSerializer)
        asset = services.change_status(
            asset=asset,
            actor=request.user,
            status=data["status"],
            note=data["note"],
            lent_to=data["lent_to"],
        )
        return self._answer(asset)

    def _validated(self, serializer_class):
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data
