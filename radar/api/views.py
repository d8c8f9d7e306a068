from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.pagination import NewestFirstCursorPagination
from core.api.permissions import IsManager
from core.api.schema import CONFLICT, ERRORS

from .. import selectors, services
from .serializers import IdeaDecisionSerializer, IdeaInputSerializer, IdeaOutputSerializer, RadarSerializer


class RadarView(APIView):
    """The delight radar of one team: gestures close to drifting, customers with nothing left to
    surprise them, occasions in the next 14 days, ideas, and what delight returns (docs/radar.md)."""

    permission_classes = [IsManager]

    @extend_schema(
        operation_id="radar",
        parameters=[OpenApiParameter("team", OpenApiTypes.INT, required=True, description="Team id.")],
        responses={
            200: RadarSerializer,
            400: OpenApiResponse(description="No team id."),
            401: ERRORS[401],
            403: OpenApiResponse(description="Not a manager or admin."),
            404: OpenApiResponse(description="A team the caller does not manage."),
        },
    )
    def get(self, request):
        team = selectors.radar_team(user=request.user, team_id=request.query_params.get("team"))
        return Response(RadarSerializer(selectors.radar_for(team=team)).data)


class IdeaViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Ideas: anyone in the team proposes a wow idea or names a dumb rule; its managers decide."""

    serializer_class = IdeaOutputSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = NewestFirstCursorPagination

    def get_queryset(self):
        return selectors.idea_list(user=self.request.user)

    @extend_schema(request=IdeaInputSerializer, responses={201: IdeaOutputSerializer, **ERRORS})
    def create(self, request, *args, **kwargs):
        data = IdeaInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        idea = services.idea_propose(actor=request.user, **data.validated_data)
        return Response(IdeaOutputSerializer(idea).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=IdeaDecisionSerializer, responses={200: IdeaOutputSerializer, **ERRORS, **CONFLICT})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        data = IdeaDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(IdeaOutputSerializer(services.idea_accept(actor=request.user, idea=self.get_object(), **data.validated_data)).data)

    @extend_schema(request=IdeaDecisionSerializer, responses={200: IdeaOutputSerializer, **ERRORS, **CONFLICT})
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        data = IdeaDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(IdeaOutputSerializer(services.idea_decline(actor=request.user, idea=self.get_object(), **data.validated_data)).data)
