"""Occasions coming up: customers' special dates and occasions noted on interactions in the next
14 days, each with a gesture this customer has never had (one that fits the occasion first), and
the reminder to the personal contact three days before."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Case, Q, Value, When
from django.utils import timezone

from interactions.models import Gesture, GestureDelivery, Occasion
from interactions.occasions import OCCASION_DAYS, days_ahead, falls_on, fits_occasion, next_date

LISTED = 50


@dataclass(frozen=True)
class UpcomingOccasion:
    occasion_id: int
    customer_id: int
    customer_name: str
    team_id: int
    kind: str
    name: str  # the label, or the kind in the reader's language
    on: date
    days_away: int
    personal_contact_id: int | None
    gesture_id: int | None  # a gesture this customer has never had (fitting the occasion first)
    gesture_name: str
    gesture_fits: bool


def _within(days: list[date]) -> Q:
    q = Q()
    for day in days:
        q |= falls_on(day)
    return q


def occasions_upcoming(*, team_ids, at: datetime | None = None, days: int = OCCASION_DAYS, limit: int = LISTED, tz=None) -> list[UpcomingOccasion]:
    """The occasions of these teams' customers (team_ids None: every team's) in [today, today + days], soonest first. Three queries:
    the occasions (on the (team, month, day) index), the teams' active gestures, and which of them
    the listed customers ever had."""
    at = at or timezone.now()
    today = timezone.localtime(at, tz).date() if tz else timezone.localdate(at)
    ahead = days_ahead(today, days)
    soonest = Case(*[When(month=d.month, day=d.day, then=Value(i)) for i, d in enumerate(ahead)], default=Value(len(ahead)))
    rows = list(
        Occasion.objects.filter(_within(ahead), *([] if team_ids is None else [Q(team_id__in=list(team_ids))]))
        .select_related("customer")
        .order_by(soonest, "customer__name", "id")[:limit]
    )
    dated = []
    for occasion in rows:
        on = next_date(month=occasion.month, day=occasion.day, year=occasion.year, today=today, days=days)
        if on is not None:
            dated.append((on, occasion))
    dated.sort(key=lambda pair: (pair[0], pair[1].customer.name, pair[1].id))
    if not dated:
        return []
    customer_ids = {o.customer_id for _, o in dated}
    gestures: dict[int, list[Gesture]] = {}
    for g in Gesture.objects.filter(team_id__in={o.team_id for _, o in dated}, active=True).order_by("-base_level", "name", "id"):
        gestures.setdefault(g.team_id, []).append(g)
    had: set[tuple[int, int]] = set(
        GestureDelivery.objects.filter(customer_id__in=customer_ids).values_list("customer_id", "gesture_id").distinct()
    )
    found = []
    for on, o in dated:
        never = [g for g in gestures.get(o.team_id, []) if (o.customer_id, g.id) not in had]
        fitting = [g for g in never if fits_occasion(f"{g.name} {g.description}", o.kind, o.label)]
        choice = (fitting or never or [None])[0]
        found.append(
            UpcomingOccasion(
                occasion_id=o.id, customer_id=o.customer_id, customer_name=o.customer.name, team_id=o.team_id, kind=o.kind,
                name=o.label or str(o.get_kind_display()), on=on, days_away=(on - today).days,
                personal_contact_id=o.customer.personal_contact_id,
                gesture_id=choice.id if choice else None, gesture_name=choice.name if choice else "",
                gesture_fits=bool(fitting),
            )
        )
    return found
