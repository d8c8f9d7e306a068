"""The hourly beat task through Redis and a real Celery worker: it fans out and the managers get their mail."""

import os
import time
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from accounts.models import Team
from accounts.tests.factories import ManagerFactory
from cxportal.celery import app as celery_app
from reports.models import WeeklyReportSend
from reports.tasks import send_due_weekly_reports


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_beat_task_sends_each_due_report_through_a_real_worker(team, other_team, smtp_server):
    if not os.environ.get("REDIS_URL"):
        pytest.fail("REDIS_URL must point at the test Redis (scripts/test sets it)")
    ManagerFactory(email="mia@example.com", teams=[team])
    ManagerFactory(email="olga@example.com", teams=[other_team])
    # Any time zone whose local time is not Monday before 07:00 has the week that ended due now.
    now = timezone.now()
    zone = next(z for z in ("Europe/Amsterdam", "America/New_York", "Asia/Tokyo")
                if not (now.astimezone(ZoneInfo(z)).weekday() == 0 and now.astimezone(ZoneInfo(z)).hour < 7))
    Team.objects.update(created_at=now - timedelta(days=400), timezone=zone)
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        send_due_weekly_reports.delay()
        deadline = time.monotonic() + 30
        while WeeklyReportSend.objects.filter(status="sent").count() < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
    assert sorted(WeeklyReportSend.objects.values_list("team__name", "status")) == [("Team A", "sent"), ("Team B", "sent")]
    assert sorted(m["X-Envelope-To"] for m in smtp_server.messages) == ["mia@example.com", "olga@example.com"]
