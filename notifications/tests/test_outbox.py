import pytest
from django.db import transaction

from notifications.models import OutboundEmail
from notifications.services import email_enqueue, emails_send_pending

pytestmark = pytest.mark.django_db


def test_an_enqueued_email_reaches_a_real_smtp_server_once(smtp_server):
    email_enqueue(to=["maria@example.com", "nadia@example.com"], subject="Case #1 escalated", text="Past its SLA.")
    assert emails_send_pending() == 1
    assert emails_send_pending() == 0
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["Subject"] == "Case #1 escalated"
    assert message["X-Envelope-To"] == "maria@example.com, nadia@example.com"
    assert OutboundEmail.objects.get().sent_at is not None


def test_an_email_of_a_rolled_back_change_is_never_sent(smtp_server):
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            email_enqueue(to=["maria@example.com"], subject="Would be a lie", text="...")
            raise RuntimeError("the change failed")
    assert emails_send_pending() == 0
    assert smtp_server.messages == []


def test_the_same_event_is_enqueued_once():
    assert email_enqueue(to=["a@example.com"], subject="S", text="T", dedupe_key="case-1-escalated") is not None
    assert email_enqueue(to=["a@example.com"], subject="S", text="T", dedupe_key="case-1-escalated") is None
    assert OutboundEmail.objects.count() == 1


def test_an_smtp_outage_keeps_the_email_and_it_goes_out_later(smtp_server, settings):
    email_enqueue(to=["maria@example.com"], subject="Waiting bend", text="A bend waits for you.")
    smtp_server.stop()
    assert emails_send_pending() == 0
    email = OutboundEmail.objects.get()
    assert email.sent_at is None and email.attempts == 1 and email.last_error
    smtp_server.start()
    OutboundEmail.objects.update(next_attempt_at=None)  # the backoff has passed
    assert emails_send_pending() == 1
    assert [m["Subject"] for m in smtp_server.messages] == ["Waiting bend"]


def test_nobody_to_send_to_enqueues_nothing():
    assert email_enqueue(to=["", None], subject="S", text="T") is None
    assert not OutboundEmail.objects.exists()
