"""The hourly beat task through Redis and a real Celery worker: it fans out and the managers get their mail."""

import os
import time

import pytest
from celery.contrib.testing.worker import start_worker

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
    Team.objects.update(created_at="2026-01-01T00:00:00Z")
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        send_due_weekly_reports.delay()
        deadline = time.monotonic() + 30
        while WeeklyReportSend.objects.filter(status="sent").count() < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
    assert sorted(WeeklyReportSend.objects.values_list("team__name", "status")) == [("Team A", "sent"), ("Team B", "sent")]
    assert sorted(m["X-Envelope-To"] for m in smtp_server.messages) == ["mia@example.com", "olga@example.com"]
