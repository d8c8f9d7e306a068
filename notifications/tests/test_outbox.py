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


@pytest.fixture
def greeting_renderer():
    """A renderer registered as an app registers its own (AppConfig.ready); it reads what it renders from its args."""
    from notifications.services import _RENDERERS, RenderedEmail, email_renderer_register

    calls = []

    def render(args):
        calls.append(args)
        if args.get("fail"):
            raise LookupError("not there yet")
        return RenderedEmail(subject=f"Hello\r\n{args['name']}", text=f"Dear {args['name']}", html="<p>Dear</p>",
                             headers={"List-Unsubscribe": "<https://example.com/u/1/>\n"})

    email_renderer_register("test.greeting", render)
    yield calls
    _RENDERERS.pop("test.greeting", None)


def test_a_mail_to_render_is_rendered_by_the_sender_kept_in_the_row_and_sent_once(smtp_server, greeting_renderer):
    from notifications.services import email_enqueue_to_render

    email = email_enqueue_to_render(to=["anne@example.nl"], render="test.greeting", args={"name": "Anne"}, dedupe_key="greet-1")
    assert email_enqueue_to_render(to=["anne@example.nl"], render="test.greeting", args={"name": "Anne"}, dedupe_key="greet-1") is None
    row = OutboundEmail.objects.get(pk=email.pk)
    assert (row.render, row.render_args, row.subject, row.text) == ("test.greeting", {"name": "Anne"}, "", "")
    assert greeting_renderer == [], "nothing is rendered by the caller"
    assert emails_send_pending() == 1 and emails_send_pending() == 0
    assert greeting_renderer == [{"name": "Anne"}]
    [message] = smtp_server.messages
    assert message["Subject"] == "Hello Anne" and message["List-Unsubscribe"] == "<https://example.com/u/1/>"
    row.refresh_from_db()
    assert (row.render, row.subject, row.text, row.html) == ("", "Hello Anne", "Dear Anne", "<p>Dear</p>")
    assert row.headers == {"List-Unsubscribe": "<https://example.com/u/1/>"} and row.sent_at is not None


def test_a_mail_that_cannot_be_rendered_yet_is_retried_and_one_rendered_is_not_rendered_again(smtp_server, greeting_renderer):
    from notifications.services import email_enqueue_to_render

    email_enqueue_to_render(to=["anne@example.nl"], render="test.greeting", args={"name": "Anne", "fail": True})
    assert emails_send_pending() == 0
    row = OutboundEmail.objects.get()
    assert row.attempts == 1 and "not there yet" in row.last_error and row.render == "test.greeting" and row.dead_at is None
    # Rendered, then the SMTP server is away: the retry sends the mail rendered the first time.
    OutboundEmail.objects.update(render_args={"name": "Anne"}, next_attempt_at=None)
    smtp_server.stop()
    assert emails_send_pending() == 0
    row.refresh_from_db()
    assert row.render == "" and row.subject == "Hello Anne" and row.attempts == 2
    smtp_server.start()
    OutboundEmail.objects.update(next_attempt_at=None)
    assert emails_send_pending() == 1
    assert len(greeting_renderer) == 2 and [m["Subject"] for m in smtp_server.messages] == ["Hello Anne"]


def test_a_mail_to_render_of_a_rolled_back_change_is_never_rendered_nor_sent(smtp_server, greeting_renderer):
    from notifications.services import email_enqueue_to_render

    with pytest.raises(RuntimeError), transaction.atomic():
        email_enqueue_to_render(to=["anne@example.nl"], render="test.greeting", args={"name": "Anne"})
        raise RuntimeError("the change failed")
    assert emails_send_pending() == 0
    assert greeting_renderer == [] and smtp_server.messages == []


def test_many_mails_at_once_share_one_kicking_thread_and_no_kick_is_left_unanswered():
    import threading
    import time

    from notifications import services

    with transaction.atomic():
        for i in range(50):
            email_enqueue(to=["maria@example.com"], subject=f"Case #{i} escalated", text="Past its SLA.")
    services._kick_sender()  # this process's thread exists from the first kick on
    before = threading.active_count()
    for _ in range(50):
        services._kick_sender()  # what 50 commits with a mail each ask for
    kickers = [t for t in threading.enumerate() if t.name == "outbox-kick"]
    assert len(kickers) == 1 and kickers[0].is_alive() and threading.active_count() == before
    deadline = time.monotonic() + 20
    while services._kicker["wanted"].is_set() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not services._kicker["wanted"].is_set(), "the kicks were answered by a publish"
