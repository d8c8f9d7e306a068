"""A re-score run's plan: which customers and interactions it covers, fixed when the run starts and
kept in its checkpoint (as JSON) so a resumed run covers exactly the same."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import F, Q
from django.utils.dateparse import parse_datetime

from accounts.models import Team
from interactions.models import Customer, Gesture, GestureDrift, JobRun

RESCORE = "rescore"  # JobRun.kind of a re-score run
# Corrections committed while the previous run was planning are seen again, never missed.
WATERMARK_MARGIN = timedelta(minutes=2)


@dataclass(frozen=True)
class Plan:
    full: bool
    planned_at: datetime
    dirty_teams: tuple[int, ...]  # every interaction of these teams
    drift_from: dict[int, datetime]  # team -> re-score interactions from this time on
    watermark: datetime | None

    def as_json(self) -> dict:
        return {
            "full": self.full,
            "planned_at": self.planned_at.isoformat(),
            "dirty_teams": list(self.dirty_teams),
            "drift_from": {str(k): v.isoformat() for k, v in self.drift_from.items()},
            "watermark": self.watermark.isoformat() if self.watermark else None,
        }

    @classmethod
    def from_json(cls, data: dict) -> "Plan":
        return cls(
            full=data["full"],
            planned_at=parse_datetime(data["planned_at"]),
            dirty_teams=tuple(data["dirty_teams"]),
            drift_from={int(k): parse_datetime(v) for k, v in data["drift_from"].items()},
            watermark=parse_datetime(data["watermark"]) if data["watermark"] else None,
        )


def plan_make(*, full: bool, now: datetime) -> Plan:
    last = (
        JobRun.objects.filter(kind=RESCORE, status=JobRun.Status.SUCCEEDED, checkpoint__has_key="planned_at")
        .order_by("-started_at")
        .first()
    )
    watermark = parse_datetime(last.checkpoint["planned_at"]) - WATERMARK_MARGIN if last else None
    if full:
        return Plan(True, now, (), {}, watermark)
    after = (lambda field: Q(**{f"{field}__gt": watermark})) if watermark else (lambda field: Q(**{f"{field}__isnull": False}))
    dirty = set(Team.objects.filter(after("rubric_changed_at")).values_list("id", flat=True))
    dirty |= set(Gesture.objects.filter(after("corrected_at")).values_list("team_id", flat=True))
    drift_from: dict[int, datetime] = {}
    drifts = GestureDrift.objects.all() if watermark is None else GestureDrift.objects.filter(recorded_at__gt=watermark)
    for team_id, effective_from in drifts.values_list("gesture__team_id", "effective_from"):
        if team_id not in dirty and (team_id not in drift_from or effective_from < drift_from[team_id]):
            drift_from[team_id] = effective_from
    return Plan(False, now, tuple(sorted(dirty)), drift_from, watermark)


def rescore_candidates(plan: Plan):
    if plan.full:
        return Customer.objects.all()
    teams = set(plan.dirty_teams) | set(plan.drift_from)
    return Customer.objects.filter(Q(rescore_from__isnull=False) | Q(team_id__in=teams))


def interaction_filter(plan: Plan) -> Q:
    if plan.full:
        return Q()
    cond = Q(occurred_at__gte=F("customer__rescore_from"))
    if plan.dirty_teams:
        cond |= Q(team_id__in=plan.dirty_teams)
    for team_id, since in plan.drift_from.items():
        cond |= Q(team_id=team_id, occurred_at__gte=since)
    return cond


def customer_since(plan: Plan, team_id: int, rescore_from: datetime | None) -> datetime | None:
    """The earliest occurred_at this customer needs re-scoring from (None: all of their history)."""
    if plan.full or team_id in plan.dirty_teams:
        return None
    candidates = [t for t in (rescore_from, plan.drift_from.get(team_id)) if t is not None]
    return min(candidates) if candidates else None
