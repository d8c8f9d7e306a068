"""The weekly level report's figures for one team and one ISO week, in a fixed number of queries.

Every figure is an aggregate (GROUP BY / FILTER) over the week's rows, so the query count does not
grow with the data: at most 9 queries on PostgreSQL whatever the team's size. What each figure means is in
docs/reports.md; the definitions below are the reference.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from statistics import median

from django.db import connection
from django.db.models import Aggregate, Avg, Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone

from accounts.models import Team
from interactions import scoring
from interactions.levels import Level
from interactions.models import Gesture, GestureDrift, Interaction
from recovery.models import RecoveryCase, RuleBend

from .weeks import IsoWeek

TREND_WEEKS = 8
TOP_RULES = 5
OMISSION_CUSTOMERS = 20
LEVELS = [level.value for level in Level]


class Median(Aggregate):
    """PostgreSQL's percentile_cont(0.5); works on intervals, so time to fix stays a duration."""

    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"


@dataclass
class LevelRow:
    level: int
    count: int
    previous: int

    @property
    def label(self):
        return Level(self.level).label

    @property
    def change(self) -> int:
        return self.count - self.previous


@dataclass
class TrendWeek:
    week: str
    counts: list[int]  # index 0 is Criminal ... index 5 Unbelievable

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass
class RecoveryFigures:
    opened: int = 0
    opened_criminal: int = 0
    opened_basic: int = 0
    fixed: int = 0
    median_hours_to_fix: float | None = None
    sla_counted: int = 0
    sla_met: int = 0
    closed: int = 0
    closed_with_surprise: int = 0
    recovered_rated: int = 0
    recovered_average: float | None = None
    recovered_desired_or_higher: int = 0

    @property
    def sla_hit_rate(self) -> float | None:
        return _share(self.sla_met, self.sla_counted)

    @property
    def surprise_rate(self) -> float | None:
        return _share(self.closed_with_surprise, self.closed)

    @property
    def recovered_share_desired_or_higher(self) -> float | None:
        return _share(self.recovered_desired_or_higher, self.recovered_rated)


@dataclass
class TopRule:
    rule_id: int
    name: str
    asked: int
    approved: int


@dataclass
class BendFigures:
    asked: int = 0
    approved: int = 0
    auto_approved: int = 0
    rejected: int = 0
    still_pending: int = 0
    cost_approved: Decimal = Decimal("0.00")
    top_rules: list[TopRule] = field(default_factory=list)


@dataclass
class DriftedGesture:
    gesture_id: int
    name: str
    effective_from: datetime
    old_level: int
    new_level: int

    @property
    def old_label(self):
        return Level(self.old_level).label

    @property
    def new_label(self):
        return Level(self.new_level).label


@dataclass
class Omission:
    customer_id: int
    customer_name: str
    times: int
    gestures: list[str]


@dataclass
class EscalatorFigures:
    drifted: list[DriftedGesture] = field(default_factory=list)
    omissions: list[Omission] = field(default_factory=list)
    interactions_with_omission: int = 0
    customers_with_omission: int = 0


@dataclass
class WeeklyReport:
    team_id: int
    team_name: str
    timezone: str
    week: IsoWeek
    starts_at: datetime
    ends_at: datetime
    generated_at: datetime
    levels: list[LevelRow]
    trend: list[TrendWeek]
    customers_served: int
    rated_by_customers: int
    recovery: RecoveryFigures
    bends: BendFigures
    escalator: EscalatorFigures

    @property
    def total(self) -> int:
        return sum(row.count for row in self.levels)

    @property
    def previous_total(self) -> int:
        return sum(row.previous for row in self.levels)

    @property
    def first_day(self) -> date:
        return self.week.monday

    @property
    def last_day(self) -> date:
        return self.week.monday + timedelta(days=6)

    @property
    def quiet(self) -> bool:
        """No interaction logged in the week: the report says so and stays short."""
        return self.total == 0

    @property
    def complete(self) -> bool:
        """False while the week is still running (figures can still move)."""
        return self.generated_at >= self.ends_at

    def count(self, level: int, *, previous: bool = False) -> int:
        row = self.levels[level - 1]
        return row.previous if previous else row.count

    @property
    def criminal(self) -> int:
        return self.count(Level.CRIMINAL)

    @property
    def basic(self) -> int:
        return self.count(Level.BASIC)

    @property
    def previous_criminal(self) -> int:
        return self.count(Level.CRIMINAL, previous=True)

    @property
    def previous_basic(self) -> int:
        return self.count(Level.BASIC, previous=True)

    @property
    def desired_or_higher(self) -> int:
        return sum(row.count for row in self.levels if row.level >= Level.DESIRED)

    @property
    def previous_desired_or_higher(self) -> int:
        return sum(row.previous for row in self.levels if row.level >= Level.DESIRED)

    @property
    def share_desired_or_higher(self) -> float | None:
        return _share(self.desired_or_higher, self.total)

    @property
    def previous_share_desired_or_higher(self) -> float | None:
        return _share(self.previous_desired_or_higher, self.previous_total)


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _in(field_name: str, start: datetime, end: datetime) -> Q:
    return Q(**{f"{field_name}__gte": start, f"{field_name}__lt": end})


