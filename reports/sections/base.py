"""What a section of the weekly report is: its figures, its charts, its snippets and its CSV rows.

The page, the email (HTML and text), the JSON and the CSV all walk the same list of sections
(`reports.sections.SECTIONS`), so a new figure is one section module, its two template snippets
(`templates/reports/sections/<key>.html` and `.txt`) and its test.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from django.db.models import Q

from accounts.models import Team

from ..weeks import IsoWeek

TREND_WEEKS = 8


@dataclass(frozen=True)
class ReportScope:
    """The team and the week a report covers, in the team's time zone."""

    team: Team
    tz: tzinfo
    week: IsoWeek
    start: datetime
    end: datetime
    now: datetime

    @property
    def trend_weeks(self) -> list[IsoWeek]:
        return [self.week.shift(-i) for i in range(TREND_WEEKS - 1, -1, -1)]

    def within(self, field_name: str) -> Q:
        """Rows whose `field_name` falls in the week."""
        return Q(**{f"{field_name}__gte": self.start, f"{field_name}__lt": self.end})


@dataclass(frozen=True)
class Chart:
    """A PNG drawn from a section's figures: on the page at `chart.png?...&chart=<name>`, in the mail
    inline by Content-ID `<name>`. Snippets write `src="{{ chart_src }}<name>"`."""

    name: str
    draw: Callable[[Any], bytes]


class Section:
    """One part of the report. Subclasses set `key` and implement `figures`, `as_json` and `csv_rows`."""

    key: str = ""
    # Where the section's JSON goes: under `key`, or (False) merged into the top level.
    nested_json: bool = True
    charts: tuple[Chart, ...] = ()

    @property
    def html_template(self) -> str:
        return f"reports/sections/{self.key}.html"

    @property
    def text_template(self) -> str:
        return f"reports/sections/{self.key}.txt"

    def figures(self, scope: ReportScope) -> Any:
        raise NotImplementedError

    def as_json(self, figures: Any) -> dict:
        raise NotImplementedError

    def csv_rows(self, figures: Any) -> list[list]:
        """Rows of (section, figure, this week, previous week)."""
        raise NotImplementedError

    def shown(self, figures: Any, *, quiet: bool) -> bool:
        """Whether the page and mail show the section: a quiet week keeps only what has something to say."""
        return True


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
