"""Reads of customers, gestures and interactions, scoped to the viewer; the rubric's facts."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Aggregate, CharField, Count, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from accounts.selectors import scope_to_teams

from . import scoring
from .models import Customer, Gesture, GestureDelivery, GestureDrift, Interaction


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
    """Each gesture's effective base level in force at `at` (drift applied). One query for any number."""
    at = at or timezone.now()
    gestures = list(gestures)
    offsets: dict[int, int] = {}
    if gestures:
        rows = (
            GestureDrift.objects.filter(gesture_id__in=[g.id for g in gestures], effective_from__lte=at)
            .order_by("gesture_id", "-effective_from")
            .values_list("gesture_id", "offset")
        )
        for gesture_id, offset in rows:
            offsets.setdefault(gesture_id, offset)
    return {g.id: scoring.effective_base_level(g.base_level, offsets.get(g.id, 0)) for g in gestures}


@dataclass(frozen=True)
class RubricFacts:
    """Everything the rubric needs about a customer's gestures at one moment."""

    gestures: dict[int, scoring.GestureFacts]  # every gesture of the team, in the team's order (name)
    active_ids: frozenset[int] = frozenset()  # the gestures that can be given now
    later_interactions: bool | None = None  # the customer has interactions after `at` (asked for only)

    def split(self, delivered_ids) -> tuple[list[scoring.GestureFacts], list[scoring.GestureFacts]]:
        delivered_ids = set(delivered_ids)
        delivered = [g for gid, g in self.gestures.items() if gid in delivered_ids]
        others = [g for gid, g in self.gestures.items() if gid not in delivered_ids and g.recurring]
        return delivered, others


# The rubric's facts in one statement. Hand-written because it runs on every log and the ORM's
# compilation of the two correlated subqueries cost more than PostgreSQL's execution of them
# (docs/performance.md); portable SQL, checked on PostgreSQL and SQLite by the same tests.
RUBRIC_FACTS_SQL = """
SELECT g.id, g.base_level, g.recurring, g.active,
       COALESCE((SELECT d."offset" FROM interactions_gesturedrift d
                 WHERE d.gesture_id = g.id AND d.effective_from <= %(at)s
                 ORDER BY d.effective_from DESC LIMIT 1), 0),
       (SELECT COUNT(*) FROM interactions_gesturedelivery x
        WHERE x.gesture_id = g.id AND x.customer_id = %(customer)s
          AND x.delivered_at >= %(window_start)s AND x.delivered_at < %(at)s),
       {later}
FROM interactions_gesture g
WHERE g.team_id = %(team)s
ORDER BY g.name
"""
LATER_SQL = "EXISTS (SELECT 1 FROM interactions_interaction i WHERE i.customer_id = %(customer)s AND i.occurred_at > %(at)s)"


def rubric_facts(*, team, customer_id: int, at: datetime, ask_later: bool = False) -> RubricFacts:
    """The team's gestures as this customer meets them at `at`: effective base level and prior deliveries.

    One query whatever the customer's history: the team's gestures (in name order), each with the
    drift offset in force at `at` and its deliveries to this customer inside the familiarity
    window before `at` (an index look-up each). With `ask_later`, the same query also says whether
    the customer has interactions after `at` (logging a late fact sends them to the re-score job).
    """
    params = {
        "at": connection.ops.adapt_datetimefield_value(at),
        "window_start": connection.ops.adapt_datetimefield_value(at - timedelta(days=team.familiarity_window_days)),
        "customer": customer_id,
        "team": team.id,
    }
    with connection.cursor() as cursor:
        cursor.execute(RUBRIC_FACTS_SQL.format(later=LATER_SQL if ask_later else "NULL"), params)
        rows = cursor.fetchall()
    gestures, active, has_later = {}, set(), None
    for gesture_id, base_level, recurring, is_active, offset, n, later in rows:
        gestures[gesture_id] = scoring.GestureFacts(
            gesture_id=gesture_id,
            base_level=scoring.effective_base_level(base_level, offset),
            recurring=bool(recurring and is_active),
            prior_deliveries=n,
        )
        if is_active:
            active.add(gesture_id)
        has_later = None if later is None else bool(later)
    if ask_later and not rows:  # a team without gestures: the same question on its own
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {LATER_SQL}", params)
            has_later = bool(cursor.fetchone()[0])
    return RubricFacts(gestures=gestures, active_ids=frozenset(active), later_interactions=has_later)


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
