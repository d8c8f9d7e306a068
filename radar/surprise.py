"""Customers with nothing left to surprise them: every active gesture's standing for them is
Expected or below (rubric rules 4 and 6: the escalator, with drift applied now).

A gesture's standing after n deliveries in the familiarity window is `scoring.standing(base, n)`;
so for each gesture there is a smallest n (`deliveries_to_expected`) from which it stands at
Expected or below. A customer has nothing left when, for every active gesture, their deliveries in
the window reach that n. The day one of those gestures can surprise again is the day the n-th most
recent delivery of it leaves the window (then only n - 1 are left): the earliest of those days over
the gestures. One statement per team: the customers who had every gesture at least its n times in
the window (a count per customer and gesture), then only their deliveries ranked newest first per
customer and gesture (a window function), the n-th of each kept.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connection
from django.utils import timezone

from accounts.models import Team
from interactions import scoring
from interactions.models import Customer, Gesture, GestureDelivery
from interactions.rescoring import epoch_micros_sql
from interactions.rubric import EPOCH
from interactions.selectors import effective_base_levels

LISTED = 50  # the radar lists this many (the count covers them all)


@dataclass(frozen=True)
class NothingLeft:
    customer_id: int
    name: str
    surprise_again_on: date  # the first day a gesture has left their window far enough to surprise again


@dataclass(frozen=True)
class NothingLeftFigures:
    count: int
    customers: list[NothingLeft]
    gestures: int  # how many active gestures they have all had enough of


def deliveries_to_expected(base_level: int) -> int:
    """The fewest deliveries in the window after which the gesture stands at Expected or below."""
    n = 1
    while scoring.standing(base_level, n) > scoring.EXPECTED:
        n += 1
    return n


def nothing_left(*, team: Team, at: datetime | None = None, limit: int = LISTED) -> NothingLeftFigures:
    at = at or timezone.now()
    gestures = list(Gesture.objects.filter(team_id=team.id, active=True))
    if not gestures:
        return NothingLeftFigures(0, [], 0)
    levels = effective_base_levels(gestures=gestures, at=at)
    need = {g.id: deliveries_to_expected(levels[g.id]) for g in gestures}
    window = timedelta(days=team.familiarity_window_days)
    table = GestureDelivery._meta.db_table
    ops = connection.ops
    when_need = " ".join("WHEN %s THEN %s" for _ in need)
    # The table name comes from the model; every value is a parameter.
    gesture_list = ", ".join("%s" for _ in need)
    # First the customers who had every gesture often enough (a count per customer and gesture);
    # only their deliveries are ranked. The n-th newest delivery's moment does not depend on how
    # deliveries at the same instant are ordered.
    sql = f"""
        WITH d AS (
            SELECT customer_id, gesture_id, delivered_at FROM {table}
            WHERE gesture_id IN ({gesture_list}) AND delivered_at >= %s AND delivered_at < %s
        ), enough AS (
            SELECT customer_id FROM (SELECT customer_id, gesture_id, COUNT(*) AS n FROM d GROUP BY customer_id, gesture_id) c
            WHERE n >= CASE gesture_id {when_need} END
            GROUP BY customer_id
            HAVING COUNT(*) = %s
        )
        SELECT customer_id, MIN(nth_us), COUNT(*) OVER ()
        FROM (
            SELECT d.customer_id, d.gesture_id, {epoch_micros_sql("d.delivered_at")} AS nth_us,
                   ROW_NUMBER() OVER (PARTITION BY d.customer_id, d.gesture_id ORDER BY d.delivered_at DESC) AS newest
            FROM d JOIN enough ON enough.customer_id = d.customer_id
        ) ranked
        WHERE newest = CASE gesture_id {when_need} END
        GROUP BY customer_id
        HAVING COUNT(*) = %s
        ORDER BY MIN(nth_us), customer_id
        LIMIT %s
    """  # nosec B608
    pairs = [v for pair in need.items() for v in pair]
    params = [
        *need,
        ops.adapt_datetimefield_value(at - window),
        ops.adapt_datetimefield_value(at),
        *pairs,
        len(need),
        *pairs,
        len(need),
        limit,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        return NothingLeftFigures(0, [], len(need))
    names = dict(Customer.objects.filter(id__in=[r[0] for r in rows]).values_list("id", "name"))
    listed = [
        NothingLeft(
            customer_id=customer_id,
            name=names.get(customer_id, ""),
            surprise_again_on=timezone.localtime(EPOCH + timedelta(microseconds=int(nth_us)) + window, team.tz).date(),
        )
        for customer_id, nth_us, _count in rows
    ]
    return NothingLeftFigures(count=rows[0][2], customers=listed, gestures=len(need))
