"""The dashboard's level mix over a chosen period, by day or by week, filtered by channel, person and
team (docs/web.md, "The dashboard's trend"). Read-only; one aggregate query over the period's rows of
the named teams, so the (team, -occurred_at) index serves it whatever the table's size."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django import forms
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.selectors import people_of_teams, team_ids_named, team_list
from interactions.levels import Channel, Level
from interactions.models import Interaction

DEFAULT_DAYS = 28  # four weeks, today included
LONGEST_DAYS = 366  # a year of days, or 53 weeks
BY_DAY, BY_WEEK = "day", "week"
# Days a period may name: a calendar's edges (year 1, 9999) overflow a time zone's arithmetic.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(9000, 12, 31)


class TrendQuery(forms.Form):
    """`?from=YYYY-MM-DD&to=YYYY-MM-DD&by=day|week&channel=&person=&team=`; every field may be left out."""

    start = forms.DateField(label=pgettext_lazy("period", "From"), required=False)
    end = forms.DateField(label=pgettext_lazy("period", "To"), required=False)
    by = forms.ChoiceField(label=pgettext_lazy("period", "By"), required=False, choices=[(BY_DAY, _("day")), (BY_WEEK, _("week"))])
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=[("", _("All channels")), *Channel.choices])
    person = forms.IntegerField(label=_("Person"), required=False, min_value=1, max_value=2**31 - 1)
    team = forms.IntegerField(label=_("Team"), required=False, min_value=1, max_value=2**31 - 1)

    def __init__(self, data, *, today: date):
        # The URL says from/to; "from" is a Python keyword, so the fields are start/end.
        data = {k: v for k, v in {"start": data.get("from"), "end": data.get("to"), "by": data.get("by"),
                                   "channel": data.get("channel"), "person": data.get("person"),
                                   "team": data.get("team")}.items() if v not in (None, "")}
        super().__init__(data)
        self.today = today

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        for name in ("start", "end"):
            if cleaned.get(name) and not FIRST_DAY <= cleaned[name] <= LAST_DAY:
                raise forms.ValidationError({name: _("Choose a date from %(first)s to %(last)s.") % {"first": FIRST_DAY, "last": LAST_DAY}})
        end = cleaned.get("end") or self.today
        start = cleaned.get("start") or end - timedelta(days=DEFAULT_DAYS - 1)
        if start > end:
            raise forms.ValidationError({"start": _("The period starts after it ends.")})
        if (end - start).days + 1 > LONGEST_DAYS:
            raise forms.ValidationError({"start": _("Choose a period of at most %(days)s days.") % {"days": LONGEST_DAYS}})
        cleaned.update(start=start, end=end, by=cleaned.get("by") or (BY_DAY if (end - start).days < 31 else BY_WEEK))
        return cleaned


@dataclass(frozen=True)
class TrendBucket:
    """One day or one week (starting Monday) of the period, with its interactions per level."""

    start: date
    counts: dict

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def desired_or_higher_share(self) -> int:
        return round(100 * sum(n for lvl, n in self.counts.items() if lvl >= Level.DESIRED) / self.total) if self.total else 0


@dataclass(frozen=True)
class LevelTrend:
    start: date
    end: date
    by: str
    buckets: list[TrendBucket] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(b.total for b in self.buckets)

    @property
    def totals(self) -> dict:
        sums = {level: 0 for level in Level}
        for bucket in self.buckets:
            for level, n in bucket.counts.items():
                sums[level] += n
        return sums


def _bucket_start(day: date, by: str) -> date:
    return day - timedelta(days=day.weekday()) if by == BY_WEEK else day


def level_trend(*, user, start: date, end: date, by: str, channel: str = "", person: int | None = None,
                team: int | None = None, tz=None) -> LevelTrend:
    """Interactions per level and day (or week) from `start` to `end` inclusive, in the time zone `tz`
    (the viewer's), of the viewer's teams only: a team or person outside them counts nothing."""
    tz = tz or timezone.get_current_timezone()
    teams = list(team_ids_named(user))
    if team is not None:
        teams = [t for t in teams if t == team]
    since = datetime.combine(start, time.min, tzinfo=tz)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)
    rows = Interaction.objects.filter(team_id__in=teams, occurred_at__gte=since, occurred_at__lt=until)
    if channel:
        rows = rows.filter(channel=channel)
    if person is not None:
        rows = rows.filter(logged_by_id=person)
    per_day = rows.order_by().annotate(day=TruncDate("occurred_at", tzinfo=tz)).values_list("day", "level").annotate(n=Count("id"))
    counts: dict[date, dict] = {}
    for day, level, n in per_day:
        bucket = counts.setdefault(_bucket_start(day, by), {})
        bucket[Level(level)] = bucket.get(Level(level), 0) + n
    step = timedelta(days=7 if by == BY_WEEK else 1)
    buckets, cursor = [], _bucket_start(start, by)
    while cursor <= end:
        buckets.append(TrendBucket(start=cursor, counts=counts.get(cursor, {})))
        cursor += step
    return LevelTrend(start=start, end=end, by=by, buckets=buckets)


def trend_choices(*, user) -> dict:
    """What the filters offer this viewer: the people and (when more than one) the teams they see."""
    teams = list(team_list(user=user).order_by("name").values_list("id", "name"))
    people = [(p.pk, p.get_username()) for p in people_of_teams(user=user)]
    return {"teams": teams if len(teams) > 1 else [], "people": people, "channels": list(Channel.choices)}