def weekly_report(team: Team, week: IsoWeek, *, now: datetime | None = None) -> WeeklyReport:
    """All figures of `team`'s report for `week` (Monday 00:00 to Monday 00:00 in the team's time zone)."""
    now = now or timezone.now()
    tz = team.tz
    start, end = week.bounds(tz)
    trend_weeks = [week.shift(-i) for i in range(TREND_WEEKS - 1, -1, -1)]
    trend_start, _ = trend_weeks[0].bounds(tz)

    trend, levels = _levels(team, tz, week, trend_weeks, trend_start, end)
    omitted = ~Q(omitted_gestures=[])
    week_facts = Interaction.objects.filter(team=team, occurred_at__gte=start, occurred_at__lt=end).aggregate(
        customers=Count("customer", distinct=True),
        rated=Count("id", filter=Q(customer_level__isnull=False)),
        omitted=Count("id", filter=omitted),
        omitted_customers=Count("customer", distinct=True, filter=omitted),
    )
    return WeeklyReport(
        team_id=team.id,
        team_name=team.name,
        timezone=team.timezone,
        week=week,
        starts_at=start,
        ends_at=end,
        generated_at=now,
        levels=levels,
        trend=trend,
        customers_served=week_facts["customers"],
        rated_by_customers=week_facts["rated"],
        recovery=_recovery(team, start, end, now),
        bends=_bends(team, start, end),
        escalator=_escalator(team, start, end, week_facts["omitted"], week_facts["omitted_customers"]),
    )


def _levels(team, tz, week, trend_weeks, trend_start, end) -> tuple[list[TrendWeek], list[LevelRow]]:
    """One GROUP BY (local week, level) over the 8 weeks; the last two weeks give this week vs the previous."""
    rows = (
        # `level IN (1..6)` is always true; it lets PostgreSQL answer from the (team, level, occurred_at)
        # index alone (index-only scan) instead of visiting ~8 weeks of the team's rows in the heap.
        Interaction.objects.filter(team=team, level__in=LEVELS, occurred_at__gte=trend_start, occurred_at__lt=end)
        .annotate(local_week=TruncWeek("occurred_at", tzinfo=tz))
        .values("local_week", "level")
        .annotate(n=Count("*"))
        .order_by()
    )
    counts = {w: [0] * len(LEVELS) for w in trend_weeks}
    for row in rows:
        local_week = row["local_week"]
        bucket = counts.get(IsoWeek.of(local_week.astimezone(tz).date() if isinstance(local_week, datetime) else local_week))
        if bucket is not None:
            bucket[row["level"] - 1] += row["n"]
    trend = [TrendWeek(week=str(w), counts=counts[w]) for w in trend_weeks]
    this, previous = counts[week], counts[week.previous()]
    levels = [LevelRow(level=level, count=this[level - 1], previous=previous[level - 1]) for level in LEVELS]
    return trend, levels


