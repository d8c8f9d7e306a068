"""Monday 07:00 in each team's own time zone, once per team and week, DST included."""

from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
from django.core import mail
from django_celery_beat.models import PeriodicTask

from accounts.models import Team
from accounts.tests.factories import ManagerFactory, TeamFactory
from reports.models import WeeklyReportSend
from reports.services import send_due_weekly_reports, weekly_reports_due

pytestmark = pytest.mark.django_db

UTC = dt_timezone.utc


def utc(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def amsterdam():
    team = TeamFactory(name="Amsterdam", timezone="Europe/Amsterdam")
    ManagerFactory(email="ams@example.com", teams=[team])
    Team.objects.filter(pk=team.pk).update(created_at=utc(2026, 1, 1))
    return Team.objects.get(pk=team.pk)


@pytest.fixture
def tokyo():
    team = TeamFactory(name="Tokyo", timezone="Asia/Tokyo")
    ManagerFactory(email="tyo@example.com", teams=[team])
    Team.objects.filter(pk=team.pk).update(created_at=utc(2026, 1, 1))
    return Team.objects.get(pk=team.pk)


def run(now, capture):
    with capture(execute=True):
        return send_due_weekly_reports(now=now)


def sent_weeks():
    return sorted(WeeklyReportSend.objects.values_list("team__name", "iso_week"))


def test_monday_0659_local_sends_nothing_and_0700_sends_in_each_time_zone(amsterdam, tokyo, django_capture_on_commit_callbacks):
    # Monday 23 Nov 2026 07:00 in Tokyo (UTC+9) is Sunday 22:00 UTC; in Amsterdam (UTC+1) Monday 06:00 UTC.
    # Both teams already had W46 sent, so only the week that just ended (W47) can be due.
    for team in (amsterdam, tokyo):
        WeeklyReportSend.objects.create(team=team, iso_week="2026-W46", status="sent", claimed_at=utc(2026, 11, 16))
    assert run(utc(2026, 11, 22, 21, 59), django_capture_on_commit_callbacks) == []
    run(utc(2026, 11, 22, 22, 0), django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [["tyo@example.com"]]
    assert run(utc(2026, 11, 23, 5, 59), django_capture_on_commit_callbacks) == []
    run(utc(2026, 11, 23, 6, 0), django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [["tyo@example.com"], ["ams@example.com"]]
    assert "2026-W47" in mail.outbox[0].subject and "2026-W47" in mail.outbox[1].subject
    assert weekly_reports_due(now=utc(2026, 11, 23, 9, 5)) == []


def test_the_hourly_beat_across_the_october_dst_change_sends_each_week_once(amsterdam, django_capture_on_commit_callbacks):
    # Clocks go back in Amsterdam on Sunday 25 Oct 2026 (03:00 CEST -> 02:00 CET): W43 lasts 169 hours.
    WeeklyReportSend.objects.create(team=amsterdam, iso_week="2026-W42", status="sent", claimed_at=utc(2026, 10, 12))
    tick = utc(2026, 10, 24, 0, 5)
    first_send = None
    while tick <= utc(2026, 10, 27, 0, 5):
        if run(tick, django_capture_on_commit_callbacks) and first_send is None:
            first_send = tick
        tick += timedelta(hours=1)
    assert sent_weeks() == [("Amsterdam", "2026-W42"), ("Amsterdam", "2026-W43")]
    assert len(mail.outbox) == 1 and "2026-W43" in mail.outbox[0].subject
    assert first_send == utc(2026, 10, 26, 6, 5)  # Monday 07:05 CET


def test_a_report_missed_on_monday_is_caught_up_later_in_the_week(amsterdam, django_capture_on_commit_callbacks):
    run(utc(2026, 11, 25, 12, 0), django_capture_on_commit_callbacks)  # Wednesday
    assert sent_weeks() == [("Amsterdam", "2026-W47")]


def test_no_report_for_a_week_that_ended_before_the_team_existed(django_capture_on_commit_callbacks):
    team = TeamFactory(name="New", timezone="Europe/Amsterdam")
    ManagerFactory(teams=[team])
    Team.objects.filter(pk=team.pk).update(created_at=utc(2026, 11, 24))
    assert run(utc(2026, 11, 25, 12, 0), django_capture_on_commit_callbacks) == []


def test_the_hourly_beat_entry_exists_after_migrate():
    task = PeriodicTask.objects.get(task="reports.send_due_weekly_reports")
    assert task.enabled and task.crontab.minute == "5" and task.crontab.hour == "*"
