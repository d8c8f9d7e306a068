"""Business hours: an SLA counts open hours only, in the team's time zone, around weekends, public
holidays (the `holidays` library), extra closed dates and the changes of daylight saving time."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.business_hours import BusinessHours, BusinessHoursError, parse_week, sla_due
from accounts.models import Team

AMS = "Europe/Amsterdam"
RESTAURANT = "mon-sat 09:00-22:00"  # open 09:00-22:00 Monday to Saturday
ALWAYS = "mon-sun 00:00-24:00"


def local(zone, text):
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone))


# (why, zone, hours, country, closed dates, opened (local), SLA hours, due (local, with its offset))
TABLE = [
    ("Friday evening: one hour on Friday, three on Saturday morning",
     AMS, RESTAURANT, "NL", "", "2026-12-04 21:00", 4, "2026-12-05T12:00:00+01:00"),
    ("opened while closed (Saturday night): the clock starts on Monday at nine",
     AMS, RESTAURANT, "NL", "", "2026-12-05 23:30", 4, "2026-12-07T13:00:00+01:00"),
    ("opened on Sunday, closed all day: Monday",
     AMS, RESTAURANT, "NL", "", "2026-12-06 10:00", 4, "2026-12-07T13:00:00+01:00"),
    ("ends exactly at closing time: due at closing, not at the next opening",
     AMS, RESTAURANT, "NL", "", "2026-12-04 18:00", 4, "2026-12-04T22:00:00+01:00"),
    ("Christmas: two hours on the 24th, closed on Christmas, Boxing Day and Sunday",
     AMS, RESTAURANT, "NL", "", "2026-12-24 20:00", 4, "2026-12-28T11:00:00+01:00"),
    ("an extra closed date (New Year's Eve) and New Year's Day",
     AMS, RESTAURANT, "NL", "2026-12-31", "2026-12-30 21:00", 4, "2027-01-02T12:00:00+01:00"),
    ("without a holiday country Christmas Day is an ordinary Friday",
     AMS, RESTAURANT, "", "", "2026-12-24 20:00", 4, "2026-12-25T11:00:00+01:00"),
    ("a Basic case (24 h) runs over two days",
     AMS, RESTAURANT, "NL", "", "2026-12-07 09:00", 24, "2026-12-08T20:00:00+01:00"),
    ("spring forward (last Sunday of March): the night is an hour shorter",
     AMS, ALWAYS, "NL", "", "2026-03-28 23:00", 4, "2026-03-29T04:00:00+02:00"),
    ("fall back (last Sunday of October): the night is an hour longer",
     AMS, ALWAYS, "NL", "", "2026-10-24 23:00", 4, "2026-10-25T02:00:00+01:00"),
    ("over the October change: Monday opens at nine in winter time",
     AMS, RESTAURANT, "NL", "", "2026-10-24 21:00", 4, "2026-10-26T12:00:00+01:00"),
    ("over the March change: Monday opens at nine in summer time",
     AMS, RESTAURANT, "NL", "", "2026-03-28 21:00", 4, "2026-03-30T12:00:00+02:00"),
    ("Easter 2027 falls on the change to summer time: Sunday and Easter Monday closed",
     AMS, RESTAURANT, "NL", "", "2027-03-27 21:00", 4, "2027-03-30T12:00:00+02:00"),
    ("New York: Thanksgiving is closed",
     "America/New_York", "mon-fri 09:00-17:00", "US", "", "2026-11-25 16:00", 24, "2026-12-01T16:00:00-05:00"),
    ("Tokyo: no daylight saving time, the weekend is closed",
     "Asia/Tokyo", "mon-fri 09:00-18:00", "JP", "", "2026-12-04 17:00", 4, "2026-12-07T12:00:00+09:00"),
    ("a lunch break: two spans in a day",
     AMS, "mon-fri 09:00-12:00 13:00-17:00", "", "", "2026-12-07 11:00", 2, "2026-12-07T14:00:00+01:00"),
]


@pytest.mark.parametrize("why, zone, hours, country, closed, opened, sla, due", TABLE, ids=[row[0] for row in TABLE])
def test_the_due_time_counts_open_hours_only(why, zone, hours, country, closed, opened, sla, due):
    calendar = BusinessHours.of(timezone=zone, hours=hours, country=country, closed_dates=closed)
    got = sla_due(start=local(zone, opened), hours=sla, calendar=calendar)
    assert got == datetime.fromisoformat(due), why
    assert got.astimezone(ZoneInfo(zone)).isoformat() == due, "shown in the team's zone, with its offset"
    assert calendar.open_between(local(zone, opened), got) == timedelta(hours=sla)


def test_without_a_calendar_the_sla_is_wall_clock_hours():
    start = datetime(2026, 12, 4, 20, tzinfo=UTC)
    assert sla_due(start=start, hours=4, calendar=None) == start + timedelta(hours=4)


def test_a_team_without_business_hours_has_no_calendar_and_one_with_any_has():
    team = Team(name="t", timezone=AMS)
    assert team.calendar is None
    team.holiday_country = "NL"
    assert team.calendar is not None and team.calendar.closed_on(datetime(2026, 12, 25).date())
    assert team.calendar.is_open(local(AMS, "2026-12-24 03:00")), "no opening hours: open all day"


@pytest.mark.parametrize("text, message", [
    ("mon-fri 9-17", "write hours like 09:00-17:00"),
    ("sat-mon 09:00-12:00", "a run of days goes forward"),
    ("someday 09:00-12:00", "start with a day"),
    ("mon 17:00-09:00", "closing comes after opening"),
    ("mon 09:00-13:00 12:00-17:00", "overlap"),
    ("mon 25:00-26:00", "not a time of day"),
    ("mon", "give the hours"),
])
def test_opening_hours_that_cannot_be_read_say_why(text, message):
    with pytest.raises(BusinessHoursError, match=message):
        parse_week(text)


def test_the_team_refuses_unreadable_hours_unknown_countries_and_bad_dates(db):
    team = Team(name="Bistro", timezone=AMS, business_hours="mon-fri 9-17", holiday_country="XX", closed_dates="24-12-2026")
    with pytest.raises(ValidationError) as caught:
        team.full_clean()
    assert set(caught.value.message_dict) == {"business_hours", "holiday_country", "closed_dates"}


def test_the_settings_api_reads_and_writes_business_hours(api_as, manager, team):
    response = api_as(manager).patch(
        f"/api/teams/{team.pk}/", {"business_hours": RESTAURANT, "holiday_country": "NL", "closed_dates": "2026-12-31"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["business_hours"] == RESTAURANT and response.json()["holiday_country"] == "NL"
    bad = api_as(manager).patch(f"/api/teams/{team.pk}/", {"holiday_country": "Narnia"}, format="json")
    assert bad.status_code == 400 and "holiday_country" in bad.json()
    from accounts.models import TeamSettingChange

    assert set(TeamSettingChange.objects.filter(team=team).values_list("field", flat=True)) == {
        "business_hours", "holiday_country", "closed_dates"
    }


SPANS = st.lists(
    st.tuples(st.integers(0, 23), st.integers(1, 12)).map(lambda t: (t[0] * 60, min(24 * 60, t[0] * 60 + t[1] * 60))),
    min_size=1, max_size=2,
).map(lambda spans: tuple(sorted(set(spans)))).filter(
    lambda spans: all(b[0] >= a[1] for a, b in zip(spans, spans[1:], strict=False))
)
WEEKS = st.lists(st.one_of(st.just(()), SPANS), min_size=7, max_size=7).filter(any).map(tuple)
ZONES = st.sampled_from(["Europe/Amsterdam", "America/New_York", "Asia/Tokyo", "Australia/Sydney", "UTC"])
STARTS = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31))


@settings(max_examples=150, deadline=None)
@given(week=WEEKS, zone=ZONES, start=STARTS, hours=st.integers(1, 120), country=st.sampled_from(["", "NL", "US"]))
def test_the_due_time_is_never_in_closed_hours_nor_before_the_wall_clock_sla(week, zone, start, hours, country):
    calendar = BusinessHours(tz=ZoneInfo(zone), week=week, country=country)
    start = start.replace(tzinfo=UTC)
    due = calendar.add(start, timedelta(hours=hours))
    assert due >= start + timedelta(hours=hours), "never earlier than the wall-clock SLA"
    # The moment just before: a start with microseconds can leave less than a second of the SLA for
    # the next span, so the due time may lie a microsecond after an opening (found by hypothesis).
    assert calendar.is_open(due - timedelta(microseconds=1)), "the moment before the due time is an open one"
    assert calendar.open_between(start, due) == timedelta(hours=hours), "exactly the SLA's open hours"


def test_less_than_a_second_left_at_closing_is_due_that_much_after_the_next_opening():
    week = (((600, 780), (900, 960)),) + ((),) * 6  # Mondays 10:00-13:00 and 15:00-16:00
    calendar = BusinessHours(tz=ZoneInfo("UTC"), week=week)
    start = datetime(2026, 1, 5, 12, 0, 0, 1, tzinfo=UTC)  # a Monday, a microsecond past noon
    due = calendar.add(start, timedelta(hours=1))
    assert due == datetime(2026, 1, 5, 15, 0, 0, 1, tzinfo=UTC)
    assert calendar.is_open(due - timedelta(microseconds=1)) and not calendar.is_open(due - timedelta(seconds=1))


def test_the_settings_page_sets_business_hours_and_says_what_is_wrong(manager, team):
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(manager)
    url = reverse("web:team-settings", args=[team.pk])
    page = client.get(url).content.decode()
    assert 'name="business_hours"' in page and 'name="holiday_country"' in page and 'name="closed_dates"' in page
    form = {field: getattr(team, field) for field in Team.TUNED_SETTINGS}
    bad = client.post(url, {**form, "business_hours": "mon-fri 9-5"})
    assert bad.status_code == 400 and "write hours like 09:00-17:00" in bad.content.decode()
    assert client.post(url, {**form, "business_hours": RESTAURANT, "holiday_country": "NL"}).status_code == 302
    team.refresh_from_db()
    assert team.business_hours == RESTAURANT and team.calendar is not None
