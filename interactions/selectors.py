"""Reads of customers, gestures and interactions, scoped to the viewer; the rubric's facts."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Aggregate, CharField, Count, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from accounts.selectors import scope_to_teams

from . import scoring
from .models import Customer, Gesture, GestureDelivery, GestureDrift, Interaction
from .rescoring import EpochMicros, epoch_micros_sql, raw_rows
from .rubric import Rubric, deliveries_in_window, drift_timelines, micros, offset_in_force


def customer_list(*, user) -> QuerySet:
    """The customers of the viewer's teams, with the team (its familiarity window) loaded."""
    return scope_to_teams(Customer.objects.select_related("team"), user)


def gesture_list(*, user) -> QuerySet:
    return scope_to_teams(Gesture.objects.all(), user)


class _JoinedIds(Aggregate):
    """Ids joined by commas in one text: string_agg on PostgreSQL, group_concat on SQLite."""

    function = "STRING_AGG"
    template = "%(function)s(CAST(%(expressions)s AS TEXT), ',')"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", template="%(function)s(%(expressions)s, ',')", **extra_context)


def interaction_list(*, user) -> QuerySet:
    """The interactions of the viewer's teams, ready to serialize in the page's one query: the
    recovery case's id joined in, the delivered gesture ids as one text per row (a subquery on
    the unique (interaction, gesture) index; read them with gesture_ids_of)."""
    delivered = (
        GestureDelivery.objects.filter(interaction_id=OuterRef("id"))
        .order_by()
        .values("interaction_id")
        .annotate(ids=_JoinedIds("gesture_id"))
        .values("ids")
    )
    return scope_to_teams(Interaction.objects.all(), user).annotate(
        recovery_case_id=F("recovery_case__id"), delivered_gesture_list=Subquery(delivered)
    )


def gesture_ids_of(interaction: Interaction) -> list[int]:
    """The ids of the gestures delivered in an interaction, ascending: as interaction_log set them,
    as interaction_list joined them, or else read (one query)."""
    ids = getattr(interaction, "delivered_gesture_ids", None)  # set by interaction_log
    if ids is None:
        if hasattr(interaction, "delivered_gesture_list"):
            text = interaction.delivered_gesture_list
            ids = [int(i) for i in text.split(",")] if text else []
        else:
            ids = interaction.deliveries.values_list("gesture_id", flat=True)
    return sorted(ids)


def effective_base_levels(*, gestures, at: datetime | None = None) -> dict[int, int]:
    """Each gesture's effective base level in force at `at` (drift applied, as the rubric reads it).
    One query for any number."""
    at = at or timezone.now()
    gestures = list(gestures)
    rows = []
    if gestures:
        rows = raw_rows(
            GestureDrift.objects.filter(gesture_id__in=[g.id for g in gestures])
            .annotate(at_us=EpochMicros("effective_from"))
            .values_list("gesture_id", "at_us", "offset")
        )
    timelines, moment = drift_timelines(rows), micros(at)
    return {
        g.id: scoring.effective_base_level(g.base_level, offset_in_force(timelines.get(g.id), moment)) for g in gestures
    }


class RubricFacts:
    """The rubric for one team at one moment, with one customer's deliveries inside the window before it."""

    def __init__(self, *, rubric: Rubric, team_id: int, customer_id: int, at: datetime, times: dict, later_interactions):
        self.rubric, self.team_id, self.customer_id = rubric, team_id, customer_id
        self.at = micros(at)
        self.times = times  # gesture id -> this customer's delivery times inside the window, sorted (µs)
        self.later_interactions = later_interactions  # the customer has interactions after `at` (asked for only)
        rules = rubric.rules[team_id].gestures
        self.active_ids = frozenset(gid for gid, rule in rules.items() if rule.active)

    @property
    def gestures(self) -> dict[int, scoring.GestureFacts]:
        """Every gesture of the team as this customer meets it at `at`, in the team's order."""
        team = self.rubric.rules[self.team_id]
        return {
            rule.gesture_id: self.rubric.facts(
                rule, self.at, deliveries_in_window(self.times.get(rule.gesture_id), self.at, team.window_us)
            )
            for rule in sorted(team.gestures.values(), key=lambda r: r.order)
        }

    def assess(self, *, channel: str, promise_kept: bool, issues, matched_preference: bool, gestures) -> scoring.Assessment:
        given = sorted(set(gestures))
        return self.rubric.assess(self.team_id, self.at, channel, promise_kept, list(issues), matched_preference, given, self.times)[0]


