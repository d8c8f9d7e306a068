"""Webhook subscriptions over the API: validate -> one service or selector -> serialize."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.pagination import CountedPagination, NewestFirstCursorPagination
from core.api.permissions import IsManager
from core.api.schema import ERRORS, READ_ERRORS

from .. import selectors, services
from .serializers import (
    DeliveryOutputSerializer,
    SubscriptionCreatedSerializer,
    SubscriptionInputSerializer,
    SubscriptionOutputSerializer,
    SubscriptionUpdateSerializer,
)

CONFLICT = {409: OpenApiResponse(description="The webhook is switched off.")}


class DeliveryPagination(NewestFirstCursorPagination):
    page_size = 20


@extend_schema_view(
    list=extend_schema(responses={200: SubscriptionOutputSerializer(many=True), 401: ERRORS[401], 403: ERRORS[403]}),
    retrieve=extend_schema(responses={200: SubscriptionOutputSerializer, **READ_ERRORS}),
    create=extend_schema(request=SubscriptionInputSerializer, responses={201: SubscriptionCreatedSerializer, **ERRORS}),
    partial_update=extend_schema(request=SubscriptionUpdateSerializer, responses={200: SubscriptionOutputSerializer, **ERRORS}),
    destroy=extend_schema(responses={204: None, **ERRORS}),
)
class WebhookViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
    mixins.DestroyModelMixin, viewsets.GenericViewSet,
):
    """A team's webhook subscriptions: its managers (and admins) subscribe URLs to events.

    The signing secret is shown once, in the answer that created the subscription.
    """

    serializer_class = SubscriptionOutputSerializer
    permission_classes = [IsManager]
    pagination_class = CountedPagination
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return selectors.subscription_list(user=self.request.user).order_by("team_id", "id")

    def create(self, request, *args, **kwargs):
        data = SubscriptionInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        subscription = services.subscription_create(actor=request.user, team=fields.pop("team"), **fields)
        return Response(SubscriptionCreatedSerializer(subscription).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        subscription = self.get_object()
        data = SubscriptionUpdateSerializer(data=request.data, partial=True, context={"request": request})
        data.is_valid(raise_exception=True)
        subscription = services.subscription_update(actor=request.user, subscription=subscription, changes=dict(data.validated_data))
        return Response(SubscriptionOutputSerializer(subscription).data)

    def destroy(self, request, *args, **kwargs):
        services.subscription_delete(actor=request.user, subscription=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={200: DeliveryOutputSerializer(many=True), **READ_ERRORS})
    @action(detail=True, methods=["get"], pagination_class=DeliveryPagination)
    def deliveries(self, request, pk=None):
        """The deliveries to this subscription, newest first, each with every attempt (time, status code, duration, answer)."""
        subscription = self.get_object()
        page = self.paginate_queryset(selectors.delivery_list(subscription=subscription))
        return self.get_paginated_response(DeliveryOutputSerializer(page, many=True).data)

    @extend_schema(request=None, responses={202: DeliveryOutputSerializer, **ERRORS, **CONFLICT})
    @action(detail=True, methods=["post"], url_path=r"deliveries/(?P<delivery_id>\d+)/resend")
    def resend(self, request, pk=None, delivery_id=None):
        """Send a delivery again now, with the same webhook-id."""
        subscription = self.get_object()
        delivery = get_object_or_404(subscription.deliveries.all(), pk=delivery_id)
        delivery = services.delivery_resend(actor=request.user, delivery=delivery)
        return Response(DeliveryOutputSerializer(selectors.delivery_list(subscription=subscription).get(pk=delivery.pk)).data,
                        status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={202: DeliveryOutputSerializer, **ERRORS, **CONFLICT})
    @action(detail=True, methods=["post"])
    def ping(self, request, pk=None):
        """Send a test event (`webhook.ping`) to this subscription only."""
        subscription = self.get_object()
        delivery = services.subscription_ping(actor=request.user, subscription=subscription)
        return Response(DeliveryOutputSerializer(selectors.delivery_list(subscription=subscription).get(pk=delivery.pk)).data,
                        status=status.HTTP_202_ACCEPTED)
