"""`/api/notifications/`: the signed-in person's notifications, newest first, with the unread count;
marking them read. Nobody reads or marks anyone else's."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.api.filters import MAX_ID
from core.api.pagination import NewestFirstCursorPagination
from core.api.schema import ERRORS, READ_ERRORS
from notifications.models import Notification
from notifications.selectors import notifications_of, notifications_unread_count
from notifications.services import notifications_mark_read


class NotificationSerializer(serializers.ModelSerializer):
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "text", "url", "created_at", "read_at", "read"]
        read_only_fields = fields

    def get_read(self, notification) -> bool:
        return notification.read_at is not None


class MarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False, max_length=500,
        help_text="These notifications; leave out to mark every one read.",
    )


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField()
    unread = serializers.IntegerField()


class NotificationPagination(NewestFirstCursorPagination):
    """Newest first, no COUNT of the whole list; `unread` is the person's unread count (an index)."""

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["unread"] = notifications_unread_count(user=self.request.user)
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["unread"] = {"type": "integer", "example": 3}
        schema["required"] = [*schema.get("required", []), "unread"]
        return schema


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("unread", OpenApiTypes.STR, enum=["true"], description="Only the unread ones.")],
        responses={200: NotificationSerializer(many=True), 400: ERRORS[400], 401: ERRORS[401]},
    ),
    retrieve=extend_schema(responses={200: NotificationSerializer, **READ_ERRORS}),
)
class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Your notifications: a case assigned to you, escalations, follow-ups, bends waiting for you or decided."""

    serializer_class = NotificationSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = NotificationPagination
    filter_backends = []

    def get_queryset(self):
        queryset = notifications_of(user=self.request.user)
        if self.action == "list":
            unread = self.request.query_params.get("unread")
            if unread not in (None, "true"):
                raise serializers.ValidationError({"unread": ['Only "true" is accepted.']})
            if unread == "true":
                queryset = queryset.filter(read_at__isnull=True)
        return queryset

    @extend_schema(request=None, responses={200: NotificationSerializer, **READ_ERRORS})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        """Mark this notification read."""
        notification = self.get_object()
        notifications_mark_read(user=request.user, ids=[notification.pk])
        notification.refresh_from_db()
        return Response(NotificationSerializer(notification).data)

    @extend_schema(request=MarkReadSerializer, responses={200: MarkedSerializer, 400: ERRORS[400], 401: ERRORS[401]})
    @action(detail=False, methods=["post"], url_path="read-all", pagination_class=None)
    def read_all(self, request):
        """Mark these (or all) of your notifications read."""
        data = MarkReadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        marked = notifications_mark_read(user=request.user, ids=data.validated_data.get("ids"))
        return Response({"marked": marked, "unread": notifications_unread_count(user=request.user)})
