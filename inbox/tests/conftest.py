import imaplib
import os
import ssl
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest


class Mailbox:
    """A folder of its own on the test Dovecot server, filled over IMAP (APPEND) like any mail client."""

    def __init__(self, url: str, cafile: str):
        parts = urlsplit(url)
        self.folder = f"test-{uuid.uuid4().hex[:12]}"
        self.url = urlunsplit(parts._replace(path=f"/{self.folder}"))
        self.imap = imaplib.IMAP4_SSL(parts.hostname, parts.port, ssl_context=ssl.create_default_context(cafile=cafile))
        self.imap.login(parts.username, parts.password)
        self.imap.create(self.folder)

    def append(self, message) -> None:
        raw = message if isinstance(message, bytes) else message.as_bytes()
        status, _ = self.imap.append(self.folder, None, None, raw)
        assert status == "OK"

    def mark_all_unseen(self) -> None:
        self.imap.select(self.folder)
        self.imap.store("1:*", "-FLAGS", "(\\Seen)")

    def unseen(self) -> int:
        self.imap.select(self.folder)
        status, data = self.imap.search(None, "UNSEEN")
        return len(data[0].split())

    def close(self) -> None:
        try:
            self.imap.select("INBOX")
            self.imap.delete(self.folder)
            self.imap.logout()
        except (OSError, imaplib.IMAP4.error):
            pass


@pytest.fixture
def mailbox(settings):
    """A real IMAP mailbox (Dovecot, over TLS) that `scripts/test` started; fetch_email reads its folder."""
    url, cafile = os.environ.get("CX_TEST_IMAP_URL"), os.environ.get("CX_TEST_IMAP_CAFILE")
    if not url:
        pytest.fail("CX_TEST_IMAP_URL must point at the test Dovecot server (scripts/test starts it)")
    settings.INBOX_IMAP_CAFILE = cafile
    box = Mailbox(url, cafile)
    settings.INBOX_IMAP_URL = box.url
    yield box
    box.close()
