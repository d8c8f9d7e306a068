"""fetch_email against a real Dovecot IMAP server holding real messages: each imported right, exactly once."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from inbox.models import InboxItem, InboxMessage
from interactions.models import Customer, Interaction
from interactions.tests.factories import CustomerFactory

from .mails import TEAM_ADDRESS, mail

pytestmark = pytest.mark.django_db


@pytest.fixture
def team_inbox(team):
    team.inbox_address = TEAM_ADDRESS
    team.save()
    return team


def fetch() -> str:
    out = StringIO()
    call_command("fetch_email", stdout=out)
    return out.getvalue().strip()


def test_fetch_email_files_each_mail_right_and_exactly_once(mailbox, team_inbox, settings):
    settings.INBOX_MAX_BODY_CHARS = 20000
    anna = CustomerFactory(team=team_inbox, name="Anna de Vries", email="Anna@Example.com")
    mailbox.append(mail())  # a new sender
    mailbox.append(mail(sender="Anna <anna@example.com>", subject="Thanks", body="All good now.", message_id="<m2@example.com>"))
    mailbox.append(mail(subject="Re: Where is my order?", body="Still nothing.", message_id="<m3@example.org>",
                        in_reply_to="<m1@example.org>", references="<m1@example.org>"))
    mailbox.append(mail(sender="big@example.net", subject="Huge", body="x" * (5 * 1024 * 1024), message_id="<m4@example.net>"))
    mailbox.append(mail(sender="pics@example.net", subject="Photos", body="See attached.", message_id="<m5@example.net>",
                        attachments=[("invoice.pdf", "application/pdf", b"%PDF-1.4 " * 1000), ("photo.jpg", "image/jpeg", b"\xff\xd8" * 500)]))
    mailbox.append(mail(sender="Anna <anna@example.com>", subject="Thanks (again)", body="Same id, other text.", message_id="<m2@example.com>"))
    mailbox.append(mail(sender="html@example.net", subject="Styled", body=None, message_id="<m6@example.net>",
                        html="<html><head><style>p{color:red}</style><script>alert('x')</script></head>"
                             "<body><p>Dear team,</p><p>the <b>box</b> was broken &amp; wet.</p></body></html>"))
    mailbox.append(mail(sender="someone@example.net", to="sales@elsewhere.example", message_id="<m7@example.net>"))

    assert fetch() == "read 8, imported 6, skipped 2"
    assert mailbox.unseen() == 0

    assert InboxMessage.objects.count() == 6 and InboxItem.objects.count() == 5
    nina = Customer.objects.get(email="nina@example.org")
    assert nina.name == "Nina Nieuw" and nina.team == team_inbox
    thread = InboxItem.objects.get(customer=nina)
    assert [m.message_id for m in thread.messages.order_by("id")] == ["m1@example.org", "m3@example.org"]
    assert Customer.objects.filter(email__iexact="anna@example.com").count() == 1
    [annas] = InboxItem.objects.filter(customer=anna)
    assert [m.body for m in annas.messages.all()] == ["All good now."]  # the second mail with her Message-ID was not imported
    huge = InboxMessage.objects.get(message_id="m4@example.net")
    assert huge.body_truncated and len(huge.body) == 20000
    photos = InboxMessage.objects.get(message_id="m5@example.net")
    assert photos.attachment_count == 2 and [a["name"] for a in photos.attachments] == ["invoice.pdf", "photo.jpg"]
    assert photos.body == "See attached."
    styled = InboxMessage.objects.get(message_id="m6@example.net")
    assert styled.from_html and styled.body == "Dear team,\n\nthe box was broken & wet." and "alert" not in styled.body
    assert not Interaction.objects.exists()  # nothing is scored until someone ticks its facts

    mailbox.mark_all_unseen()  # a crash before the \Seen flags: everything is read again
    assert fetch() == "read 8, imported 0, skipped 8"
    assert InboxMessage.objects.count() == 6


def test_a_reply_to_an_assessed_conversation_starts_a_new_one_that_follows_it(mailbox, team_inbox, frontline):
    from inbox.services import inbox_assess

    mailbox.append(mail())
    fetch()
    first = InboxItem.objects.get()
    inbox_assess(actor=frontline, item=first, promise_kept=True)
    mailbox.append(mail(subject="Re: Where is my order?", message_id="<m9@example.org>", in_reply_to="<m1@example.org>"))
    fetch()
    reply = InboxItem.objects.exclude(pk=first.pk).get()
    assert reply.follows == first and reply.status == "waiting" and reply.customer == first.customer


def test_a_wrong_password_is_a_clear_error(mailbox, team_inbox, settings):
    settings.INBOX_IMAP_URL = mailbox.url.replace("inbox-test-password", "wrong")
    with pytest.raises(CommandError, match="refused"):
        fetch()


def test_plain_imap_is_refused(settings):
    settings.INBOX_IMAP_URL = "imap://user:pw@127.0.0.1:143/INBOX"
    with pytest.raises(CommandError, match="TLS"):
        fetch()
