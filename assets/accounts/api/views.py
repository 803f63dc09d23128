"""`/api/v1/tokens/`: the signed-in user's named API tokens (list, create, revoke)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from assets import credentials
from assets.accounts.api import serializers as s
from assets.models import ApiToken


class ApiTokenViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The signed-in user's live tokens. A creation answers the key once; `DELETE` revokes.
    Tokens are created from a signed-in browser session only, so a token cannot mint itself a
    successor that outlives it; administrators manage other users' tokens in the admin."""

    serializer_class = s.ApiTokenSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return ApiToken.objects.none()
        return credentials.live_tokens(user=self.request.user)

    @extend_schema(request=s.ApiTokenCreateSerializer, responses={201: s.NewApiTokenSerializer})
    def create(self, request, *args, **kwargs):
        if isinstance(request.auth, ApiToken):
            raise PermissionDenied(
                _("Create API tokens from your account page, signed in, not with a token.")
            )
        data = s.ApiTokenCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        token, key = credentials.create_token(
            user=request.user, request=request, **data.validated_data
        )
        token.key = key
        return Response(s.NewApiTokenSerializer(token).data, status=201)

    def perform_destroy(self, instance):
        credentials.revoke_tokens(
            actor=self.request.user, user=self.request.user, token=instance, request=self.request
        )
