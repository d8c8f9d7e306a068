from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.pagination import NewestFirstCursorPagination
from core.api.permissions import IsManager

from .. import selectors, services
from .serializers import JobFilterSerializer, JobRunSerializer, RescoreQueuedSerializer, RescoreRequestSerializer

ERRORS = {
    400: OpenApiResponse(description="Invalid input, with a message per field."),
    401: OpenApiResponse(description="Not authenticated."),
    403: OpenApiResponse(description="Only managers and admins (admins only for a full re-score)."),
    404: OpenApiResponse(description="Not found."),
    409: OpenApiResponse(description="A re-score is already running."),
}


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("kind", enum=["rescore", "drift"]),
            OpenApiParameter("status", enum=["running", "succeeded", "failed", "skipped"]),
        ],
        responses={200: JobRunSerializer(many=True), 400: ERRORS[400], 401: ERRORS[401], 403: ERRORS[403]},
    ),
    retrieve=extend_schema(responses={200: JobRunSerializer, 401: ERRORS[401], 403: ERRORS[403], 404: ERRORS[404]}),
)
class JobRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Background job runs (re-score, drift) with their progress, newest first. Managers and admins."""

    serializer_class = JobRunSerializer
    permission_classes = [IsManager]
    pagination_class = NewestFirstCursorPagination

    def get_queryset(self):
        qs = selectors.job_run_list(user=self.request.user)
        if self.action == "list":
            filters = JobFilterSerializer(data=self.request.query_params)
            filters.is_valid(raise_exception=True)
            qs = qs.filter(**filters.validated_data)
        return qs

    @extend_schema(
        request=RescoreRequestSerializer,
        responses={202: RescoreQueuedSerializer, 400: ERRORS[400], 401: ERRORS[401], 403: ERRORS[403], 409: ERRORS[409]},
    )
    @action(detail=False, methods=["post"])
    def rescore(self, request):
        """Start a re-score now (incremental; `full` for everything). It runs in the worker; follow it here."""
        data = RescoreRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        queued = services.rescore_request(actor=request.user, full=data.validated_data["full"])
        return Response(RescoreQueuedSerializer(queued).data, status=status.HTTP_202_ACCEPTED)
