"""Occasions: customers' special dates (every year) and occasions noted on interactions (once).

Both are kept as `Occasion` rows (month, day, and a year only for a one-off), so "the next 14 days"
is one indexed look-up on (team, month, day) for the 14 month-days ahead, whatever the turn of the
year does. A customer's special dates are copied into rows whenever the customer is saved.
"""

import re
from datetime import date, timedelta

from django.db.models import Q

OCCASION_DAYS = 14  # the dashboard and the radar look two weeks ahead
REMIND_DAYS_BEFORE = 3  # the personal contact is reminded three days before


def special_date_month_day(text: str) -> tuple[int, int] | None:
    """"MM-DD" or "YYYY-MM-DD" (a birth date): the month and day it comes back on every year."""
    try:
        month, day = (int(part) for part in str(text)[-5:].split("-"))
        date(2000, month, day)  # a leap year: 29 February is a date
    except (TypeError, ValueError):
        return None
    return month, day


def kind_for_label(label: str) -> str:
    """A special date's kind from its label (the customer form asks only for a label)."""
    text = (label or "").lower()
    if "birth" in text or "verjaar" in text:
        return "birthday"
    if "anniv" in text or "jubileum" in text or "trouw" in text:
        return "anniversary"
    return "other"


def days_ahead(today: date, days: int = OCCASION_DAYS) -> list[date]:
    """Today and the `days` days after it (15 dates for 14 days ahead)."""
    return [today + timedelta(days=n) for n in range(days + 1)]


def falls_on(day: date) -> Q:
    """Occasion rows that fall on `day`: the yearly ones on its month-day and the one-offs of its year.
    A yearly 29 February is kept on 28 February in a common year."""
    month_days = [(day.month, day.day)]
    if (day.month, day.day) == (2, 28) and not _leap(day.year):
        month_days.append((2, 29))
    q = Q()
    for month, dom in month_days:
        q |= Q(month=month, day=dom) & (Q(year__isnull=True) | Q(year=day.year))
    return q


def next_date(*, month: int, day: int, year: int | None, today: date, days: int = OCCASION_DAYS) -> date | None:
    """The date in [today, today + days] on which this occasion falls, or None."""
    for candidate in days_ahead(today, days):
        if year is not None and candidate.year != year:
            continue
        if (candidate.month, candidate.day) == (month, day):
            return candidate
        if (month, day) == (2, 29) and (candidate.month, candidate.day) == (2, 28) and not _leap(candidate.year):
            return candidate
    return None


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


_WORD = re.compile(r"[^\W\d_]{4,}", re.UNICODE)


def words(text: str) -> set[str]:
    """The words of a text that can tie a gesture to a customer (four letters or more, lower case)."""
    return {w.lower() for w in _WORD.findall(text or "")}


def occasion_words(kind: str, label: str) -> set[str]:
    """The words a gesture that fits this occasion would use: its kind (in English) and its label."""
    return words(f"{kind} {label}") - {"other", "occasion"}


def fits_occasion(gesture_text: str, kind: str, label: str) -> bool:
    """A gesture fits an occasion when its name or description names it (a birthday cake, a birthday)."""
    return bool(words(gesture_text) & occasion_words(kind, label))
