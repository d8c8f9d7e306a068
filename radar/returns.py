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

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import Count, DateTimeField, Exists, ExpressionWrapper, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Team
from interactions.levels import Level
from interactions.models import Gesture, GestureDelivery, Interaction
from recovery.models import RecoveryCase

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


def rate_difference(group: Group, comparison: Group, *, subject: str) -> Difference:
    """The difference of two return rates with its confidence interval, and what it means in words.
    `subject` names the group ("customers who got it")."""
    if not group.customers or not comparison.customers:
        return Difference(None, None, None, False, _("Nobody to compare yet."))
    from statsmodels.stats.proportion import confint_proportions_2indep  # heavy: imported when needed

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


def _returned(moment: str):
    """Another interaction of the same customer within RETURN_WINDOW after OuterRef(moment)."""
    later = Interaction.objects.filter(
        customer_id=OuterRef("customer_id"),
        occurred_at__gt=OuterRef(moment),
        occurred_at__lte=ExpressionWrapper(OuterRef(moment) + RETURN_WINDOW, output_field=DateTimeField()),
    )
    return Exists(later), Subquery(later.order_by("occurred_at", "id").values("level")[:1])


def _tally(queryset, *, groups: dict[str, tuple[str, str, str | None]], by: str | None = None) -> dict:
    """Count the customers, those who came back and their next levels over `queryset`'s rows (one
    per customer, or per `by` and customer). `groups`: name -> (came-back column, next-level column,
    the column that must not be empty for a row to count, or None). The rows are the ORM's query;
    this only wraps it in the outer aggregate, which Django cannot write over subquery annotations.
    The third element of a group is a boolean column that must be true for a row to count, or None."""
    columns = {"customer_id"} | ({by} if by else set())
    for back, level, only in groups.values():
        columns |= {back, level} | ({only} if only else set())
    try:
        sql, params = queryset.values(*sorted(columns)).query.sql_with_params()
    except EmptyResultSet:  # a team without gestures: nothing to count
        return {} if by else {None: {name: Group(0, 0, 0, 0) for name in groups}}
    return _tally_sql(sql, params, groups=groups, by=by)


def _ints(values) -> list[int]:
    return [int(v or 0) for v in values]


def _aggregates_sql(groups: dict[str, tuple[str, str, str | None]]) -> list[str]:
    """Per group: customers, customers who came back, sum and count of next levels (4 columns)."""
    selects = []
    for back, level, only in groups.values():
        counted = only if only else "1 = 1"
        selects += [
            f"COUNT(DISTINCT CASE WHEN {counted} THEN customer_id END)",
            f"COUNT(DISTINCT CASE WHEN {counted} AND {back} THEN customer_id END)",
            f"SUM(CASE WHEN {counted} THEN {level} END)",
            f"COUNT(CASE WHEN {counted} THEN {level} END)",
        ]
    return selects


def _tally_sql(sql: str, params, *, groups: dict[str, tuple[str, str, str | None]], by: str | None = None) -> dict:
    """_tally over rows given as SQL (columns customer_id, `by` and the groups' columns)."""
    selects = _aggregates_sql(groups)
    # Column names are ours and the rows are the ORM's compiled query; every value is a parameter.
    outer = f"SELECT {by + ', ' if by else ''}{', '.join(selects)} FROM ({sql}) rows"  # nosec B608
    if by:
        outer += f" GROUP BY {by}"
    with connection.cursor() as cursor:
        cursor.execute(outer, params)
        found = cursor.fetchall()
    out = {}
    for row in found:
        key, values = (row[0], row[1:]) if by else (None, row)
        out[key] = {
            name: Group(*(int(v or 0) for v in values[i * 4:(i + 1) * 4])) for i, name in enumerate(groups)
        }
    return out


def _first_interactions(team_id: int, since: datetime, until: datetime):
    """Each customer's first interaction of the team in [since, until) (ties broken by id)."""
    # The team and both bounds named: the planner reads only the period's rows of the team.
    earlier = Interaction.objects.filter(
        team_id=team_id, customer_id=OuterRef("customer_id"), occurred_at__gte=since, occurred_at__lt=until
    ).filter(
        Q(occurred_at__lt=OuterRef("occurred_at")) | Q(occurred_at=OuterRef("occurred_at"), id__lt=OuterRef("id"))
    )
    back, next_level = _returned("occurred_at")
    return (
        Interaction.objects.filter(team_id=team_id, occurred_at__gte=since, occurred_at__lt=until)
        .exclude(Exists(earlier))
        .annotate(back=back, next_level=next_level)
    )


