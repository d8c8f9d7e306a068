"""Reading a mailbox over IMAP (the standard library's imaplib, always over TLS) into the inbox.

Unseen messages are read without marking them (BODY.PEEK), filed, and only then flagged \\Seen, so a
crash in between reads them again; the Message-ID check keeps that from importing twice. A message
larger than INBOX_MAX_MESSAGE_BYTES is read only up to that size (its body is cut anyway).
"""

import imaplib
import logging
import re
import ssl
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from django.conf import settings

from .services import inbox_receive

logger = logging.getLogger(__name__)
_UID = re.compile(rb"UID (\d+)")


@dataclass
class FetchOutcome:
    read: int = 0
    imported: int = 0
    skipped: int = 0  # already imported, or addressed to no team


class MailboxError(Exception):
    pass


def _mailbox(url: str) -> tuple[str, int, str, str, str]:
    parts = urlsplit(url)
    if parts.scheme != "imaps":
        raise MailboxError("The mailbox URL must be imaps://user:password@host[:port]/MAILBOX (IMAP over TLS).")
    if not (parts.hostname and parts.username and parts.password):
        raise MailboxError("The mailbox URL needs a host, a user name and a password.")
    folder = unquote(parts.path.lstrip("/")) or "INBOX"
    return parts.hostname, parts.port or 993, unquote(parts.username), unquote(parts.password), folder


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def mailbox_fetch(*, url: str, cafile: str | None = None, limit: int = 500) -> FetchOutcome:
    host, port, user, password, folder = _mailbox(url)
    context = ssl.create_default_context(cafile=cafile or None)
    outcome = FetchOutcome()
    try:
        connection = imaplib.IMAP4_SSL(host, port, ssl_context=context, timeout=settings.INBOX_IMAP_TIMEOUT_SECONDS)
    except (OSError, imaplib.IMAP4.error) as exc:
        raise MailboxError(f"Cannot reach {host}:{port}: {exc}") from exc
    try:
        connection.login(user, password)
        status, _ = connection.select(_quoted(folder))
        if status != "OK":
            raise MailboxError(f"No mailbox {folder}.")
        status, data = connection.uid("SEARCH", None, "UNSEEN")
        uids = (data[0] or b"").split()[:limit] if status == "OK" else []
        cap = settings.INBOX_MAX_MESSAGE_BYTES
        for uid in uids:
            status, data = connection.uid("FETCH", uid, f"(BODY.PEEK[]<0.{cap}>)")
            raw = next((part[1] for part in data if isinstance(part, tuple)), None) if status == "OK" else None
            if raw is None:
                continue
            outcome.read += 1
            stored = inbox_receive(raw=raw, source="imap")
            if stored:
                outcome.imported += 1
            else:
                outcome.skipped += 1
            connection.uid("STORE", uid, "+FLAGS", "(\\Seen)")
    except imaplib.IMAP4.error as exc:
        raise MailboxError(f"The IMAP server refused: {exc}") from exc
    finally:
        try:
            connection.logout()
        except (OSError, imaplib.IMAP4.error):
            pass
    return outcome
