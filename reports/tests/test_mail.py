"""The weekly report by mail, received by a real SMTP server; sent once per team and week."""

import email
import threading
from email import policy
from smtplib import SMTPException

import pytest
from django.db import connection

from accounts.tests.factories import ManagerFactory, UserFactory
from interactions.levels import Level
from interactions.tests.factories import CustomerFactory
from reports.models import WeeklyReportSend
from reports.services import weekly_report_send
from reports.weeks import IsoWeek

from . import factories as f
from .test_figures import W45, local


@pytest.fixture
def managers(team, other_team):
    first = ManagerFactory(username="mia", email="mia@example.com", teams=[team])
    second = ManagerFactory(username="max", email="max@example.com", teams=[team, other_team], language="nl")
    # Not recipients: frontline, another team's manager, an inactive manager.
    UserFactory(username="fred", email="fred@example.com", teams=[team])
    ManagerFactory(username="olav", email="olav@example.com", teams=[other_team])
    ManagerFactory(username="gone", email="gone@example.com", teams=[team], is_active=False)
    return [first, second]


def send(team, week=W45, capture=None):
    if capture is None:
        return weekly_report_send(team=team, week=week)
    with capture(execute=True):
        return weekly_report_send(team=team, week=week)


def parsed(message):
    return email.message_from_bytes(message.as_bytes(), policy=policy.default)


def rcpts(inbox):
    return sorted(m["X-Envelope-To"] for m in inbox.messages)


@pytest.mark.django_db
def test_each_manager_gets_a_multipart_mail_with_text_html_and_the_chart_inline(
    team, managers, smtp_server, django_capture_on_commit_callbacks
):
    f.interaction(team=team, customer=CustomerFactory(team=team), at=local(3), level=Level.DESIRED)
    outcome = send(team, capture=django_capture_on_commit_callbacks)

    assert sorted(outcome.sent_to) == ["max@example.com", "mia@example.com"]
    assert rcpts(smtp_server) == ["max@example.com", "mia@example.com"]
    message = parsed(next(m for m in smtp_server.messages if m["X-Envelope-To"] == "mia@example.com"))
    assert message["To"] == "mia@example.com"
    assert message["Subject"] == "Weekly level report: Team A, 2026-W45"
    assert message.get_content_type() == "multipart/related"
    parts = {part.get_content_type(): part for part in message.walk()}
    assert {"multipart/alternative", "text/plain", "text/html", "image/png"} <= set(parts)
    image = parts["image/png"]
    cid = image["Content-ID"].strip("<>")
    assert image.get_content().startswith(b"\x89PNG")
    html = parts["text/html"].get_content()
    assert f'src="cid:{cid}"' in html
    text = parts["text/plain"].get_content()
    assert "Share at Desired or higher: 100.0%" in text
    assert f"http://localhost:8000/reports/weekly/?team={team.id}&week=2026-W45" in text
    assert f"/reports/weekly/?team={team.id}&amp;week=2026-W45" in html

    ledger = WeeklyReportSend.objects.get(team=team, iso_week="2026-W45")
    assert ledger.status == "sent" and ledger.attempts == 1 and ledger.sent_at is not None
    assert sorted(ledger.recipients) == ["max@example.com", "mia@example.com"]


@pytest.mark.django_db
def test_sending_twice_sends_one_mail_per_manager(team, managers, smtp_server, django_capture_on_commit_callbacks):
    send(team, capture=django_capture_on_commit_callbacks)
    second = send(team, capture=django_capture_on_commit_callbacks)
    assert second.sent_to == [] and second.skipped == "already sent"
    assert len(smtp_server.messages) == 2
    assert WeeklyReportSend.objects.get().attempts == 1


@pytest.mark.django_db
def test_a_quiet_week_sends_a_short_report(team, managers, smtp_server, django_capture_on_commit_callbacks):
    send(team, capture=django_capture_on_commit_callbacks)
    text = next(p for p in parsed(smtp_server.messages[0]).walk() if p.get_content_type() == "text/plain").get_content()
    assert "A quiet week: no interactions were logged." in text
    assert "Service recovery" not in text and "Rule bends" not in text


