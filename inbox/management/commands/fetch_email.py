from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from inbox.imap import MailboxError, mailbox_fetch


class Command(BaseCommand):
    help = (
        "Read the unseen mail of an IMAP mailbox (over TLS) into the teams' inboxes: each message goes to the team "
        "whose inbox address it was sent to. Safe to run again: a Message-ID is imported once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--url", default="", help="imaps://user:password@host[:port]/MAILBOX (default: INBOX_IMAP_URL)")
        parser.add_argument("--limit", type=int, default=500, help="at most this many messages per run")

    def handle(self, *args, url, limit, **options):
        url = url or settings.INBOX_IMAP_URL
        if not url:
            raise CommandError("No mailbox: set INBOX_IMAP_URL or pass --url.")
        try:
            outcome = mailbox_fetch(url=url, cafile=settings.INBOX_IMAP_CAFILE, limit=limit)
        except MailboxError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"read {outcome.read}, imported {outcome.imported}, skipped {outcome.skipped}")
