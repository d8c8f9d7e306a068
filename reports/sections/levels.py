"""The levels: this week against the previous one, the 8-week trend (and its chart), customers served."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q
from django.db.models.functions import TruncWeek
from django.utils.translation import gettext as _

from interactions.levels import Level
from interactions.models import Interaction

from ..weeks import IsoWeek
from .base import Chart, ReportScope, Section, share

LEVELS = [level.value for level in Level]


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
class LevelFigures:
    levels: list[LevelRow]
    trend: list[TrendWeek]
    customers_served: int
    rated_by_customers: int

    @property
    def total(self) -> int:
        return sum(row.count for row in self.levels)

    @property
    def previous_total(self) -> int:
        return sum(row.previous for row in self.levels)

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
        return share(self.desired_or_higher, self.total)

    @property
    def previous_share_desired_or_higher(self) -> float | None:
        return share(self.previous_desired_or_higher, self.previous_total)


def _draw_trend(figures: LevelFigures) -> bytes:
    from ..chart import trend_chart_png  # matplotlib loads only in processes that draw

    return trend_chart_png(figures.trend)


class LevelsSection(Section):
    key = "levels"
    nested_json = False  # the levels are the report's top-level figures
    charts = (Chart("level-trend", _draw_trend),)

    def figures(self, scope: ReportScope) -> LevelFigures:
        trend_weeks = scope.trend_weeks
        trend_start, _end = trend_weeks[0].bounds(scope.tz)
        # One GROUP BY (local week, level) over the 8 weeks; the last two give this week and the previous.
        # `level IN (1..6)` is always true; it lets PostgreSQL answer from the (team, level, occurred_at)
        # index alone (index-only scan) instead of visiting ~8 weeks of the team's rows in the heap.
        rows = (
            Interaction.objects.filter(
                team=scope.team, level__in=LEVELS, occurred_at__gte=trend_start, occurred_at__lt=scope.end
            )
            .annotate(local_week=TruncWeek("occurred_at", tzinfo=scope.tz))
            .values("local_week", "level")
            .annotate(n=Count("*"))
            .order_by()
        )
        counts = {w: [0] * len(LEVELS) for w in trend_weeks}
        for row in rows:
            local_week = row["local_week"]
            day = local_week.astimezone(scope.tz).date() if isinstance(local_week, datetime) else local_week
            bucket = counts.get(IsoWeek.of(day))
            if bucket is not None:
                bucket[row["level"] - 1] += row["n"]
        this, previous = counts[scope.week], counts[scope.week.previous()]
        week_facts = Interaction.objects.filter(team=scope.team, occurred_at__gte=scope.start, occurred_at__lt=scope.end).aggregate(
            customers=Count("customer", distinct=True), rated=Count("id", filter=Q(customer_level__isnull=False))
        )
        return LevelFigures(
            levels=[LevelRow(level=level, count=this[level - 1], previous=previous[level - 1]) for level in LEVELS],
            trend=[TrendWeek(week=str(w), counts=counts[w]) for w in trend_weeks],
            customers_served=week_facts["customers"],
            rated_by_customers=week_facts["rated"],
        )

    def as_json(self, f: LevelFigures) -> dict:
        return {
            "total": f.total,
            "previous_total": f.previous_total,
            "customers_served": f.customers_served,
            "rated_by_customers": f.rated_by_customers,
            "levels": [
                {"level": row.level, "label": str(row.label), "count": row.count, "previous": row.previous, "change": row.change}
                for row in f.levels
            ],
            "share_desired_or_higher": f.share_desired_or_higher,
            "previous_share_desired_or_higher": f.previous_share_desired_or_higher,
            "criminal": f.criminal,
            "basic": f.basic,
            "previous_criminal": f.previous_criminal,
            "previous_basic": f.previous_basic,
            "trend": [{"week": t.week, "counts": {str(lv): t.counts[lv - 1] for lv in LEVELS}, "total": t.total} for t in f.trend],
        }

    def csv_rows(self, f: LevelFigures) -> list[list]:
        rows = [["levels", _("total"), f.total, f.previous_total]]
        rows += [["levels", str(row.label), row.count, row.previous] for row in f.levels]
        rows += [
            ["levels", _("share at Desired or higher"), f.share_desired_or_higher, f.previous_share_desired_or_higher],
            ["levels", _("customers served"), f.customers_served, ""],
            ["levels", _("rated by customers"), f.rated_by_customers, ""],
        ]
        labels = [level.label for level in Level]
        rows += [["trend " + t.week, str(label), n, ""] for t in f.trend for label, n in zip(labels, t.counts)]
        return rows


SECTION = LevelsSection()
