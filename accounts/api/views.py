from django.contrib.auth import SESSION_KEY, authenticate, logout
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, services, two_factor
from accounts.models import ApiToken
from core.api.permissions import IsAdmin, IsAdminOrReadOnly
from core.api.schema import ERRORS
from core.throttling import LoginThrottle

from .serializers import (
    TeamSerializer,
    TokenRequestSerializer,
    TokenSerializer,
    UserInputSerializer,
    UserOutputSerializer,
    UserUpdateSerializer,
)


class TokenView(APIView):
    """Exchange a username and password for a new API token (shown once; it expires after
    API_TOKEN_TTL_DAYS; `POST /api/auth/logout/` with it revokes it)."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [LoginThrottle]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            400: ERRORS[400],
            403: ERRORS[403],
            429: OpenApiResponse(description="Too many attempts from this address, or this username is locked for a while."),
        },
        auth=[],
    )
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request._request, username=data.validated_data["username"], password=data.validated_data["password"]
        )
        if user is None:
            raise ValidationError({"non_field_errors": ["Unable to log in with the given username and password."]})
        if not user.is_active:
            raise PermissionDenied("This account is disabled.")
        if two_factor.confirmed_device(user) is not None:
            if two_factor.code_accepted(user, data.validated_data.get("otp", "")) is None:
                raise ValidationError({"otp": ["Give the current code from your authenticator app."]})
        elif two_factor.setup_required(user):
            raise PermissionDenied("Set up two-factor sign-in on the web (/accounts/two-factor/setup/) first.")
        return Response({"token": services.token_create(user=user)})


class LogoutView(APIView):
    """Revoke the token this request was sent with (and end the session, when it came with one)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: OpenApiResponse(description="Logged out."), 401: ERRORS[401]})
    def post(self, request):
        if isinstance(request.auth, ApiToken):
            services.token_revoke(token=request.auth)
        if request.session.get(SESSION_KEY) is not None:
            logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(responses={200: TeamSerializer(many=True), 401: ERRORS[401]}),
    retrieve=extend_schema(responses={200: TeamSerializer, 401: ERRORS[401], 404: ERRORS[404]}),
    create=extend_schema(responses={201: TeamSerializer, **ERRORS}),
    partial_update=extend_schema(responses={200: TeamSerializer, **ERRORS}),
    update=extend_schema(responses={200: TeamSerializer, **ERRORS}),
)
class TeamViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet
):
    """Teams: admins create them; the team's managers change its settings; members read them."""

    serializer_class = TeamSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return selectors.team_list(user=self.request.user).order_by("id")

    def create(self, request, *args, **kwargs):
        if not request.user.is_admin:
            raise PermissionDenied("Only an admin can create teams.")
        data = TeamSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        team = services.team_create(
            actor=request.user, name=fields.pop("name"), timezone_name=fields.pop("timezone", "UTC"), **fields
        )
        return Response(TeamSerializer(team).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        team = self.get_object()
        data = TeamSerializer(team, data=request.data, partial=kwargs.get("partial", False), context={"request": request})
        data.is_valid(raise_exception=True)
        team = services.team_update_settings(actor=request.user, team=team, changes=dict(data.validated_data))
        return Response(TeamSerializer(team).data)


@extend_schema_view(
    list=extend_schema(responses={200: UserOutputSerializer(many=True), 401: ERRORS[401]}),
    retrieve=extend_schema(responses={200: UserOutputSerializer, 401: ERRORS[401], 404: ERRORS[404]}),
    create=extend_schema(request=UserInputSerializer, responses={201: UserOutputSerializer, **ERRORS}),
    partial_update=extend_schema(request=UserUpdateSerializer, responses={200: UserOutputSerializer, **ERRORS}),
)
class UserViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Users: admins create and change them; everyone sees the members of their own teams."""

    serializer_class = UserOutputSerializer
    permission_classes = [IsAdminOrReadOnly]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.user_list(user=self.request.user)

    def create(self, request):
        data = UserInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        user = services.user_create(actor=request.user, **data.validated_data)
        user = selectors.user_list(user=request.user).get(pk=user.pk)
        return Response(UserOutputSerializer(user).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        user = self.get_object()
        data = UserUpdateSerializer(data=request.data, partial=True, context={"request": request})
        data.is_valid(raise_exception=True)
        services.user_update(actor=request.user, user=user, changes=dict(data.validated_data))
        return Response(UserOutputSerializer(selectors.user_list(user=request.user).get(pk=user.pk)).data)

    @extend_schema(responses={200: UserOutputSerializer, 401: ERRORS[401]})
    @action(detail=False, methods=["get"], permission_classes=[IsAuthenticated])
    def me(self, request):
        user = selectors.user_list(user=request.user).get(pk=request.user.pk)
        return Response(UserOutputSerializer(user).data)


__all__ = ["LogoutView", "TokenView", "TeamViewSet", "UserViewSet", "IsAdmin"]
