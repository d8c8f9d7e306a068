from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.api import idempotency
from core.api.pagination import NewestFirstCursorPagination, ValidatedCursorPagination
from core.api.permissions import IsManagerOrReadOnly
from core.api.schema import CONFLICT, ERRORS, READ_ERRORS

from .. import selectors
from ..services import bends, owners, rules, steps
from .filters import BendFilter, CaseFilter
from .serializers import (
    BendDecisionSerializer,
    BendEventSerializer,
    BendInputSerializer,
    BendOutputSerializer,
    CaseAssignSerializer,
    CaseCloseSerializer,
    CaseEventSerializer,
    CaseFixSerializer,
    CaseNewNoteSerializer,
    CaseOutputSerializer,
    CaseSurpriseSerializer,
    GestureRecommendationSerializer,
    RankedRuleSerializer,
    RankingQuerySerializer,
    RuleSerializer,
    RuleUpdateSerializer,
)


class CasePagination(ValidatedCursorPagination):
    """Newest first by default; `?ordering=fix_due` pages the most urgent first. No COUNT."""

    page_size = NewestFirstCursorPagination.page_size
    page_size_query_param = "page_size"
    max_page_size = NewestFirstCursorPagination.max_page_size
    ordering = "-id"
    orderings = {"-id": ("-id",), "fix_due": ("fix_due", "id"), "-fix_due": ("-fix_due", "-id")}

    def get_ordering(self, request, queryset, view):
        value = request.query_params.get("ordering", "-id")
        if value not in self.orderings:
            raise ValidationError({"ordering": [f"One of: {', '.join(self.orderings)}."]})
        return self.orderings[value]


CASE_LIST_PARAMS = [
    OpenApiParameter("ordering", OpenApiTypes.STR, enum=list(CasePagination.orderings), description="Default -id (newest first)."),
]


