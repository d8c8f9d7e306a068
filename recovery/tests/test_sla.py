"""SLA escalation: once per case, even when checks overlap; managers hear about it by real email."""

import threading
import time
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from accounts.tests.factories import ManagerFactory
from notifications.services import emails_send_pending
from recovery import escalation
from recovery.models import CaseEvent, RecoveryCase
from recovery.services import steps
from recovery.tasks import check_slas

from .conftest import open_case


def test_a_case_past_its_fix_due_is_escalated_once_even_when_the_check_runs_twice(
    db, case, frontline, manager, smtp_inbox, django_capture_on_commit_callbacks
):
    later = case.fix_due + timedelta(minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        first = escalation.cases_escalate_overdue(now=later)
        second = escalation.cases_escalate_overdue(now=later + timedelta(minutes=5))
    assert [c.pk for c in first] == [case.pk] and second == []
    case.refresh_from_db()
    assert case.escalated_at == later
    assert CaseEvent.objects.filter(case=case, kind="escalated").count() == 1
    # The breach tells the owner (who logged it) and the team's managers; the 75% warning it
    # overtook is recorded without a mail of its own.
    assert emails_send_pending() == 2
    assert sorted(m["to"][0] for m in smtp_inbox.messages) == sorted([frontline.email, manager.email])
    assert all(f"Case #{case.pk} is overdue" in m["data"] for m in smtp_inbox.messages)


def test_a_case_not_yet_due_and_a_closed_case_are_left_alone(db, case, frontline, manager):
    assert escalation.cases_escalate_overdue(now=case.warn_at - timedelta(seconds=1)) == [], "not even 75% yet"
    steps.case_close(actor=manager, case=case, reason="Customer withdrew")
    assert escalation.cases_escalate_overdue(now=case.fix_due + timedelta(days=30)) == []


def test_a_fixed_case_past_its_surprise_due_is_escalated(db, case, frontline, manager):
    case = steps.case_fix(actor=frontline, case=case)
    assert escalation.cases_escalate_overdue(now=case.fix_due + timedelta(hours=1)) == [], "fixed in time"
    escalated = escalation.cases_escalate_overdue(now=case.surprise_due + timedelta(seconds=1))
    assert [c.pk for c in escalated] == [case.pk]
    assert CaseEvent.objects.get(case=case, kind="escalated").note.startswith("The surprise was due")


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_checks_escalate_each_case_once(team, smtp_inbox):
    from accounts.tests.factories import UserFactory
    from interactions.tests.factories import CustomerFactory

    ManagerFactory(teams=[team])
    frontline = UserFactory(teams=[team])
    cases = [open_case(frontline, CustomerFactory(team=team)) for _ in range(5)]
    later = max(c.fix_due for c in cases) + timedelta(minutes=1)
    barrier = threading.Barrier(2)
    results = [None, None]

    def check(i):
        try:
            barrier.wait(timeout=30)
            results[i] = [c.pk for c in escalation.cases_escalate_overdue(now=later)]
        finally:
            connection.close()

    threads = [threading.Thread(target=check, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results[0] + results[1]) == sorted(c.pk for c in cases)
    assert CaseEvent.objects.filter(kind="escalated").count() == 5
    assert emails_send_pending() == 10  # each case: its owner and the manager
    assert len(smtp_inbox.messages) == 10


def test_the_command_escalates_and_says_what(db, case, capsys):
    RecoveryCase.objects.filter(pk=case.pk).update(fix_due=timezone.now() - timedelta(minutes=1))
    out = StringIO()
    call_command("check_recovery_slas", stdout=out)
    assert f"escalated case #{case.pk}" in out.getvalue() and "1 case(s) escalated" in out.getvalue()
    out = StringIO()
    call_command("check_recovery_slas", stdout=out)
    assert "0 case(s) escalated" in out.getvalue()


def test_the_scheduled_task_runs_the_same_service(db, case):
    RecoveryCase.objects.filter(pk=case.pk).update(fix_due=timezone.now() - timedelta(minutes=1))
    assert check_slas.apply().get() == [case.pk]
    assert check_slas.apply().get() == []


def test_the_check_is_scheduled_every_five_minutes(db):
    task = PeriodicTask.objects.get(task="recovery.check_slas")
    assert task.enabled and (task.interval.every, task.interval.period) == (5, "minutes")
    assert check_slas.name == "recovery.check_slas" and check_slas.acks_late is True


def test_creating_the_schedules_again_changes_nothing(db):
    from core.schedules import schedules_create

    schedules_create()
    schedules_create()
    assert PeriodicTask.objects.filter(task="recovery.check_slas").count() == 1


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_sla_check_by_its_scheduled_name(team, smtp_inbox):
    import os

    from celery.contrib.testing.worker import start_worker

    from accounts.tests.factories import UserFactory
    from cxportal.celery import app as celery_app
    from interactions.tests.factories import CustomerFactory

    if not os.environ.get("REDIS_URL"):
        pytest.fail("REDIS_URL must point at the test Redis (scripts/test sets it)")
    manager = ManagerFactory(teams=[team])
    owner = UserFactory(teams=[team])
    case = open_case(owner, CustomerFactory(team=team))
    RecoveryCase.objects.filter(pk=case.pk).update(fix_due=timezone.now() - timedelta(minutes=1))
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        result = celery_app.send_task("recovery.check_slas")
        assert result.get(timeout=20) == [case.pk]
        # The escalation's commit kicked the outbox task, which the same worker runs.
        deadline = time.monotonic() + 20
        while len(smtp_inbox.messages) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
    assert sorted(m["to"][0] for m in smtp_inbox.messages) == sorted([owner.email, manager.email])
