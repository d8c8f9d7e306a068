"""The per-person view, for coaching and recognition: each person's level mix, recoveries and the
customers' ratings of their interactions over the last 90 days. Three aggregates per team."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Avg, Count, Q
from django.utils import timezone

from accounts.models import Team, User
from interactions.levels import Level
from interactions.models import Interaction
from recovery.models import CaseEvent

PEOPLE_DAYS = 90


@dataclass
class PersonFigures:
    user_id: int
    name: str
    levels: list[int] = field(default_factory=lambda: [0] * 6)  # interactions logged, per level 1..6
    fixed: int = 0  # cases they fixed
    surprised: int = 0  # cases they surprised
    rated: int = 0  # their interactions the customer rated
    mean_rating: float | None = None

    @property
    def logged(self) -> int:
        return sum(self.levels)

    @property
    def desired_or_higher(self) -> float | None:
        return sum(self.levels[Level.DESIRED - 1:]) / self.logged if self.logged else None


def people_figures(*, team: Team, users, at: datetime | None = None) -> list[PersonFigures]:
    """These users' figures in `team` over the last PEOPLE_DAYS."""
    at = at or timezone.now()
    since = at - timedelta(days=PEOPLE_DAYS)
    people = {u.pk: PersonFigures(u.pk, u.get_full_name() or u.get_username()) for u in users}
    ids = list(people)
    rows = (
        Interaction.objects.filter(team_id=team.id, occurred_at__gte=since, occurred_at__lte=at, logged_by_id__in=ids)
        .values("logged_by_id")
        .annotate(
            **{f"l{v}": Count("id", filter=Q(level=v)) for v in Level.values},
            rated=Count("id", filter=Q(customer_level__isnull=False)),
            mean_rating=Avg("customer_level"),
        )
        .order_by()
    )
    for row in rows:
        person = people[row["logged_by_id"]]
        person.levels = [row[f"l{v}"] for v in Level.values]
        person.rated, person.mean_rating = row["rated"], row["mean_rating"]
    for row in (
        CaseEvent.objects.filter(case__team_id=team.id, at__gte=since, at__lte=at, actor_id__in=ids, kind__in=[CaseEvent.Kind.FIXED, CaseEvent.Kind.SURPRISED])
        .values("actor_id")
        .annotate(fixed=Count("id", filter=Q(kind=CaseEvent.Kind.FIXED)), surprised=Count("id", filter=Q(kind=CaseEvent.Kind.SURPRISED)))
        .order_by()
    ):
        people[row["actor_id"]].fixed, people[row["actor_id"]].surprised = row["fixed"], row["surprised"]
    return sorted(people.values(), key=lambda p: (-p.logged, p.name))


def people_visible(*, viewer: User, team: Team):
    """A manager of the team sees its people; everyone else only themselves."""
    from accounts.selectors import user_manages

    if user_manages(viewer, team.id):
        return User.objects.filter(teams=team, is_active=True).order_by("username")
    return User.objects.filter(pk=viewer.pk)