def _recovery(team, start, end, now) -> RecoveryFigures:
    opened = _in("opened_at", start, end)
    fixed = _in("fixed_at", start, end)
    # Cases whose fix was due in the week (up to now, while the week runs) or that were fixed in it.
    due = _in("fix_due", start, min(end, now))
    sla = fixed | due
    met = Q(fixed_at__isnull=False, fixed_at__lte=F("fix_due"))
    closed = _in("closed_at", start, end)
    rated = Q(recovered_level__isnull=False) & (
        _in("recovered_rated_at", start, end) | (Q(recovered_rated_at__isnull=True) & closed)
    )
    aggregates = dict(
        opened=Count("id", filter=opened),
        opened_criminal=Count("id", filter=opened & Q(severity=Level.CRIMINAL)),
        opened_basic=Count("id", filter=opened & Q(severity=Level.BASIC)),
        fixed=Count("id", filter=fixed),
        sla_counted=Count("id", filter=sla),
        sla_met=Count("id", filter=sla & met),
        closed=Count("id", filter=closed),
        closed_with_surprise=Count("id", filter=closed & Q(surprised_at__isnull=False)),
        recovered_rated=Count("id", filter=rated),
        recovered_average=Avg("recovered_level", filter=rated),
        recovered_desired_or_higher=Count("id", filter=rated & Q(recovered_level__gte=Level.DESIRED)),
    )
    postgres = connection.vendor == "postgresql"
    if postgres:
        time_to_fix = ExpressionWrapper(F("fixed_at") - F("opened_at"), output_field=DurationField())
        aggregates["median_fix"] = Median(time_to_fix, filter=fixed, output_field=DurationField())
    cases = RecoveryCase.objects.filter(team=team).filter(opened | sla | closed | rated)
    figures = cases.aggregate(**aggregates)
    if postgres:
        median_fix = figures.pop("median_fix")
    else:  # SQLite (the embedded default) has no percentile: the week's fixed cases, one query
        spans = [fixed_at - opened_at for opened_at, fixed_at in cases.filter(fixed).values_list("opened_at", "fixed_at")]
        median_fix = median(spans) if spans else None
    average = figures.pop("recovered_average")
    return RecoveryFigures(
        **figures,
        median_hours_to_fix=round(median_fix / timedelta(hours=1), 2) if median_fix is not None else None,
        recovered_average=round(float(average), 2) if average is not None else None,
    )


def _bends(team, start, end) -> BendFigures:
    asked = _in("requested_at", start, end)
    decided = _in("decided_at", start, end)
    approved = decided & Q(status=RuleBend.Status.APPROVED)
    figures = (
        RuleBend.objects.filter(team=team)
        .filter(asked | decided)
        .aggregate(
            asked=Count("id", filter=asked),
            approved=Count("id", filter=approved),
            auto_approved=Count("id", filter=approved & Q(auto_approved=True)),
            rejected=Count("id", filter=decided & Q(status=RuleBend.Status.REJECTED)),
            still_pending=Count("id", filter=asked & Q(status=RuleBend.Status.PENDING)),
            cost_approved=Sum("cost", filter=approved),
        )
    )
    # Two places whatever the database (SQLite's SUM of a decimal drops them).
    figures["cost_approved"] = (figures["cost_approved"] or Decimal("0")).quantize(Decimal("0.01"))
    top = (
        RuleBend.objects.filter(team=team)
        .filter(asked)
        .values("rule_id", "rule__name")
        .annotate(n=Count("id"), n_approved=Count("id", filter=Q(status=RuleBend.Status.APPROVED)))
        .order_by("-n", "rule__name")[:TOP_RULES]
    )
    figures["top_rules"] = [
        TopRule(rule_id=r["rule_id"], name=r["rule__name"], asked=r["n"], approved=r["n_approved"]) for r in top
    ]
    return BendFigures(**figures)


