"""The product's URLs plus two ceiling endpoints measured in the same run as the real ones:

- POST /bench/ceiling/interactions/: a bare DRF view with token auth that inserts one interaction
  row of the same shape, with no checks, no rubric, no case, no history.
- GET /bench/ceiling/interactions/: a bare keyset-paginated list of the same rows (50 a page).
"""

import uuid

from django.urls import path
from django.utils import timezone
from rest_framework.response import Response
from rest_framework.views import APIView

from cxportal.urls import urlpatterns as product_urlpatterns
from interactions.models import Interaction


class CeilingInteractions(APIView):
    def post(self, request):
        data = request.data
        row = Interaction.objects.create(
            team_id=data["team"],
            customer_id=data["customer"],
            channel=data.get("channel", "phone"),
            occurred_at=timezone.now(),
            summary=data.get("summary", ""),
            promise_kept=bool(data.get("promise_kept", True)),
            issues=data.get("issues", []),
            matched_preference=bool(data.get("matched_preference", False)),
            assessed_level=3,
            level=3,
            feedback_nonce="x",
            feedback_digest=uuid.uuid4().hex,
        )
        return Response({"id": row.id, "level": row.level}, status=201)

    def get(self, request):
        team_ids = list(request.user.teams.values_list("id", flat=True))
        qs = Interaction.objects.filter(team_id__in=team_ids).order_by("-id")
        before = request.query_params.get("before")
        if before:
            qs = qs.filter(id__lt=int(before))
        rows = list(qs.values("id", "customer_id", "team_id", "channel", "occurred_at", "summary", "level")[:50])
        return Response({"next": rows[-1]["id"] if rows else None, "results": rows})


urlpatterns = [path("bench/ceiling/interactions/", CeilingInteractions.as_view()), *product_urlpatterns]
