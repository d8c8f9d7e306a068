"""What delight returns: per gesture, and for recoveries that ended at Desired or higher.

The period is the COHORT_DAYS that ended RETURN_WINDOW ago, so everyone in it had the full 90 days
to come back. A customer "returns" when they have another interaction within RETURN_WINDOW after
their moment: for a gesture, its first delivery to them in the period; for a recovery, the case's
closing; for everyone else, their first interaction in the period. The next interaction's level is
the level of the first one after that moment, inside the window.

Each figure is one aggregate over indexed columns with correlated EXISTS / scalar subqueries on the
(customer, occurred_at) index; nothing is read row by row. The comparison of two return rates is a
95% confidence interval for the difference of two proportions (statsmodels' Newcombe interval);
when it contains zero the difference is too small to mean anything and the page says so.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Team
from interactions.levels import Level
from interactions.models import Gesture, GestureDelivery, Interaction
from interactions.rescoring import epoch_micros_sql
from recovery.models import RecoveryCase

from .tuning import radar_statements

RETURN_WINDOW = timedelta(days=90)
COHORT_DAYS = 180
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Group:
    customers: int
    returned: int
    next_level_sum: int
    next_level_count: int

    @property
    def rate(self) -> float | None:
        return self.returned / self.customers if self.customers else None

    @property
    def mean_next_level(self) -> float | None:
        return self.next_level_sum / self.next_level_count if self.next_level_count else None

    def minus(self, other: "Group") -> "Group":
        return Group(
            self.customers - other.customers, self.returned - other.returned,
            self.next_level_sum - other.next_level_sum, self.next_level_count - other.next_level_count,
        )


@dataclass(frozen=True)
class Difference:
    """Return rate of the group minus the comparison's, with its 95% interval, in plain words."""

    difference: float | None
    low: float | None
    high: float | None
    meaningful: bool
    words: str


@dataclass(frozen=True)
class GestureReturn:
    gesture_id: int
    name: str
    deliveries: int
    cost: Decimal  # deliveries x the gesture's cost
    reached: Group
    others: Group  # the team's customers served in the period who did not get it
    difference: Difference


@dataclass(frozen=True)
class Returns:
    since: datetime
    until: datetime
    gestures: list[GestureReturn]
    recovered: Group  # customers whose case closed in the period recovered at Desired or higher
    never_failed: Group  # customers served in the period with no Criminal or Basic interaction in the year to its end
    paradox: Difference


def cohort(at: datetime) -> tuple[datetime, datetime]:
    until = at - RETURN_WINDOW
    return until - timedelta(days=COHORT_DAYS), until


def load_statistics():
    """statsmodels' interval for a difference of proportions. Importing statsmodels takes 1-3 s (it
    brings pandas and scipy): web workers do it when they start (gunicorn.conf.py), so a manager's
    first radar does not wait for it; other processes only when they first need it."""
    from statsmodels.stats.proportion import confint_proportions_2indep

    return confint_proportions_2indep


def rate_difference(group: Group, comparison: Group, *, subject: str) -> Difference:
    """The difference of two return rates with its confidence interval, and what it means in words.
    `subject` names the group ("customers who got it")."""
    if not group.customers or not comparison.customers:
        return Difference(None, None, None, False, _("Nobody to compare yet."))
    confint_proportions_2indep = load_statistics()
    low, high = confint_proportions_2indep(
        group.returned, group.customers, comparison.returned, comparison.customers,
        method="newcomb", compare="diff", alpha=1 - CONFIDENCE,
    )
    low, high = float(low), float(high)
    difference = group.rate - comparison.rate
    points = {"subject": subject, "low": abs(low) * 100, "high": abs(high) * 100}
    if low <= 0 <= high:
        words = _(
            "Too few customers to tell: the difference could be chance (%(n)d and %(m)d customers; it could be anything from %(from)+d to %(to)+d points)."
        ) % {"n": group.customers, "m": comparison.customers, "from": round(low * 100), "to": round(high * 100)}
        return Difference(difference, low, high, False, words)
    if low > 0:
        words = _("%(subject)s came back more often: %(low).1f to %(high).1f points more (95%% confidence).") % points
    else:
        words = _("%(subject)s came back less often: %(high).1f to %(low).1f points fewer (95%% confidence).") % points
    return Difference(difference, low, high, True, words)