@pytest.mark.django_db
def test_an_smtp_failure_is_recorded_and_a_retry_sends_it(team, managers, smtp_server, django_capture_on_commit_callbacks):
    smtp_server.stop()  # an SMTP outage
    with pytest.raises(OSError):
        send(team, capture=django_capture_on_commit_callbacks)
    ledger = WeeklyReportSend.objects.get()
    assert ledger.status == "failed" and ledger.attempts == 1 and "ConnectionRefusedError" in ledger.last_error

    smtp_server.start()
    outcome = send(team, capture=django_capture_on_commit_callbacks)
    assert sorted(outcome.sent_to) == ["max@example.com", "mia@example.com"] and len(smtp_server.messages) == 2
    ledger.refresh_from_db()
    assert (ledger.status, ledger.attempts, ledger.last_error) == ("sent", 2, "")


@pytest.mark.django_db
def test_a_retry_after_a_partial_failure_skips_the_managers_already_reached(
    team, managers, smtp_server, django_capture_on_commit_callbacks
):
    WeeklyReportSend.objects.create(
        team=team, iso_week="2026-W45", status="failed", claimed_at=local(9, 7), attempts=1,
        recipients=["mia@example.com"], last_error="SMTPServerDisconnected",
    )
    outcome = send(team, capture=django_capture_on_commit_callbacks)
    assert outcome.sent_to == ["max@example.com"]
    assert rcpts(smtp_server) == ["max@example.com"]


def test_the_send_task_retries_smtp_errors_with_backoff():
    from reports.tasks import send_weekly_report

    assert SMTPException in send_weekly_report.autoretry_for and OSError in send_weekly_report.autoretry_for
    assert send_weekly_report.max_retries == 5 and send_weekly_report.retry_backoff


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_senders_send_one_mail_per_manager(team, managers, smtp_server):
    barrier = threading.Barrier(2)
    outcomes, errors = [], []

    def worker():
        try:
            barrier.wait(timeout=10)
            outcomes.append(weekly_report_send(team=team, week=IsoWeek(2026, 45)))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert sorted(len(o.sent_to) for o in outcomes) == [0, 2]
    assert rcpts(smtp_server) == ["max@example.com", "mia@example.com"]
    assert WeeklyReportSend.objects.get().attempts == 1


@pytest.mark.django_db
def test_each_manager_reads_the_report_in_their_own_language(team, managers, mailoutbox, django_capture_on_commit_callbacks):
    f.interaction(team=team, customer=CustomerFactory(team=team), at=local(3), level=Level.CRIMINAL)
    send(team, capture=django_capture_on_commit_callbacks)
    by_address = {m.to[0]: m for m in mailoutbox}
    dutch, english = by_address["max@example.com"], by_address["mia@example.com"]
    assert dutch.subject == "Wekelijks niveaurapport: Team A, 2026-W45"
    assert "Crimineel: 1 / 0 / +1" in dutch.body and "Open het rapport in CX Portal" in dutch.body
    assert "Crimineel" in dutch.alternatives[0][0]
    assert english.subject == "Weekly level report: Team A, 2026-W45" and "Criminal: 1 / 0 / +1" in english.body


@pytest.mark.django_db
def test_a_sender_that_crashed_mid_send_is_taken_over_after_half_an_hour(
    team, managers, smtp_server, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from reports.services import weekly_reports_due

    now = local(25, 12)  # Wednesday 25 Nov 2026: W47 is due
    type(team).objects.filter(pk=team.pk).update(created_at=local(1, month=1))
    week = IsoWeek(2026, 47)
    crashed = WeeklyReportSend.objects.create(
        team=team, iso_week=str(week), status="sending", claimed_at=now - timedelta(minutes=10), attempts=1
    )

    def send_now():
        with django_capture_on_commit_callbacks(execute=True):
            return weekly_report_send(team=team, week=week, now=now)

    assert send_now().skipped == "being sent by another worker"
    assert weekly_reports_due(now=now) == []
    WeeklyReportSend.objects.filter(pk=crashed.pk).update(claimed_at=now - timedelta(minutes=31))
    assert [(t.id, str(w)) for t, w in weekly_reports_due(now=now)] == [(team.id, "2026-W47")]
    assert sorted(send_now().sent_to) == ["max@example.com", "mia@example.com"]
    crashed.refresh_from_db()
    assert (crashed.status, crashed.attempts) == ("sent", 2)