def _escalator(team, start, end, omitted_interactions: int, omitted_customers: int) -> EscalatorFigures:
    drifts = (
        GestureDrift.objects.filter(gesture__team=team, effective_from__gte=start, effective_from__lt=end)
        .select_related("gesture")
        .order_by("effective_from", "gesture__name")
    )
    drifted = [
        DriftedGesture(
            gesture_id=d.gesture_id,
            name=d.gesture.name,
            effective_from=d.effective_from,
            old_level=scoring.effective_base_level(d.gesture.base_level, d.previous_offset),
            new_level=scoring.effective_base_level(d.gesture.base_level, d.offset),
        )
        for d in drifts
    ]
    omitted = Interaction.objects.filter(team=team, occurred_at__gte=start, occurred_at__lt=end).exclude(
        omitted_gestures=[]
    )
    figures = EscalatorFigures(
        drifted=drifted, interactions_with_omission=omitted_interactions, customers_with_omission=omitted_customers
    )
    if not omitted_interactions:
        return figures
    top = list(
        omitted.values("customer_id", "customer__name")
        .annotate(times=Count("id"))
        .order_by("-times", "customer__name", "customer_id")[:OMISSION_CUSTOMERS]
    )
    gesture_ids: dict[int, set[int]] = {row["customer_id"]: set() for row in top}
    for customer_id, ids in omitted.filter(customer_id__in=gesture_ids).values_list("customer_id", "omitted_gestures"):
        gesture_ids[customer_id].update(int(i) for i in ids)
    names = dict(
        Gesture.objects.filter(team=team, id__in=set().union(*gesture_ids.values())).values_list("id", "name")
    )
    figures.omissions = [
        Omission(
            customer_id=row["customer_id"],
            customer_name=row["customer__name"],
            times=row["times"],
            gestures=sorted(names.get(i, f"#{i}") for i in gesture_ids[row["customer_id"]]),
        )
        for row in top
    ]
    return figures


def report_as_json(report: WeeklyReport) -> dict:
    """The figures as JSON-friendly values (the API's answer and the CSV's source)."""
    r = report.recovery
    b = report.bends
    e = report.escalator
    return {
        "team": report.team_id,
        "team_name": report.team_name,
        "timezone": report.timezone,
        "week": str(report.week),
        "starts_at": report.starts_at.isoformat(),
        "ends_at": report.ends_at.isoformat(),
        "generated_at": report.generated_at.isoformat(),
        "complete": report.complete,
        "quiet": report.quiet,
        "total": report.total,
        "previous_total": report.previous_total,
        "customers_served": report.customers_served,
        "rated_by_customers": report.rated_by_customers,
        "levels": [
            {"level": row.level, "label": str(row.label), "count": row.count, "previous": row.previous, "change": row.change}
            for row in report.levels
        ],
        "share_desired_or_higher": report.share_desired_or_higher,
        "previous_share_desired_or_higher": report.previous_share_desired_or_higher,
        "criminal": report.criminal,
        "basic": report.basic,
        "previous_criminal": report.previous_criminal,
        "previous_basic": report.previous_basic,
        "trend": [{"week": t.week, "counts": {str(lv): t.counts[lv - 1] for lv in LEVELS}, "total": t.total} for t in report.trend],
        "recovery": {
            "opened": r.opened,
            "opened_criminal": r.opened_criminal,
            "opened_basic": r.opened_basic,
            "fixed": r.fixed,
            "median_hours_to_fix": r.median_hours_to_fix,
            "sla_counted": r.sla_counted,
            "sla_met": r.sla_met,
            "sla_hit_rate": r.sla_hit_rate,
            "closed": r.closed,
            "closed_with_surprise": r.closed_with_surprise,
            "surprise_rate": r.surprise_rate,
            "recovered_rated": r.recovered_rated,
            "recovered_average": r.recovered_average,
            "recovered_desired_or_higher": r.recovered_desired_or_higher,
            "recovered_share_desired_or_higher": r.recovered_share_desired_or_higher,
        },
        "bends": {
            "asked": b.asked,
            "approved": b.approved,
            "auto_approved": b.auto_approved,
            "rejected": b.rejected,
            "still_pending": b.still_pending,
            "cost_approved": str(b.cost_approved),
            "top_rules": [{"rule": t.rule_id, "name": t.name, "asked": t.asked, "approved": t.approved} for t in b.top_rules],
        },
        "escalator": {
            "drifted_gestures": [
                {
                    "gesture": d.gesture_id,
                    "name": d.name,
                    "effective_from": d.effective_from.isoformat(),
                    "old_level": d.old_level,
                    "old_label": str(d.old_label),
                    "new_level": d.new_level,
                    "new_label": str(d.new_label),
                }
                for d in e.drifted
            ],
            "interactions_with_omission": e.interactions_with_omission,
            "customers_with_omission": e.customers_with_omission,
            "omissions": [
                {"customer": o.customer_id, "name": o.customer_name, "times": o.times, "gestures": o.gestures}
                for o in e.omissions
            ],
        },
    }
