"""Reads of customers, gestures and interactions, scoped to the viewer; the rubric's facts."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, QuerySet
from django.utils import timezone

from accounts.selectors import scope_to_teams

from . import scoring
from .models import Customer, Gesture, GestureDelivery, GestureDrift, Interaction


def customer_list(*, user) -> QuerySet:
    return scope_to_teams(Customer.objects.all(), user)


def gesture_list(*, user) -> QuerySet:
    return scope_to_teams(Gesture.objects.all(), user)


def interaction_list(*, user) -> QuerySet:
    return scope_to_teams(Interaction.objects.all(), user).prefetch_related("deliveries")


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


def expectation_profile(*, customer: Customer, at: datetime | None = None) -> list[GestureStanding]:
    """Every active gesture's standing for this customer now: moves as deliveries leave the window and
    as gestures drift, without anyone logging anything."""
    at = at or timezone.now()
    team = customer.team
    gestures = list(Gesture.objects.filter(team_id=team.id, active=True).order_by("name"))
    facts = rubric_facts(team=team, customer_id=customer.id, at=at, gestures=gestures)
    profile = []
    for g in gestures:
        f = facts.gestures[g.id]
        profile.append(
            GestureStanding(
                gesture=g,
                effective_base_level=f.base_level,
                deliveries_in_window=f.prior_deliveries,
                standing=scoring.standing(f.base_level, f.prior_deliveries),
                next_level=scoring.next_delivery_level(f.base_level, f.prior_deliveries),
                omission_cap=scoring.omission_cap(f.base_level, f.prior_deliveries) if g.recurring else None,
            )
        )
    return profile
