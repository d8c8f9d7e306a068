from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.permissions import IsManager

from ..figures import report_as_json, weekly_report
from ..selectors import report_request


class WeeklyReportView(APIView):
    """The weekly level report's figures for one team and ISO week."""

    permission_classes = [IsManager]

    @extend_schema(
        operation_id="reports_weekly",
        parameters=[
            OpenApiParameter("team", OpenApiTypes.INT, required=True, description="Team id."),
            OpenApiParameter("week", OpenApiTypes.STR, required=True, description="ISO week, YYYY-Www (e.g. 2026-W47)."),
        ],
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description="The figures (see docs/reports.md)."),
            400: OpenApiResponse(description="Missing or malformed team or week, unknown team, or a week that has not started."),
            401: OpenApiResponse(description="Not signed in."),
            403: OpenApiResponse(description="Not a manager or admin."),
            404: OpenApiResponse(description="A team the caller does not manage."),
        },
    )
    def get(self, request):
        team, week = report_request(user=request.user, params=request.query_params)
        return Response(report_as_json(weekly_report(team, week)))
