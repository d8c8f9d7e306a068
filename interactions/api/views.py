"""Customers, gestures and interactions over the API: validate -> one service or selector -> serialize."""

from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.api import idempotency
from core.api.pagination import CountedPagination, NewestFirstCursorPagination
from core.api.permissions import IsManagerOrReadOnly
from core.api.schema import ERRORS, READ_ERRORS
from interactions import selectors, services

from .filters import CustomerFilter, GestureFilter, InteractionFilter
from .serializers import (
    CustomerInputSerializer,
    CustomerOutputSerializer,
    CustomerUpdateSerializer,
    GestureInputSerializer,
    GestureOutputSerializer,
    GestureUpdateSerializer,
    InteractionCorrectionSerializer,
    InteractionInputSerializer,
    InteractionOutputSerializer,
)

CONFLICT = {409: OpenApiResponse(description="The customer has history (interactions, cases, bends) and stays.")}
LIST_ERRORS = {400: OpenApiResponse(description="Invalid filter."), 401: ERRORS[401]}


@extend_schema_view(
    list=extend_schema(responses={200: CustomerOutputSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(responses={200: CustomerOutputSerializer, **READ_ERRORS}),
    create=extend_schema(request=CustomerInputSerializer, responses={201: CustomerOutputSerializer, **ERRORS}),
    update=extend_schema(request=CustomerInputSerializer, responses={200: CustomerOutputSerializer, **ERRORS}),
    partial_update=extend_schema(request=CustomerInputSerializer, responses={200: CustomerOutputSerializer, **ERRORS}),
    destroy=extend_schema(responses={204: None, **ERRORS, **CONFLICT}),
)
class CustomerViewSet(viewsets.ModelViewSet):
    """A team's customers, each with their expectation profile: every active gesture's standing now."""

    serializer_class = CustomerOutputSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = NewestFirstCursorPagination
    filterset_class = CustomerFilter

    def get_queryset(self):
        return selectors.customer_list(user=self.request.user)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(CustomerOutputSerializer.for_customers(page).data)

    def create(self, request, *args, **kwargs):
        data = CustomerInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        customer = services.customer_create(actor=request.user, team=fields.pop("team"), **fields)
        return Response(self._out(customer), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        customer = self.get_object()
        data = CustomerUpdateSerializer(
            data=request.data, customer=customer, partial=kwargs.get("partial", False), context={"request": request}
        )
        data.is_valid(raise_exception=True)
        customer = services.customer_update(actor=request.user, customer=customer, changes=dict(data.validated_data))
        return Response(self._out(customer))

    def destroy(self, request, *args, **kwargs):
        services.customer_delete(actor=request.user, customer=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _out(self, customer):
        customer = self.get_queryset().get(pk=customer.pk)
        return CustomerOutputSerializer.for_customers([customer]).data[0]


@extend_schema_view(
    list=extend_schema(responses={200: GestureOutputSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(responses={200: GestureOutputSerializer, **READ_ERRORS}),
    create=extend_schema(request=GestureInputSerializer, responses={201: GestureOutputSerializer, **ERRORS}),
    update=extend_schema(request=GestureInputSerializer, responses={200: GestureOutputSerializer, **ERRORS}),
    partial_update=extend_schema(request=GestureInputSerializer, responses={200: GestureOutputSerializer, **ERRORS}),
)
class GestureViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet
):
    """A team's gestures: its managers (and admins) add and change them, frontline read them.

    A gesture is retired with `active: false`, never deleted: deliveries keep pointing at it.
    """

    serializer_class = GestureOutputSerializer
    permission_classes = [IsManagerOrReadOnly]
    pagination_class = CountedPagination
    filterset_class = GestureFilter

    def get_queryset(self):
        return selectors.gesture_list(user=self.request.user).order_by("team_id", "name", "id")

    def list(self, request, *args, **kwargs):
        page = list(self.paginate_queryset(self.filter_queryset(self.get_queryset())))
        levels = selectors.effective_base_levels(gestures=page)
        return self.get_paginated_response(GestureOutputSerializer(page, many=True, context={"effective_levels": levels}).data)

    def retrieve(self, request, *args, **kwargs):
        return Response(GestureOutputSerializer(self.get_object()).data)

    def create(self, request, *args, **kwargs):
        data = GestureInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        gesture = services.gesture_create(actor=request.user, team=fields.pop("team"), **fields)
        return Response(GestureOutputSerializer(gesture).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        gesture = self.get_object()
        data = GestureUpdateSerializer(
            data=request.data, gesture=gesture, partial=kwargs.get("partial", False), context={"request": request}
        )
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        changes.pop("team", None)
        gesture = services.gesture_update(actor=request.user, gesture=gesture, changes=changes)
        return Response(GestureOutputSerializer(gesture).data)


@extend_schema_view(
    list=extend_schema(responses={200: InteractionOutputSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(responses={200: InteractionOutputSerializer, **READ_ERRORS}),
    create=extend_schema(
        request=InteractionInputSerializer,
        parameters=[idempotency.SCHEMA_PARAMETER],
        responses={
            201: InteractionOutputSerializer, 400: ERRORS[400], 401: ERRORS[401], 403: ERRORS[403],
            422: idempotency.SCHEMA_422,
        },
    ),
    partial_update=extend_schema(request=InteractionCorrectionSerializer, responses={200: InteractionOutputSerializer, **ERRORS}),
)
class InteractionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Log an interaction: it gets its level by the rubric as of `occurred_at` (which may be in the
    past), and a Criminal or Basic one opens its recovery case within the request."""

    serializer_class = InteractionOutputSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = NewestFirstCursorPagination
    filterset_class = InteractionFilter

    def get_queryset(self):
        return selectors.interaction_list(user=self.request.user)

    @idempotency.idempotent
    def create(self, request, *args, **kwargs):
        data = InteractionInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        facts = dict(data.validated_data)
        facts.setdefault("occurred_at", timezone.now())
        interaction = services.interaction_log(actor=request.user, **facts)
        return Response(InteractionOutputSerializer(interaction).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        """Correct the facts: whoever logged it within 24 hours, a manager of its team any time. The
        interaction and the customer's later ones are re-scored within the request."""
        interaction = self.get_object()
        data = InteractionCorrectionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        note = changes.pop("note", "")
        services.interaction_correct(actor=request.user, interaction=interaction, changes=changes, note=note)
        return Response(InteractionOutputSerializer(self.get_queryset().get(pk=interaction.pk)).data)
