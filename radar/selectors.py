"""Reads of the radar, scoped to the viewer: managers see their teams' radar, everyone their team's ideas."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Team
from accounts.selectors import scope_to_teams, team_ids_of, team_list, user_manages
from interactions import scoring

from .drift_watch import GestureWatch, drift_watch
from .models import Idea
from .occasions import UpcomingOccasion, occasions_upcoming
from .returns import Returns, delight_returns
from .surprise import NothingLeftFigures, nothing_left
from .tuning import radar_statements

logger = logging.getLogger(__name__)

IDEA_DAYS = 90  # the radar counts the ideas of the last 90 days


@dataclass(frozen=True)
class IdeaCounts:
    proposed: int  # in the period
    accepted: int
    declined: int
    waiting: int  # still undecided, whenever proposed


@dataclass(frozen=True)
class Radar:
    team: Team
    at: datetime
    drift: list[GestureWatch]
    nothing_left: NothingLeftFigures
    occasions: list[UpcomingOccasion]
    ideas: IdeaCounts
    returns: Returns | None

    @property
    def close_to_drifting(self) -> list[GestureWatch]:
        return [w for w in self.drift if w.close]

    @property
    def drift_period_days(self) -> int:
        return scoring.DRIFT_PERIOD.days


def radar_team(*, user, team_id) -> Team:
    """The team whose radar this viewer asks for: 403 not a manager, 400 no id, 404 not theirs."""
    if not (user and user.is_authenticated and user.is_manager):
        raise PermissionDenied(_("Only managers and admins can see the radar."))
    try:
        team_id = int(team_id)
    except (TypeError, ValueError):
        raise ValidationError({"team": [_("Give the team's id.")]}) from None
    if not 0 < team_id < 2**31 or not user_manages(user, team_id):
        raise Http404(_("No such team."))
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        raise Http404(_("No such team."))
    return team


def radar_teams(*, user) -> QuerySet:
    if not (user and user.is_authenticated and user.is_manager):
        return Team.objects.none()
    return team_list(user=user).order_by("name")


def idea_counts(*, team_id: int, since: datetime, until: datetime) -> IdeaCounts:
    row = Idea.objects.filter(team_id=team_id).aggregate(
        proposed=Count("id", filter=Q(proposed_at__gte=since, proposed_at__lt=until)),
        accepted=Count("id", filter=Q(decided_at__gte=since, decided_at__lt=until, status=Idea.Status.ACCEPTED)),
        declined=Count("id", filter=Q(decided_at__gte=since, decided_at__lt=until, status=Idea.Status.DECLINED)),
        waiting=Count("id", filter=Q(status=Idea.Status.PROPOSED)),
    )
    return IdeaCounts(**row)


def radar_for(*, team: Team, at: datetime | None = None, returns: bool = True) -> Radar:
    """Every radar figure of one team, each an aggregate bounded to its period."""
    at = at or timezone.now()
    with radar_statements():  # one transaction, the radar's settings set once (radar/tuning.py)
        return Radar(
            team=team,
            at=at,
            drift=drift_watch(team=team, at=at),
            nothing_left=nothing_left(team=team, at=at),
            occasions=occasions_upcoming(team_ids=[team.id], at=at, tz=team.tz),
            ideas=idea_counts(team_id=team.id, since=at - timedelta(days=IDEA_DAYS), until=at),
            returns=returns_cached(team=team, at=at) if returns else None,
        )


RETURNS_CACHE_SECONDS = 3600


def returns_cache_key(*, team_id: int, at: datetime, language: str) -> str:
    """One entry per team, UTC hour and language: the returns describe a cohort that ended 90 days
    ago, so an hour-old answer is as good as a fresh one."""
    return f"radar:returns:{team_id}:{at.astimezone(dt_timezone.utc):%Y-%m-%dT%H}:{language}"


def returns_cached(*, team: Team, at: datetime) -> Returns:
    """What delight returns, kept an hour per team and language: it describes a cohort that ended
    90 days ago, which only late facts move, and it is the radar's one costly figure
    (docs/performance.md). `returns_prepare` fills the hour's entries ahead of the first viewer.
    Without a cache (Redis down) it is computed for each request."""
    key = returns_cache_key(team_id=team.id, at=at, language=translation.get_language() or "")
    try:
        found = cache.get(key)
    except Exception as exc:  # noqa: BLE001  (cache down: compute without it)
        logger.warning("radar cache unavailable: %s", exc)
        return delight_returns(team=team, at=at)
    if found is None:
        found = delight_returns(team=team, at=at)
        try:
            cache.set(key, found, RETURNS_CACHE_SECONDS)
        except Exception as exc:  # noqa: BLE001
            logger.warning("radar cache unavailable: %s", exc)
    return found


def returns_prepare(*, at: datetime | None = None) -> int:
    """Work out every team's returns for this hour in every language of the site and keep them, so
    no manager waits for the radar's one costly figure (the hourly job runs this just after the
    hour turns). Returns how many entries were stored."""
    at = at or timezone.now()
    stored = 0
    for team in Team.objects.order_by("id"):
        for language, _name in settings.LANGUAGES:
            with translation.override(language), radar_statements():
                found = delight_returns(team=team, at=at)
            cache.set(returns_cache_key(team_id=team.id, at=at, language=language), found, RETURNS_CACHE_SECONDS)
            stored += 1
    return stored


def idea_list(*, user) -> QuerySet:
    return scope_to_teams(Idea.objects.select_related("rule", "proposed_by", "decided_by", "gesture"), user)


def dashboard_occasions(*, user, at: datetime | None = None, limit: int = 10) -> list[UpcomingOccasion]:
    """The dashboard's occasions: the viewer's teams' customers in the next 14 days."""
    return occasions_upcoming(team_ids=team_ids_of(user), at=at, limit=limit, tz=timezone.get_current_timezone())


SUMMARY_TEAMS = 3  # the dashboard's compact radar shows this many teams; the radar page has them all


@dataclass(frozen=True)
class RadarSummary:
    team: Team
    close: list[GestureWatch]
    drifted: int
    nothing_left: int
    ideas_waiting: int


def radar_summaries(*, user, at: datetime | None = None) -> list[RadarSummary]:
    """The dashboard's compact radar: per managed team, the gestures close to drifting, how many
    customers have nothing left to surprise them and the ideas waiting."""
    at = at or timezone.now()
    found = []
    for team in radar_teams(user=user)[:SUMMARY_TEAMS]:
        watches = drift_watch(team=team, at=at)
        found.append(
            RadarSummary(
                team=team,
                close=[w for w in watches if w.close],
                drifted=sum(1 for w in watches if w.drifted_on),
                nothing_left=nothing_left(team=team, at=at, limit=1).count,
                ideas_waiting=Idea.objects.filter(team_id=team.id, status=Idea.Status.PROPOSED).count(),
            )
        )
    return found
