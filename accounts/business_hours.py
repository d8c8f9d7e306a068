"""A team's business hours and the SLA arithmetic over them: pure functions, no ORM.

A team may set its opening hours per weekday (in its own time zone), a holiday country (public
holidays come from the `holidays` library) and extra closed dates. When it does, an SLA of n hours
is n *open* hours: the clock stops at closing time, over the weekend and on holidays, and runs on
when the team opens again. The due time is a real moment (stored in UTC), never a count.

The opening hours are written the way a manager would say them, one group per weekday or run of
weekdays: ``mon-fri 09:00-17:30, sat 10:00-14:00`` (several spans in a day:
``mon 09:00-12:00 13:00-17:00``; ``24:00`` closes at midnight). Days not named are closed.
"""

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

import holidays
from django.utils.translation import gettext as _

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60
# How far the arithmetic looks for open hours before it gives up: a calendar open one hour a
# week still places a year-long SLA; one that never opens cannot loop for ever.
SEARCH_DAYS = 366 * 30

_SPAN = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")
_DAYS = re.compile(r"^([a-z]{3})(?:-([a-z]{3}))?$")


class BusinessHoursError(ValueError):
    """The opening hours, holiday country or closed dates cannot be read; the message says why."""


def _minute(hour: str, minute: str) -> int:
    h, m = int(hour), int(minute)
    if m > 59 or h > 24 or (h == 24 and m):
        raise BusinessHoursError(_("%(time)s is not a time of day.") % {"time": f"{hour}:{minute}"})
    return h * 60 + m


def parse_week(text: str) -> tuple[tuple[tuple[int, int], ...], ...]:
    """``mon-fri 09:00-17:00, sat 10:00-14:00`` -> seven tuples (Monday first) of (open, close)
    minutes after midnight. Raises BusinessHoursError with a message a manager understands."""
    week: list[list[tuple[int, int]]] = [[] for _ in DAYS]
    groups = [g.strip() for g in re.split(r"[,;\n]", (text or "").lower()) if g.strip()]
    if not groups:
        raise BusinessHoursError(_("No opening hours given."))
    for group in groups:
        words = group.split()
        days = _DAYS.match(words[0]) if words else None
        if not days or days.group(1) not in DAYS or (days.group(2) and days.group(2) not in DAYS):
            raise BusinessHoursError(_('"%(text)s": start with a day like mon, or a run like mon-fri.') % {"text": group})
        first = DAYS.index(days.group(1))
        last = DAYS.index(days.group(2)) if days.group(2) else first
        if last < first:
            raise BusinessHoursError(_('"%(text)s": a run of days goes forward, like mon-fri.') % {"text": group})
        if len(words) < 2:
            raise BusinessHoursError(_('"%(text)s": give the hours, like 09:00-17:00.') % {"text": group})
        for span in words[1:]:
            found = _SPAN.match(span)
            if not found:
                raise BusinessHoursError(_('"%(text)s": write hours like 09:00-17:00.') % {"text": span})
            opens, closes = _minute(*found.groups()[:2]), _minute(*found.groups()[2:])
            if closes <= opens:
                raise BusinessHoursError(_('"%(text)s": closing comes after opening.') % {"text": span})
            for day in range(first, last + 1):
                week[day].append((opens, closes))
    for spans in week:
        spans.sort()
        for (_a, b), (c, _d) in zip(spans, spans[1:], strict=False):
            if c < b:
                raise BusinessHoursError(_("Two spans of the same day overlap."))
    return tuple(tuple(spans) for spans in week)


def parse_dates(text: str) -> frozenset[date]:
    """``2026-12-24, 2026-12-31`` -> the dates. Raises BusinessHoursError."""
    found = set()
    for word in re.split(r"[\s,;]+", (text or "").strip()):
        if not word:
            continue
        try:
            found.add(date.fromisoformat(word))
        except ValueError:
            raise BusinessHoursError(_('"%(text)s" is not a date like 2026-12-24.') % {"text": word}) from None
    return frozenset(found)


def check_country(code: str) -> str:
    """A country (or subdivision-free code) the `holidays` library knows, like NL or US."""
    code = (code or "").strip().upper()
    if code and code not in holidays.list_supported_countries():
        raise BusinessHoursError(_("%(code)s is not a country the holiday calendar knows (use a code like NL, BE, DE, GB or US).") % {"code": code})
    return code


@dataclass(frozen=True)
class BusinessHours:
    """When a team is open: `week` (Monday first) of (open, close) minutes in `tz`, closed on the
    country's public holidays and on `closed_dates`."""

    tz: ZoneInfo
    week: tuple[tuple[tuple[int, int], ...], ...] = tuple(((0, MINUTES_PER_DAY),) for _ in DAYS)
    country: str = ""
    closed_dates: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def of(cls, *, timezone: str, hours: str = "", country: str = "", closed_dates: str = "") -> "BusinessHours":
        week = parse_week(hours) if (hours or "").strip() else cls.week
        return cls(tz=ZoneInfo(timezone), week=week, country=check_country(country), closed_dates=parse_dates(closed_dates))

    @cached_property
    def _holidays(self):
        return holidays.country_holidays(self.country) if self.country else {}

    def closed_on(self, day: date) -> bool:
        return day in self.closed_dates or day in self._holidays

    def holiday_name(self, day: date) -> str | None:
        return self._holidays.get(day) if self.country else None

    def _moment(self, day: date, minute: int) -> datetime:
        """The real moment (UTC) of a wall-clock minute of a local day; 24:00 is the next midnight."""
        if minute >= MINUTES_PER_DAY:
            day, minute = day + timedelta(days=1), minute - MINUTES_PER_DAY
        local = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=self.tz)
        return local.astimezone(UTC)

    def spans(self, start: datetime, *, days: int = SEARCH_DAYS):
        """The open spans (UTC moments) from the local day of `start` on, in order."""
        day = start.astimezone(self.tz).date()
        for _ in range(days):
            if not self.closed_on(day):
                for opens, closes in self.week[day.weekday()]:
                    yield self._moment(day, opens), self._moment(day, closes)
            day += timedelta(days=1)

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The moment `duration` of open time after `start`: the due time of an SLA.

        An SLA that ends exactly at closing time is due at closing time, not at the next opening."""
        remaining = duration
        start = start.astimezone(UTC)
        last = start
        for opens, closes in self.spans(start):
            opens = max(opens, start)
            if closes <= opens:
                continue
            if closes - opens >= remaining:
                return opens + remaining
            remaining -= closes - opens
            last = closes
        return last + remaining  # never (or hardly ever) open: count the rest on the wall clock

    def open_between(self, start: datetime, end: datetime) -> timedelta:
        """How much open time lies between two moments."""
        total = timedelta()
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        for opens, closes in self.spans(start, days=(end - start).days + 2):
            if opens >= end:
                break
            lo, hi = max(opens, start), min(closes, end)
            if hi > lo:
                total += hi - lo
        return total

    def is_open(self, moment: datetime) -> bool:
        """Whether the team is open at this moment (an opening minute is open, a closing one not)."""
        moment = moment.astimezone(UTC)
        for opens, closes in self.spans(moment - timedelta(days=1), days=3):
            if opens <= moment < closes:
                return True
        return False


def sla_due(*, start: datetime, hours: float, calendar: BusinessHours | None) -> datetime:
    """When an SLA of `hours` that starts at `start` is due: open hours only when the team has a
    calendar, wall-clock hours otherwise."""
    duration = timedelta(hours=hours)
    return start + duration if calendar is None else calendar.add(start, duration)
