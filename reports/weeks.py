"""ISO weeks in a team's time zone: `2026-W47` runs from Monday 00:00 to the next Monday 00:00 local."""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

WEEK_PATTERN = re.compile(r"^(\d{4})-W(\d{2})$")
# The years a report may ask for: the report reaches weeks before and after the one asked, and
# Python's calendar ends at years 1 and 9999, so 0001-W01 or 9999-W52 would overflow it.
FIRST_YEAR, LAST_YEAR = 1900, 9000


@dataclass(frozen=True, order=True)
class IsoWeek:
    year: int
    week: int

    def __str__(self) -> str:
        return f"{self.year:04d}-W{self.week:02d}"

    @classmethod
    def parse(cls, value: str) -> "IsoWeek":
        """`YYYY-Www` (e.g. 2026-W47); a ValidationError for anything else, week 53 of a 52-week year too."""
        match = WEEK_PATTERN.match((value or "").strip())
        if not match:
            raise ValidationError(_("Give the week as YYYY-Www, for example 2026-W47."), code="malformed")
        year, week = int(match[1]), int(match[2])
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise ValidationError(
                _("Give a week of the years %(first)s to %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR},
                code="out_of_range",
            )
        try:
            date.fromisocalendar(year, week, 1)
        except ValueError:
            raise ValidationError(_("%(week)s is not a week of the calendar.") % {"week": value}, code="malformed")
        return cls(year, week)

    @classmethod
    def of(cls, day: date) -> "IsoWeek":
        year, week, _weekday = day.isocalendar()
        return cls(year, week)

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    def shift(self, weeks: int) -> "IsoWeek":
        return IsoWeek.of(self.monday + timedelta(weeks=weeks))

    def previous(self) -> "IsoWeek":
        return self.shift(-1)

    def bounds(self, tz: tzinfo) -> tuple[datetime, datetime]:
        """Monday 00:00 to the next Monday 00:00 in `tz` (a DST week is 167 or 169 hours long)."""
        start = datetime.combine(self.monday, time.min, tzinfo=tz)
        end = datetime.combine(self.monday + timedelta(weeks=1), time.min, tzinfo=tz)
        return start, end


def last_full_week(now: datetime, tz: tzinfo) -> IsoWeek:
    """The ISO week that ended most recently in `tz` (on a Monday: the week that just ended)."""
    return IsoWeek.of(now.astimezone(tz).date()).previous()


def check_not_future(week: IsoWeek, *, now: datetime, tz: tzinfo) -> None:
    """A week that has not started yet in the team's time zone has no report (the current week has a partial one)."""
    start, _end = week.bounds(tz)
    if start > now:
        raise ValidationError(_("%(week)s has not started yet.") % {"week": week}, code="future")
