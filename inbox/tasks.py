import logging

from celery import shared_task
from django.conf import settings

from .imap import MailboxError, mailbox_fetch

logger = logging.getLogger(__name__)


@shared_task(name="inbox.fetch_email", acks_late=True, ignore_result=True)
def fetch_email() -> int:
    """The scheduled `fetch_email`: does nothing unless INBOX_IMAP_URL names a mailbox."""
    if not settings.INBOX_IMAP_URL:
        return 0
    try:
        return mailbox_fetch(url=settings.INBOX_IMAP_URL, cafile=settings.INBOX_IMAP_CAFILE).imported
    except MailboxError as exc:
        logger.warning("inbox: fetching mail failed: %s", exc)
        return 0
