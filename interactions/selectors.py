"""Reads of customers, gestures and interactions, scoped to the viewer; the rubric's facts."""

from dataclasses import dataclass
from datetime import datetime, timedelta

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


def drift_offsets_at(*, team_id: int, at: datetime) -> dict[int, int]:
    """Each drifted gesture's offset in force at `at` (gestures not listed have offset 0). One query."""
    offsets: dict[int, int] = {}
    rows = (
        GestureDrift.objects.filter(gesture__team_id=team_id, effective_from__lte=at)
        .order_by("gesture_id", "-effective_from")
        .values_list("gesture_id", "offset")
    )
    for gesture_id, offset in rows:
        offsets.setdefault(gesture_id, offset)
    return offsets


def prior_delivery_counts(*, customer_id: int, before: datetime, window_days: int) -> dict[int, int]:
    """Deliveries of each gesture to this customer inside the window before `before`. One aggregate."""
    rows = (
        GestureDelivery.objects.filter(
            customer_id=customer_id, delivered_at__gte=before - timedelta(days=window_days), delivered_at__lt=before
        )
        .values("gesture_id")
        .annotate(n=Count("id"))
        .values_list("gesture_id", "n")
    )
    return dict(rows)


@dataclass(frozen=True)
class RubricFacts:
    """Everything the rubric needs about a customer's gestures at one moment."""

    gestures: dict[int, scoring.GestureFacts]

    def split(self, delivered_ids) -> tuple[list[scoring.GestureFacts], list[scoring.GestureFacts]]:
        delivered_ids = set(delivered_ids)
        delivered = [g for gid, g in self.gestures.items() if gid in delivered_ids]
        others = [g for gid, g in self.gestures.items() if gid not in delivered_ids and g.recurring]
        return delivered, others


def rubric_facts(*, team, customer_id: int, at: datetime, gestures: list[Gesture] | None = None) -> RubricFacts:
    """The team's gestures as this customer meets them at `at`: effective base level and prior deliveries.

    Three queries whatever the customer's history: gestures, drift offsets, one delivery aggregate.
    """
    if gestures is None:
        gestures = list(Gesture.objects.filter(team_id=team.id))
    offsets = drift_offsets_at(team_id=team.id, at=at)
    counts = prior_delivery_counts(customer_id=customer_id, before=at, window_days=team.familiarity_window_days)
    return RubricFacts(
        gestures={
            g.id: scoring.GestureFacts(
                gesture_id=g.id,
                base_level=scoring.effective_base_level(g.base_level, offsets.get(g.id, 0)),
                recurring=g.recurring and g.active,
                prior_deliveries=counts.get(g.id, 0),
            )
            for g in gestures
        }
    )


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