@extend_schema_view(
    list=extend_schema(parameters=CASE_LIST_PARAMS, responses={200: CaseOutputSerializer(many=True), 400: ERRORS[400], 401: ERRORS[401]}),
    retrieve=extend_schema(responses={200: CaseOutputSerializer, **READ_ERRORS}),
)
class RecoveryCaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Recovery cases of your teams: fix, surprise, close; the timeline is read-only."""

    serializer_class = CaseOutputSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = CasePagination
    filterset_class = CaseFilter

    def get_queryset(self):
        return selectors.case_list(user=self.request.user)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}

    def _answer(self, case):
        return Response(self.get_serializer(case).data)

    @extend_schema(
        request=CaseFixSerializer,
        parameters=[idempotency.SCHEMA_PARAMETER],
        responses={200: CaseOutputSerializer, **ERRORS, **CONFLICT, 422: idempotency.SCHEMA_422},
    )
    @action(detail=True, methods=["post"])
    @idempotency.idempotent
    def fix(self, request, pk=None):
        data = CaseFixSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(steps.case_fix(actor=request.user, case=self.get_object(), **data.validated_data))

    @extend_schema(
        request=CaseSurpriseSerializer,
        parameters=[idempotency.SCHEMA_PARAMETER],
        responses={200: CaseOutputSerializer, **ERRORS, **CONFLICT, 422: idempotency.SCHEMA_422},
    )
    @action(detail=True, methods=["post"])
    @idempotency.idempotent
    def surprise(self, request, pk=None):
        case = self.get_object()
        data = CaseSurpriseSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        return self._answer(steps.case_surprise(actor=request.user, case=case, **data.validated_data))

    @extend_schema(
        request=CaseCloseSerializer,
        parameters=[idempotency.SCHEMA_PARAMETER],
        responses={200: CaseOutputSerializer, **ERRORS, **CONFLICT, 422: idempotency.SCHEMA_422},
    )
    @action(detail=True, methods=["post"])
    @idempotency.idempotent
    def close(self, request, pk=None):
        case = self.get_object()
        data = CaseCloseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(steps.case_close(actor=request.user, case=case, **data.validated_data))

    @extend_schema(
        request=CaseAssignSerializer,
        parameters=[idempotency.SCHEMA_PARAMETER],
        responses={200: CaseOutputSerializer, **ERRORS, **CONFLICT, 422: idempotency.SCHEMA_422},
    )
    @action(detail=True, methods=["post"])
    @idempotency.idempotent
    def assign(self, request, pk=None):
        """Give the case to someone in its team (yourself included); the new owner is told."""
        case = self.get_object()
        data = CaseAssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(owners.case_assign(actor=request.user, case=case, owner=data.validated_data["owner"]))

    @extend_schema(
        request=CaseNewNoteSerializer,
        parameters=[idempotency.SCHEMA_PARAMETER],
        responses={201: CaseEventSerializer, **ERRORS, 422: idempotency.SCHEMA_422},
    )
    @action(detail=True, methods=["post"])
    @idempotency.idempotent
    def notes(self, request, pk=None):
        """Add an internal note to the timeline; the customer never sees it."""
        case = self.get_object()
        data = CaseNewNoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        event = owners.case_note_add(actor=request.user, case=case, note=data.validated_data["note"])
        return Response(CaseEventSerializer(event).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: CaseEventSerializer(many=True), **READ_ERRORS})
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def events(self, request, pk=None):
        events = selectors.case_events(case=self.get_object())
        return Response(CaseEventSerializer(events, many=True).data)

    @extend_schema(responses={200: GestureRecommendationSerializer(many=True), **READ_ERRORS})
    @action(detail=True, methods=["get"], url_path="recommended-gestures", pagination_class=None, filterset_class=None)
    def recommended_gestures(self, request, pk=None):
        case = self.get_queryset().select_related("team", "customer").get(pk=self.get_object().pk)
        return Response(GestureRecommendationSerializer(selectors.gestures_recommended(case=case), many=True).data)


RANKING_PARAMS = [
    OpenApiParameter("days", OpenApiTypes.INT, description="The period, in days back from now (default 90)."),
    OpenApiParameter("ordering", OpenApiTypes.STR, enum=["-bend_count"], description="Rank as the dumb rules."),
]


@extend_schema_view(
    list=extend_schema(parameters=RANKING_PARAMS, responses={200: RankedRuleSerializer(many=True), 400: ERRORS[400], 401: ERRORS[401]}),
    retrieve=extend_schema(responses={200: RuleSerializer, **READ_ERRORS}),
    create=extend_schema(request=RuleSerializer, responses={201: RuleSerializer, 400: ERRORS[400], 401: ERRORS[401], 403: ERRORS[403]}),
    update=extend_schema(request=RuleUpdateSerializer, responses={200: RuleSerializer, **ERRORS}),
    partial_update=extend_schema(request=RuleUpdateSerializer, responses={200: RuleSerializer, **ERRORS}),
)
class RuleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """The team's rules register: managers edit, everyone in the team reads. `?ordering=-bend_count` ranks them."""

    serializer_class = RuleSerializer
    permission_classes = [IsManagerOrReadOnly]
    filterset_fields = ["team", "active"]

    def get_queryset(self):
        return selectors.rule_list(user=self.request.user)

    def _ranking(self, request):
        params = RankingQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        ranked = self.filter_queryset(selectors.rules_ranked(user=request.user, days=params.validated_data["days"]))
        page = self.paginate_queryset(ranked)
        return self.get_paginated_response(RankedRuleSerializer(page, many=True).data)

    def list(self, request, *args, **kwargs):
        if "ordering" in request.query_params:
            return self._ranking(request)
        return super().list(request, *args, **kwargs)

    @extend_schema(parameters=RANKING_PARAMS[:1], responses={200: RankedRuleSerializer(many=True), 400: ERRORS[400], 401: ERRORS[401]})
    @action(detail=False, methods=["get"])
    def dumb(self, request):
        """Dumb rules: ranked by bends requested, then approval rate, over `days` (default 90)."""
        return self._ranking(request)

    def create(self, request, *args, **kwargs):
        data = RuleSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        rule = rules.rule_create(actor=request.user, **data.validated_data)
        return Response(RuleSerializer(rule).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        rule = self.get_object()
        data = RuleUpdateSerializer(rule, data=request.data, partial=kwargs.get("partial", False), context={"request": request})
        data.is_valid(raise_exception=True)
        rule = rules.rule_update(actor=request.user, rule=rule, changes=dict(data.validated_data))
        return Response(RuleSerializer(rule).data)


@extend_schema_view(
    list=extend_schema(responses={200: BendOutputSerializer(many=True), 400: ERRORS[400], 401: ERRORS[401]}),
    retrieve=extend_schema(responses={200: BendOutputSerializer, **READ_ERRORS}),
    create=extend_schema(request=BendInputSerializer, responses={201: BendOutputSerializer, 400: ERRORS[400], 401: ERRORS[401], 403: ERRORS[403]}),
)
class RuleBendViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Rule bends: asked by the team, decided by its managers (admins above their limit), never by the asker."""

    serializer_class = BendOutputSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = NewestFirstCursorPagination
    filterset_class = BendFilter

    def get_queryset(self):
        return selectors.bend_list(user=self.request.user)

    def create(self, request, *args, **kwargs):
        data = BendInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        bend = bends.bend_request(actor=request.user, **data.validated_data)
        return Response(BendOutputSerializer(bend).data, status=status.HTTP_201_CREATED)

    def _decide(self, request, approve: bool):
        bend = self.get_object()
        data = BendDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        bend = bends.bend_decide(actor=request.user, bend=bend, approve=approve, **data.validated_data)
        return Response(BendOutputSerializer(bend).data)

    @extend_schema(request=BendDecisionSerializer, responses={200: BendOutputSerializer, **ERRORS, **CONFLICT})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(request, approve=True)

    @extend_schema(request=BendDecisionSerializer, responses={200: BendOutputSerializer, **ERRORS, **CONFLICT})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(request, approve=False)

    @extend_schema(responses={200: BendEventSerializer(many=True), **READ_ERRORS})
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def events(self, request, pk=None):
        return Response(BendEventSerializer(selectors.bend_events(bend=self.get_object()), many=True).data)