@contextmanager
def _without_jit():
    """PostgreSQL compiles a query whose estimated cost is high (these correlated aggregates) to
    machine code first; measured on the 1M benchmark set that took 2-6 s for a query that runs in
    0.5 s (docs/performance.md). Off for these statements only, in their transaction."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        yield


def delight_returns(*, team: Team, at: datetime | None = None) -> Returns:
    with _without_jit():
        return _delight_returns(team=team, at=at or timezone.now())


def _delight_returns(*, team: Team, at: datetime) -> Returns:
    since, until = cohort(at)
    gestures = {g.id: g for g in Gesture.objects.filter(team_id=team.id).order_by("name", "id")}
    ids = list(gestures)

    # Everyone served in the period, anchored at their first interaction in it.
    firsts = _first_interactions(team.id, since, until)
    # Who never had a failure: no Criminal or Basic interaction in the year up to the period's end.
    failed = Interaction.objects.filter(
        team_id=team.id, customer_id=OuterRef("customer_id"), level__lte=Level.BASIC,
        occurred_at__gte=until - timedelta(days=365), occurred_at__lt=until,
    )
    in_period = dict(delivered_at__gte=since, delivered_at__lt=until)
    # Everyone served (and those who never failed), and per gesture the same figures of its
    # customers, all anchored at each customer's first interaction in the period: one statement,
    # the customers' first interactions computed once (a CTE read twice). Taken out of everyone, a
    # gesture's customers leave its comparison group (served in the period, did not get it).
    firsts_sql, firsts_params = (
        firsts.annotate(unfailed=~Exists(failed)).values("customer_id", "back", "next_level", "unfailed").query.sql_with_params()
    )
    served = {}
    if ids:
        pairs_sql, pairs_params = (
            GestureDelivery.objects.filter(gesture_id__in=ids, **in_period).values("gesture_id", "customer_id").distinct().order_by()
        ).query.sql_with_params()
        both = _aggregates_sql({"all": ("back", "next_level", None), "never_failed": ("back", "next_level", "unfailed")})
        per_gesture = _aggregates_sql({"served": ("back", "next_level", None)}) + ["0", "0", "0", "0"]
        # The ORM's compiled queries and our column names; every value is a parameter.
        sql = (  # nosec B608
            f"WITH f AS ({firsts_sql}), p AS ({pairs_sql}) "  # nosec B608
            f"SELECT NULL AS gesture_id, {', '.join(both)} FROM f "
            f"UNION ALL SELECT gesture_id, {', '.join(per_gesture)} FROM ("
            f"SELECT p.gesture_id, f.customer_id, f.back, f.next_level FROM p JOIN f ON f.customer_id = p.customer_id"
            f") j GROUP BY gesture_id"  # nosec B608
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, (*firsts_params, *pairs_params))
            rows = cursor.fetchall()
        for gesture_id, *values in rows:
            if gesture_id is None:
                everyone, never_failed = Group(*_ints(values[:4])), Group(*_ints(values[4:]))
            else:
                served[gesture_id] = Group(*_ints(values[:4]))
    else:
        totals = _tally(
            firsts.annotate(unfailed=~Exists(failed)),
            groups={"all": ("back", "next_level", None), "never_failed": ("back", "next_level", "unfailed")},
        )[None]
        everyone, never_failed = totals["all"], totals["never_failed"]

    # Each gesture's customers anchored at their first delivery of it in the period.
    earlier_delivery = GestureDelivery.objects.filter(
        customer_id=OuterRef("customer_id"), gesture_id=OuterRef("gesture_id"), delivered_at__gte=since, delivered_at__lt=until,
    ).filter(Q(delivered_at__lt=OuterRef("delivered_at")) | Q(delivered_at=OuterRef("delivered_at"), id__lt=OuterRef("id")))
    back, next_level = _returned("delivered_at")
    reached_rows = (
        GestureDelivery.objects.filter(gesture_id__in=ids, **in_period)
        .exclude(Exists(earlier_delivery))
        .annotate(back=back, next_level=next_level)
        .order_by()
    )
    reached = _tally(reached_rows, by="gesture_id", groups={"reached": ("back", "next_level", None)})
    deliveries = dict(
        GestureDelivery.objects.filter(gesture_id__in=ids, **in_period).values("gesture_id").annotate(n=Count("id")).values_list("gesture_id", "n").order_by()
    )
    rows = []
    for gesture_id, row in reached.items():
        g = gestures[gesture_id]
        group = row["reached"]
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

    # The recovery paradox: recovered at Desired or higher, against customers who never had a failure.
    recovered_cases = RecoveryCase.objects.filter(
        team_id=team.id, closed_at__gte=since, closed_at__lt=until, recovered_level__gte=Level.DESIRED,
    )
    earlier_case = RecoveryCase.objects.filter(
        customer_id=OuterRef("customer_id"), recovered_level__gte=Level.DESIRED, closed_at__gte=since,
    ).filter(Q(closed_at__lt=OuterRef("closed_at")) | Q(closed_at=OuterRef("closed_at"), id__lt=OuterRef("id")))
    back, next_level = _returned("closed_at")
    recovered = _tally(
        recovered_cases.exclude(Exists(earlier_case)).annotate(back=back, next_level=next_level), groups={"all": ("back", "next_level", None)}
    )[None]["all"]
    paradox = rate_difference(recovered, never_failed, subject=_("Customers recovered at Desired or higher"))
    return Returns(since=since, until=until, gestures=rows, recovered=recovered, never_failed=never_failed, paradox=paradox)
