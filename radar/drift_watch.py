"""Gestures close to drifting (rubric rule 6 seen ahead of time).

For each active gesture of a team: its share of the team's served customers over the last
DRIFT_PERIOD (the same counts and the same rule the drift job uses: `interactions.scoring.drifts`),
measured at TREND_WEEKS weekly points; a straight line through those points (least squares) says
when the share reaches the team's drift share at the current pace. Gestures that already drifted
say since when. Four queries per team, whatever the history's size.
"""

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy
from django.db import connection
from django.db.models import Case, Max, Q, Sum, When
from django.utils import timezone

from accounts.models import Team
from interactions import scoring
from interactions.models import Gesture, GestureDelivery, GestureDrift, Interaction

TREND_WEEKS = 8  # the share measured at now and at the 7 weekly points before
CLOSE_WEEKS = 8  # "close to drifting": projected to cross within this many weeks
HORIZON_DAYS = 365  # a crossing further away than this is "not at this pace"


@dataclass(frozen=True)
class GestureWatch:
    gesture_id: int
    name: str
    share: float  # reached / served over the last 90 days, now
    reached: int
    served: int
    drift_share: float
    trend: list[float]  # the share at each weekly point, oldest first (the last is `share`)
    per_week: float  # the trend line's slope, share points per week
    crossing: date | None  # the day the share reaches drift_share at this pace (today when it is there)
    drifted_on: date | None  # when it drifted (rule 6 applied), if it did
    enough_served: bool  # the team served at least drift_min_customers (else nothing drifts yet)
    close: bool  # not drifted yet, and crossing within CLOSE_WEEKS


def weekly_points(at: datetime) -> list[datetime]:
    """The moments the share is measured at: TREND_WEEKS of them, a week apart, oldest first, the last `at`."""
    return [at - timedelta(weeks=k) for k in range(TREND_WEEKS - 1, -1, -1)]


def _in_period(field: str, end: datetime) -> Q:
    # The drift job's bounds: [end - DRIFT_PERIOD, end]
    return Q(**{f"{field}__gte": end - scoring.DRIFT_PERIOD, f"{field}__lte": end})


def crossing_day(*, shares: list[float], drift_share: float, today: date) -> tuple[float, date | None]:
    """The slope (per week) of the least-squares line through the weekly shares, and the day the
    line reaches `drift_share` counted from today's share; today when it is already there, None when
    the share is not rising or would take more than HORIZON_DAYS."""
    weeks = numpy.arange(len(shares), dtype=float)
    slope = float(numpy.polyfit(weeks, numpy.asarray(shares, dtype=float), 1)[0]) if len(shares) > 1 else 0.0
    now = shares[-1]
    if now >= drift_share:
        return slope, today
    if slope <= 0:
        return slope, None
    days = (drift_share - now) / slope * 7
    if days > HORIZON_DAYS:
        return slope, None
    return slope, today + timedelta(days=math.ceil(round(days, 6)))  # 21.000000000000004 days is 21


def _reached_per_gesture(ids: list[int], points: list[datetime], *, earliest: datetime, at: datetime) -> dict[int, list[int]]:
    """Per gesture, the customers it reached in each point's period: each (gesture, customer) once
    with a flag per point, summed per gesture."""
    flags = {
        f"p{i}": Max(Case(When(_in_period("delivered_at", p), then=1), default=0)) for i, p in enumerate(points)
    }
    pairs_sql, params = (
        GestureDelivery.objects.filter(gesture_id__in=ids, delivered_at__gte=earliest, delivered_at__lte=at)
        .values("gesture_id", "customer_id").annotate(**flags).order_by()
    ).query.sql_with_params()
    sums = ", ".join(f"SUM(pairs.p{i})" for i in range(len(points)))
    # The ORM's compiled query wrapped in a sum per gesture; every value is a parameter.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT pairs.gesture_id, {sums} FROM ({pairs_sql}) pairs GROUP BY pairs.gesture_id", params)  # nosec B608
        return {row[0]: [int(v or 0) for v in row[1:]] for row in cursor.fetchall()}


def drift_watch(*, team: Team, at: datetime | None = None) -> list[GestureWatch]:
    """Every active gesture of the team, the closest to drifting first; drifted ones last."""
    at = at or timezone.now()
    points = weekly_points(at)
    earliest = points[0] - scoring.DRIFT_PERIOD
    # Each customer once with a flag per point (one hash aggregate), then the flags summed: the
    # same counts as COUNT(DISTINCT customer) per point, without eight sorts of the period's rows.
    flags = {f"p{i}": Max(Case(When(_in_period("occurred_at", p), then=1), default=0)) for i, p in enumerate(points)}
    served = (
        Interaction.objects.filter(team_id=team.id, occurred_at__gte=earliest, occurred_at__lte=at)
        .values("customer_id").annotate(**flags).order_by()
        .aggregate(**{f"s{i}": Sum(f"p{i}") for i in range(len(points))})
    )
    served = [served[f"s{i}"] or 0 for i in range(len(points))]
    gestures = list(Gesture.objects.filter(team_id=team.id, active=True).order_by("name", "id"))
    ids = [g.id for g in gestures]
    reached = _reached_per_gesture(ids, points, earliest=earliest, at=at) if ids else {}
    drifted: dict[int, datetime] = {}
    for gesture_id, effective_from in (
        GestureDrift.objects.filter(gesture_id__in=ids, offset__lt=0, effective_from__lte=at)
        .order_by("effective_from")
        .values_list("gesture_id", "effective_from")
    ):
        drifted.setdefault(gesture_id, effective_from)  # the first time it dropped

    drift_share = float(team.drift_share)
    today = timezone.localtime(at, team.tz).date()
    found = []
    for g in gestures:
        counts = reached.get(g.id, [0] * len(points))
        shares = [r / s if s else 0.0 for r, s in zip(counts, served)]
        slope, crossing = crossing_day(shares=shares, drift_share=drift_share, today=today)
        when = drifted.get(g.id)
        crossing = None if when else crossing
        found.append(GestureWatch(
            gesture_id=g.id, name=g.name, share=shares[-1], reached=counts[-1], served=served[-1], drift_share=drift_share,
            trend=shares, per_week=slope, crossing=crossing,
            drifted_on=timezone.localtime(when, team.tz).date() if when else None,
            enough_served=served[-1] >= team.drift_min_customers,
            close=crossing is not None and crossing <= today + timedelta(weeks=CLOSE_WEEKS),
        ))
    found.sort(key=lambda w: (w.drifted_on is not None, w.crossing or date.max, -w.share, w.name))
    return found


def drifts_now(watch: GestureWatch, team: Team) -> bool:
    """Would the drift job drift it tonight? The rule itself answers (interactions.scoring.drifts)."""
    return watch.drifted_on is None and scoring.drifts(
        customers_reached=watch.reached, customers_served=watch.served,
        drift_share=float(team.drift_share), drift_min_customers=team.drift_min_customers,
    )