def delight_returns(*, team: Team, at: datetime | None = None) -> Returns:
    with radar_statements():
        return _delight_returns(team=team, at=at or timezone.now())


def _ints(values) -> list[int]:
    return [int(v or 0) for v in values]


def _param(value: datetime):
    return connection.ops.adapt_datetimefield_value(value)


# One statement per team. Every moment (a customer's first interaction in the cohort, their first
# delivery of each gesture in it, their first case closed recovered in it) is put on the customer's
# timeline among their interactions of [since, until + RETURN_WINDOW); reading the timeline newest
# first, the smallest (time, level) code seen so far is the next interaction after the moment
# (a moment sorts before an interaction at the same instant: only a later one counts). Of the
# interactions at one instant only the lowest id carries a code (the last of its instant read newest
# first), as "first ordered by time and id". Both windows share one sort per customer.
_RETURNS_SQL = """
WITH i AS (
    SELECT customer_id, occurred_at, {t_i} AS t, level, id FROM {interaction}
    WHERE team_id = %s AND occurred_at >= %s AND occurred_at < %s
), firsts AS (
    SELECT customer_id, MIN(occurred_at) AS moment FROM i WHERE occurred_at < %s GROUP BY customer_id
), got AS (
    SELECT gesture_id, customer_id, MIN(delivered_at) AS moment, COUNT(*) AS n FROM {delivery}
    WHERE {gestures} AND delivered_at >= %s AND delivered_at < %s GROUP BY gesture_id, customer_id
), recovered AS (
    SELECT customer_id, MIN(closed_at) AS moment FROM {case}
    WHERE team_id = %s AND closed_at >= %s AND closed_at < %s AND recovered_level >= %s GROUP BY customer_id
), timeline AS (
    SELECT customer_id, t, 0 AS kind, id, CAST(NULL AS BIGINT) AS gesture_id, t * 8 + level AS code FROM i
    UNION ALL SELECT customer_id, {t_moment}, 1, 0, NULL, NULL FROM firsts
    UNION ALL SELECT customer_id, {t_moment}, 2, 0, gesture_id, NULL FROM got
    UNION ALL SELECT customer_id, {t_moment}, 3, 0, NULL, NULL FROM recovered
), marked AS (
    SELECT customer_id, t, kind, id, gesture_id, code,
           LEAD(t) OVER (PARTITION BY customer_id ORDER BY t DESC, kind DESC, id DESC) AS after_t
    FROM timeline
), anchored AS (
    SELECT customer_id, kind, gesture_id, t,
           MIN(CASE WHEN kind = 0 AND (after_t IS NULL OR after_t <> t) THEN code END)
               OVER (PARTITION BY customer_id ORDER BY t DESC, kind DESC, id DESC ROWS UNBOUNDED PRECEDING) AS nxt
    FROM marked
), moments AS (
    SELECT customer_id, kind, gesture_id,
           CASE WHEN nxt / 8 <= t + %s THEN 1 ELSE 0 END AS back,
           CASE WHEN nxt / 8 <= t + %s THEN nxt - (nxt / 8) * 8 END AS next_level
    FROM anchored WHERE kind > 0
), failed AS (
    SELECT DISTINCT customer_id FROM {interaction}
    WHERE team_id = %s AND level <= %s AND occurred_at >= %s AND occurred_at < %s
)
SELECT 'everyone', CAST(NULL AS BIGINT), COUNT(*), SUM(back), SUM(next_level), COUNT(next_level) FROM moments WHERE kind = 1
UNION ALL
SELECT 'never_failed', NULL, COUNT(*), SUM(back), SUM(next_level), COUNT(next_level) FROM moments
WHERE kind = 1 AND customer_id NOT IN (SELECT customer_id FROM failed)
UNION ALL
SELECT 'served', got.gesture_id, COUNT(*), SUM(m.back), SUM(m.next_level), COUNT(m.next_level)
FROM got JOIN moments m ON m.customer_id = got.customer_id AND m.kind = 1 GROUP BY got.gesture_id
UNION ALL
SELECT 'reached', gesture_id, COUNT(*), SUM(back), SUM(next_level), COUNT(next_level) FROM moments WHERE kind = 2 GROUP BY gesture_id
UNION ALL
SELECT 'deliveries', gesture_id, SUM(n), 0, 0, 0 FROM got GROUP BY gesture_id
UNION ALL
SELECT 'recovered', NULL, COUNT(*), SUM(back), SUM(next_level), COUNT(next_level) FROM moments WHERE kind = 3
"""


