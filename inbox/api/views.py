"""The inbox over the API: validate -> one service or selector -> serialize."""

from django.core.exceptions import ObjectDoesNotExist
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.api.pagination import NewestFirstCursorPagination
from core.api.schema import ERRORS, READ_ERRORS
from interactions.api.serializers import InteractionOutputSerializer

from .. import selectors, services
from ..models import InboxItem
from .serializers import (
    InboxAssessSerializer,
    InboxDismissSerializer,
    InboxFilterSerializer,
    InboxItemDetailSerializer,
    InboxItemSerializer,
)

CONFLICT = {409: OpenApiResponse(description="The mail was already assessed or dismissed.")}


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("status", str, enum=["waiting", "assessed", "dismissed", "all"], description="default: waiting")],
        responses={200: InboxItemSerializer(many=True), 400: ERRORS[400], 401: ERRORS[401]},
    ),
    retrieve=extend_schema(responses={200: InboxItemDetailSerializer, **READ_ERRORS}),
)
class InboxViewSet(viewsets.GenericViewSet):
    """Customers' emails waiting to be assessed in the viewer's teams' inboxes. Assessing one ticks its
    facts and logs it as an interaction (scored; a case when Criminal or Basic)."""

    serializer_class = InboxItemSerializer
    queryset = InboxItem.objects.none()  # the schema's path parameter type; the selectors scope every read
    permission_classes = [IsAuthenticated]
    pagination_class = NewestFirstCursorPagination

    def list(self, request):
        query = InboxFilterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        wanted = query.validated_data["status"]
        items = selectors.inbox_list(user=request.user, status=None if wanted == "all" else wanted)
        page = self.paginate_queryset(items)
        return self.get_paginated_response(InboxItemSerializer(page, many=True).data)

    def _item(self, pk):
        try:
            return selectors.inbox_item(user=self.request.user, pk=int(pk))
        except (ObjectDoesNotExist, ValueError):
            raise NotFound() from None

    def retrieve(self, request, pk=None):
        return Response(InboxItemDetailSerializer(self._item(pk)).data)

    @extend_schema(request=InboxAssessSerializer, responses={201: InteractionOutputSerializer, **ERRORS, **CONFLICT})
    @action(detail=True, methods=["post"])
    def assess(self, request, pk=None):
        """Tick the facts: the mail becomes an interaction (201, as `POST /api/interactions/` answers)."""
        item = self._item(pk)
        data = InboxAssessSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        interaction = services.inbox_assess(actor=request.user, item=item, **data.validated_data)
        return Response(InteractionOutputSerializer(interaction).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=InboxDismissSerializer, responses={200: InboxItemSerializer, **ERRORS, **CONFLICT})
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None):
        """Not a customer matter (spam, an auto-reply): out of the inbox, never scored."""
        item = self._item(pk)
        data = InboxDismissSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.inbox_dismiss(actor=request.user, item=item, reason=data.validated_data["reason"])
        return Response(InboxItemSerializer(selectors.inbox_list(user=request.user, status=None).get(pk=item.pk)).data)
