"""Rule 6, the escalator: a gesture that reaches the team's drift share of its served customers in
90 days becomes expected, so it drifts down a level (docs/drift.md). Recorded as GestureDrift rows."""

from datetime import datetime
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone

from accounts.models import Team
from interactions import scoring
from interactions.models import Gesture, GestureDelivery, GestureDrift, Interaction

DRIFT_PERIOD = scoring.DRIFT_PERIOD


def _team_day_start(team: Team, at: datetime) -> datetime:
    local = timezone.localtime(at, team.tz)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def drift_recompute(*, at: datetime | None = None) -> list[GestureDrift]:
    """Rule 6 for every team: record a GestureDrift (effective from the start of today in the team's
    time zone) for each gesture that reached `drift_share` of the team's served customers over the
    last 90 days. The escalator only moves down: a drifted gesture is never raised back and never
    drifts twice. Safe to run twice (one row per gesture and date). Three queries plus the inserts."""
    at = at or timezone.now()
    since = at - DRIFT_PERIOD
    served = dict(
        Interaction.objects.filter(occurred_at__gte=since, occurred_at__lte=at)
        .values("team_id")
        .annotate(n=Count("customer_id", distinct=True))
        .values_list("team_id", "n")
    )
    reached = dict(
        GestureDelivery.objects.filter(delivered_at__gte=since, delivered_at__lte=at)
        .values("gesture_id")
        .annotate(n=Count("customer_id", distinct=True))
        .values_list("gesture_id", "n")
    )
    if not reached:
        return []
    current = _current_offsets(gesture_ids=list(reached))
    teams = {t.id: t for t in Team.objects.filter(id__in=list(served))}
    new = []
    for gesture_id, team_id in Gesture.objects.filter(id__in=list(reached), active=True).values_list("id", "team_id"):
        team = teams.get(team_id)
        if team is None or current.get(gesture_id, 0) < 0:
            continue  # at most one level below base, never raised back
        n_served, n_reached = served[team_id], reached[gesture_id]
        if scoring.drifts(
            customers_reached=n_reached,
            customers_served=n_served,
            drift_share=float(team.drift_share),
            drift_min_customers=team.drift_min_customers,
        ):
            new.append(
                GestureDrift(
                    gesture_id=gesture_id,
                    effective_from=_team_day_start(team, at),
                    offset=scoring.DRIFT_STEP,
                    previous_offset=0,
                    share=(Decimal(n_reached) / Decimal(n_served)).quantize(Decimal("0.0001")),
                    customers_reached=n_reached,
                    customers_served=n_served,
                )
            )
    if new:
        GestureDrift.objects.bulk_create(new, ignore_conflicts=True)
    return new


def _current_offsets(*, gesture_ids=None) -> dict[int, int]:
    rows = GestureDrift.objects.order_by("gesture_id", "-effective_from")
    if gesture_ids is not None:
        rows = rows.filter(gesture_id__in=gesture_ids)
    offsets: dict[int, int] = {}
    for gesture_id, offset in rows.values_list("gesture_id", "offset"):
        offsets.setdefault(gesture_id, offset)
    return offsets