# The rubric's rows for one customer at one moment, in one statement: the team's gestures, their
# drift timelines, and the customer's deliveries inside the window before `at` (and, when asked,
# whether the customer has later interactions). SQL only fetches; interactions.rubric decides, as
# it does for the re-score job. Portable SQL, run on PostgreSQL and SQLite by the same tests.
RUBRIC_ROWS_SQL = """
SELECT 'g', g.id, g.base_level, (CASE WHEN g.recurring THEN 1 ELSE 0 END) + (CASE WHEN g.active THEN 2 ELSE 0 END),
       g.name, CAST(g.channels AS TEXT)
FROM interactions_gesture g WHERE g.team_id = %(team)s
UNION ALL
SELECT 'd', d.gesture_id, d."offset", {drift_from}, NULL, NULL
FROM interactions_gesturedrift d JOIN interactions_gesture dg ON dg.id = d.gesture_id WHERE dg.team_id = %(team)s
UNION ALL
SELECT 'x', x.gesture_id, {delivered_at}, 0, NULL, NULL
FROM interactions_gesturedelivery x
WHERE x.customer_id = %(customer)s AND x.delivered_at >= %(window_start)s AND x.delivered_at < %(at)s
{later}
"""
LATER_SQL = """UNION ALL
SELECT 'l', 0, CASE WHEN EXISTS (SELECT 1 FROM interactions_interaction i
                                 WHERE i.customer_id = %(customer)s AND i.occurred_at > %(at)s) THEN 1 ELSE 0 END, 0, NULL, NULL"""


def rubric_facts(*, team, customer_id: int, at: datetime, ask_later: bool = False) -> RubricFacts:
    """The rubric as this customer meets it at `at`: the team's gestures with the drift in force and
    the customer's deliveries inside the familiarity window before `at`. One statement whatever the
    customer's history. With `ask_later`, it also says whether the customer has interactions after
    `at` (logging a late fact sends them to the re-score)."""
    params = {
        "at": connection.ops.adapt_datetimefield_value(at),
        "window_start": connection.ops.adapt_datetimefield_value(at - timedelta(days=team.familiarity_window_days)),
        "customer": customer_id,
        "team": team.id,
    }
    sql = RUBRIC_ROWS_SQL.format(
        drift_from=epoch_micros_sql("d.effective_from"),
        delivered_at=epoch_micros_sql("x.delivered_at"),
        later=LATER_SQL if ask_later else "",
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    gestures, drifts, times, later = [], [], {}, None
    for kind, a, b, c, name, channels in rows:
        if kind == "g":
            gestures.append((a, team.id, name, b, bool(c & 1), bool(c & 2), channels))
        elif kind == "d":
            drifts.append((a, c, b))
        elif kind == "x":
            times.setdefault(a, []).append(b)
        else:
            later = bool(b)
    for values in times.values():
        values.sort()
    rubric = Rubric(windows={team.id: team.familiarity_window_days}, gestures=gestures, drifts=drifts)
    return RubricFacts(rubric=rubric, team_id=team.id, customer_id=customer_id, at=at, times=times, later_interactions=later)


@dataclass(frozen=True)
class GestureStanding:
    """One line of a customer's expectation profile."""

    gesture: Gesture
    effective_base_level: int
    deliveries_in_window: int
    standing: int | None  # None: never received in the window, lands at its full (effective) level
    next_level: int  # what the next delivery would be perceived at
    omission_cap: int | None  # the cap omitting it would put on the level (recurring only)


def expectation_profiles(*, customers, at: datetime | None = None) -> dict[int, list[GestureStanding]]:
    """Every active gesture's standing for each of these customers now (see expectation_profile).

    Three queries for any number of customers (their teams must be loaded): the teams' active
    gestures, the drift offsets in force, and one delivery aggregate over all the customers, each
    customer's deliveries counted inside their own team's familiarity window.
    """
    at = at or timezone.now()
    customers = list(customers)
    if not customers:
        return {}
    teams = {c.team_id: c.team for c in customers}
    gestures_by_team: dict[int, list[Gesture]] = {team_id: [] for team_id in teams}
    for g in Gesture.objects.filter(team_id__in=teams, active=True).order_by("name", "id"):
        gestures_by_team[g.team_id].append(g)
    effective = effective_base_levels(gestures=[g for gs in gestures_by_team.values() for g in gs], at=at)

    in_window = Q()
    for team_id, team in teams.items():
        in_window |= Q(
            customer_id__in=[c.id for c in customers if c.team_id == team_id],
            delivered_at__gte=at - timedelta(days=team.familiarity_window_days),
        )
    counts: dict[tuple[int, int], int] = {
        (customer_id, gesture_id): n
        for customer_id, gesture_id, n in GestureDelivery.objects.filter(in_window, delivered_at__lt=at)
        .values("customer_id", "gesture_id")
        .annotate(n=Count("id"))
        .values_list("customer_id", "gesture_id", "n")
    }

    profiles = {}
    for customer in customers:
        profile = []
        for g in gestures_by_team[customer.team_id]:
            base = effective[g.id]
            n = counts.get((customer.id, g.id), 0)
            profile.append(
                GestureStanding(
                    gesture=g,
                    effective_base_level=base,
                    deliveries_in_window=n,
                    standing=scoring.standing(base, n),
                    next_level=scoring.next_delivery_level(base, n),
                    omission_cap=scoring.omission_cap(base, n) if g.recurring else None,
                )
            )
        profiles[customer.id] = profile
    return profiles


def expectation_profile(*, customer: Customer, at: datetime | None = None) -> list[GestureStanding]:
    """Every active gesture's standing for this customer now: moves as deliveries leave the window and
    as gestures drift, without anyone logging anything."""
    return expectation_profiles(customers=[customer], at=at)[customer.id]
