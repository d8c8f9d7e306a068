"""The outbox gives up: bounded attempts, a dead-letter state people can see (issue 19, finding 8).

A rule named with a CR/LF in it made every manager email of its bends fail on the header, and the
outbox retried it every hour, for ever, with nobody told.
"""

import pytest
from django.core import mail
from django.test import Client, override_settings

from interactions.tests.factories import CustomerFactory
from notifications.models import OutboundEmail
from notifications.services import email_retry_dead, emails_send_pending
from recovery.models import Rule

pytestmark = pytest.mark.django_db


def _legacy_email(**fields) -> OutboundEmail:
    """A row as an older version wrote it, before subjects were cleaned on the way in."""
    return OutboundEmail.objects.create(to=["maria@example.com"], text="A bend waits.", **fields)


def test_a_rule_name_with_cr_lf_no_longer_blocks_its_bend_email(
    api_as, frontline, manager, team, django_capture_on_commit_callbacks
):
    rule = Rule.objects.create(team=team, name="No refunds\r\nBcc: everyone@example.com")  # stored before names were checked
    customer = CustomerFactory(team=team)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(frontline).post(
            "/api/rule-bends/", {"rule": rule.id, "customer": customer.id, "justification": "loyal", "cost": "5"}, format="json"
        )
    assert response.status_code == 201
    assert emails_send_pending() == 1
    [message] = mail.outbox
    assert "\r" not in message.subject and "\n" not in message.subject
    assert "No refunds Bcc: everyone@example.com" in message.subject
    assert message.bcc == [] and message.to == [manager.email]
    assert not OutboundEmail.objects.filter(dead_at__isnull=False).exists()


def test_an_email_with_an_invalid_header_is_a_dead_letter_at_once():
    email = _legacy_email(subject="Waiting bend\r\nBcc: everyone@example.com")
    assert emails_send_pending() == 0
    email.refresh_from_db()
    assert email.dead_at is not None and email.sent_at is None and email.attempts == 1
    assert "BadHeaderError" in email.last_error
    OutboundEmail.objects.update(next_attempt_at=None)
    assert emails_send_pending() == 0
    email.refresh_from_db()
    assert email.attempts == 1, "a dead letter is not retried"
    assert mail.outbox == []


@override_settings(OUTBOX_MAX_ATTEMPTS=3)
def test_an_email_that_keeps_failing_is_given_up_after_the_maximum_attempts(smtp_server):
    email = _legacy_email(subject="Case #1 is overdue")
    smtp_server.stop()
    for attempt in (1, 2, 3):
        OutboundEmail.objects.update(next_attempt_at=None)  # the backoff has passed
        assert emails_send_pending() == 0
        email.refresh_from_db()
        assert email.attempts == attempt
    assert email.dead_at is not None
    smtp_server.start()
    OutboundEmail.objects.update(next_attempt_at=None)
    assert emails_send_pending() == 0 and smtp_server.messages == []
    # An admin sends it again once the mail server is back.
    assert email_retry_dead(email_ids=[email.pk]) == 1
    assert emails_send_pending() == 1
    assert [m["Subject"] for m in smtp_server.messages] == ["Case #1 is overdue"]


def test_dead_letters_show_in_healthz_and_on_the_jobs_page(admin_user, manager):
    _legacy_email(subject="Waiting bend\nBcc: x@example.com")
    _legacy_email(subject="Still waiting")
    emails_send_pending()
    health = Client().get("/healthz").json()
    assert health["outbox"] == {"waiting": 0, "dead": 1}

    admin = Client()
    admin.force_login(admin_user)
    page = admin.get("/jobs/").content.decode()
    assert "1 email could not be sent" in page and "BadHeaderError" in page

    boss = Client()
    boss.force_login(manager)
    page = boss.get("/jobs/").content.decode()
    assert "1 email could not be sent" in page
    assert "BadHeaderError" not in page and "x@example.com" not in page, "the mail itself is for admins"


def test_a_waiting_email_counts_as_waiting_in_healthz():
    _legacy_email(subject="Soon")
    assert Client().get("/healthz").json()["outbox"] == {"waiting": 1, "dead": 0}


@pytest.mark.parametrize("path,body", [
    ("/api/rules/", lambda t: {"team": t.id, "name": "No refunds\r\nBcc: everyone@example.com"}),
    ("/api/gestures/", lambda t: {"team": t.id, "name": "Coffee\nfree", "base_level": 5}),
    ("/api/customers/", lambda t: {"team": t.id, "name": "Anna\u2028de Vries"}),
    ("/api/teams/", lambda t: {"name": "Team\tC"}),
])
def test_names_refuse_control_characters(api_as, admin_user, team, path, body):
    response = api_as(admin_user).post(path, body(team), format="json")
    assert response.status_code == 400, response.content
    assert "name" in response.json()


def test_the_rule_form_refuses_a_name_with_a_line_break(manager, team):
    client = Client()
    client.force_login(manager)
    response = client.post("/rules/new/", {"team": team.id, "name": "No refunds\r\nBcc: x@example.com", "description": ""})
    assert response.status_code == 400
    assert not Rule.objects.exists()