def _cohort_rows(*, team_id: int, gesture_ids: list[int], since: datetime, until: datetime) -> list[tuple]:
    """(figure, gesture id, customers, returned, next-level sum, next-level count) rows: `everyone`,
    `never_failed`, `recovered` once, and per gesture `served` (its customers anchored at their first
    interaction), `reached` (anchored at its first delivery) and `deliveries` (in the customers column)."""
    window_us = RETURN_WINDOW // timedelta(microseconds=1)
    sql = _RETURNS_SQL.format(
        interaction=Interaction._meta.db_table, delivery=GestureDelivery._meta.db_table, case=RecoveryCase._meta.db_table,
        gestures=f"gesture_id IN ({', '.join('%s' for _ in gesture_ids)})" if gesture_ids else "1 = 0",
        t_i=epoch_micros_sql("occurred_at"), t_moment=epoch_micros_sql("moment"),
    )
    params = [
        team_id, _param(since), _param(until + RETURN_WINDOW), _param(until),
        *gesture_ids, _param(since), _param(until),
        team_id, _param(since), _param(until), Level.DESIRED,
        window_us, window_us,
        team_id, Level.BASIC, _param(until - timedelta(days=365)), _param(until),
    ]
    # Table names come from the models; every value is a parameter.
    with connection.cursor() as cursor:
        cursor.execute(sql, params)  # nosec B608
        return cursor.fetchall()


def _delight_returns(*, team: Team, at: datetime) -> Returns:
    since, until = cohort(at)
    gestures = {g.id: g for g in Gesture.objects.filter(team_id=team.id).order_by("name", "id")}
    everyone = never_failed = recovered = Group(0, 0, 0, 0)
    served, reached, deliveries = {}, {}, {}
    for figure, gesture_id, *values in _cohort_rows(team_id=team.id, gesture_ids=list(gestures), since=since, until=until):
        group = Group(*_ints(values))
        if figure == "everyone":
            everyone = group
        elif figure == "never_failed":
            never_failed = group
        elif figure == "recovered":
            recovered = group
        elif figure == "served":
            served[gesture_id] = group
        elif figure == "reached":
            reached[gesture_id] = group
        else:
            deliveries[gesture_id] = group.customers
    rows = []
    for gesture_id, group in reached.items():
        g = gestures[gesture_id]
        # Taken out of everyone, a gesture's customers leave its comparison group (served in the
        # period, did not get it).
        others = everyone.minus(served.get(gesture_id, Group(0, 0, 0, 0)))
        rows.append(
            GestureReturn(
                gesture_id=gesture_id, name=g.name, deliveries=deliveries.get(gesture_id, 0),
                cost=(g.cost * deliveries.get(gesture_id, 0)).quantize(Decimal("0.01")),
                reached=group, others=others,
                difference=rate_difference(group, others, subject=_("Customers who got %(gesture)s") % {"gesture": g.name}),
            )
        )
    rows.sort(key=lambda r: (-r.reached.customers, r.name))
    paradox = rate_difference(recovered, never_failed, subject=_("Customers recovered at Desired or higher"))
    return Returns(since=since, until=until, gestures=rows, recovered=recovered, never_failed=never_failed, paradox=paradox)
