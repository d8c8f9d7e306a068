from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from reports.weeks import IsoWeek, check_not_future, last_full_week

AMS = ZoneInfo("Europe/Amsterdam")
UTC = ZoneInfo("UTC")


@pytest.mark.parametrize("value", ["2026-47", "2026W47", "2026-W5", "26-W47", "", "2026-W00", "2025-W53", "2026-W54"])
def test_a_malformed_week_is_refused(value):
    with pytest.raises(ValidationError):
        IsoWeek.parse(value)


def test_week_53_exists_in_a_53_week_year():
    assert IsoWeek.parse("2026-W53").monday.isoformat() == "2026-12-28"


def test_a_week_runs_monday_to_monday_in_local_time_and_the_dst_week_is_an_hour_longer():
    start, end = IsoWeek(2026, 43).bounds(AMS)
    assert start.isoformat() == "2026-10-19T00:00:00+02:00" and end.isoformat() == "2026-10-26T00:00:00+01:00"
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=169)


def test_the_last_full_week_on_monday_morning_is_the_week_that_just_ended():
    assert str(last_full_week(datetime(2026, 11, 23, 0, 30, tzinfo=AMS), AMS)) == "2026-W47"
    assert str(last_full_week(datetime(2026, 1, 4, 12, tzinfo=AMS), AMS)) == "2025-W52"


def test_a_week_that_has_not_started_is_in_the_future():
    now = datetime(2026, 11, 25, 12, tzinfo=AMS)
    check_not_future(IsoWeek(2026, 48), now=now, tz=AMS)  # the running week has a partial report
    with pytest.raises(ValidationError):
        check_not_future(IsoWeek(2026, 49), now=now, tz=AMS)
