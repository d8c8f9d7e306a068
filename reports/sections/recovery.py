"""Service recovery in the week: cases opened, fixed (and how fast), closed with a surprise, recovered levels."""

from dataclasses import dataclass
from datetime import timedelta
from statistics import median

from django.db import connection
from django.db.models import Aggregate, Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.utils.translation import gettext as _

from interactions.levels import Level
from recovery.models import RecoveryCase

from .base import ReportScope, Section, share


class Median(Aggregate):
    """PostgreSQL's percentile_cont(0.5); works on intervals, so time to fix stays a duration."""

    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"


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
        return share(self.sla_met, self.sla_counted)

    @property
    def surprise_rate(self) -> float | None:
        return share(self.closed_with_surprise, self.closed)

    @property
    def recovered_share_desired_or_higher(self) -> float | None:
        return share(self.recovered_desired_or_higher, self.recovered_rated)


class RecoverySection(Section):
    key = "recovery"

    def figures(self, scope: ReportScope) -> RecoveryFigures:
        opened = scope.within("opened_at")
        fixed = scope.within("fixed_at")
        # Cases whose fix was due in the week (up to now, while the week runs) or that were fixed in it.
        due = Q(fix_due__gte=scope.start, fix_due__lt=min(scope.end, scope.now))
        sla = fixed | due
        met = Q(fixed_at__isnull=False, fixed_at__lte=F("fix_due"))
        closed = scope.within("closed_at")
        rated = Q(recovered_level__isnull=False) & (
            scope.within("recovered_rated_at") | (Q(recovered_rated_at__isnull=True) & closed)
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
        cases = RecoveryCase.objects.filter(team=scope.team).filter(opened | sla | closed | rated)
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

    def shown(self, r: RecoveryFigures, *, quiet: bool) -> bool:
        return not quiet or bool(r.opened or r.closed or r.sla_counted)

    def as_json(self, r: RecoveryFigures) -> dict:
        return {
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
        }

    def csv_rows(self, r: RecoveryFigures) -> list[list]:
        return [
            ["recovery", _("cases opened"), r.opened, ""],
            ["recovery", _("cases opened, Criminal"), r.opened_criminal, ""],
            ["recovery", _("cases opened, Basic"), r.opened_basic, ""],
            ["recovery", _("cases fixed"), r.fixed, ""],
            ["recovery", _("median hours to fix"), r.median_hours_to_fix, ""],
            ["recovery", _("fix SLA counted"), r.sla_counted, ""],
            ["recovery", _("fix SLA met"), r.sla_met, ""],
            ["recovery", _("fix SLA hit rate"), r.sla_hit_rate, ""],
            ["recovery", _("cases closed"), r.closed, ""],
            ["recovery", _("closed with a surprise"), r.closed_with_surprise, ""],
            ["recovery", _("surprise rate"), r.surprise_rate, ""],
            ["recovery", _("recovered level ratings"), r.recovered_rated, ""],
            ["recovery", _("recovered level average"), r.recovered_average, ""],
            ["recovery", _("recovered at Desired or higher"), r.recovered_desired_or_higher, ""],
        ]


SECTION = RecoverySection()
