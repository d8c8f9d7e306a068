"""The weekly level report for one team and one ISO week: a list of sections, each its own figures.

Every figure is an aggregate (GROUP BY / FILTER) over the week's rows, so the query count does not
grow with the data: at most 10 queries on PostgreSQL whatever the team's size. What each figure
means is in docs/reports.md; the section modules (`reports/sections/`) are the reference.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from accounts.models import Team

from .sections import SECTIONS
from .sections.base import ReportScope, Section
from .sections.levels import LevelFigures
from .weeks import IsoWeek


@dataclass
class ShownSection:
    """A section with its figures, as the templates walk them."""

    section: Section
    figures: Any

    @property
    def html_template(self) -> str:
        return self.section.html_template

    @property
    def text_template(self) -> str:
        return self.section.text_template


@dataclass
class WeeklyReport:
    team_id: int
    team_name: str
    timezone: str
    week: IsoWeek
    starts_at: datetime
    ends_at: datetime
    generated_at: datetime
    figures: dict[str, Any]  # section key -> that section's figures

    def __getattr__(self, name: str) -> Any:
        """`report.recovery` is the recovery section's figures; the levels' figures read as the report's own."""
        figures = self.__dict__.get("figures")
        if figures is None:
            raise AttributeError(name)
        if name in figures:
            return figures[name]
        try:
            return getattr(figures["levels"], name)
        except AttributeError:
            raise AttributeError(f"{type(self).__name__!r} has no attribute {name!r}") from None

    @property
    def levels_figures(self) -> LevelFigures:
        return self.figures["levels"]

    @property
    def levels(self):
        return self.levels_figures.levels

    @property
    def first_day(self) -> date:
        return self.week.monday

    @property
    def last_day(self) -> date:
        return self.week.monday + timedelta(days=6)

    @property
    def quiet(self) -> bool:
        """No interaction logged in the week: the report says so and stays short."""
        return self.levels_figures.total == 0

    @property
    def complete(self) -> bool:
        """False while the week is still running (figures can still move)."""
        return self.generated_at >= self.ends_at

    @property
    def shown_sections(self) -> list[ShownSection]:
        quiet = self.quiet
        return [
            ShownSection(section, self.figures[section.key])
            for section in SECTIONS
            if section.shown(self.figures[section.key], quiet=quiet)
        ]

    def charts(self) -> list[tuple[str, bytes]]:
        """Every section's charts as (name, PNG), drawn in the active language."""
        return [(chart.name, chart.draw(self.figures[s.key])) for s in SECTIONS for chart in s.charts]

    def chart(self, name: str) -> bytes | None:
        for section in SECTIONS:
            for chart in section.charts:
                if chart.name == name:
                    return chart.draw(self.figures[section.key])
        return None


def chart_names() -> list[str]:
    return [chart.name for section in SECTIONS for chart in section.charts]


def weekly_report(team: Team, week: IsoWeek, *, now: datetime | None = None) -> WeeklyReport:
    """All figures of `team`'s report for `week` (Monday 00:00 to Monday 00:00 in the team's time zone)."""
    now = now or timezone.now()
    start, end = week.bounds(team.tz)
    scope = ReportScope(team=team, tz=team.tz, week=week, start=start, end=end, now=now)
    return WeeklyReport(
        team_id=team.id,
        team_name=team.name,
        timezone=team.timezone,
        week=week,
        starts_at=start,
        ends_at=end,
        generated_at=now,
        figures={section.key: section.figures(scope) for section in SECTIONS},
    )


def report_as_json(report: WeeklyReport) -> dict:
    """The figures as JSON-friendly values (the API's answer)."""
    answer = {
        "team": report.team_id,
        "team_name": report.team_name,
        "timezone": report.timezone,
        "week": str(report.week),
        "starts_at": report.starts_at.isoformat(),
        "ends_at": report.ends_at.isoformat(),
        "generated_at": report.generated_at.isoformat(),
        "complete": report.complete,
        "quiet": report.quiet,
    }
    for section in SECTIONS:
        part = section.as_json(report.figures[section.key])
        if section.nested_json:
            answer[section.key] = part
        else:
            answer.update(part)
    return answer
