"""One HTTP POST of a signed webhook, to the address the guard checked.

The standard library's http.client: it follows no redirect, and the connection goes to the resolved
address while the Host header and TLS (certificate and SNI) still name the host. Every socket step
has the timeout, the whole attempt a deadline of the same length, and at most
WEBHOOK_MAX_RESPONSE_BYTES of the answer is read.
"""

import http.client
import socket
import ssl
import time
from dataclasses import dataclass

from django.conf import settings

from .address_guard import AddressRefused, Target, url_resolve

EXCERPT_CHARS = 500
USER_AGENT = "CX-Portal-Webhooks/1"


@dataclass
class Outcome:
    status_code: int | None
    duration_ms: int
    excerpt: str = ""
    error: str = ""

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout, context=ssl.create_default_context())
        self._address = target.address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(*, url: str, body: bytes, headers: dict[str, str]) -> Outcome:
    """POST the body; never raises for anything the receiver or the network does."""
    started = time.monotonic()
    timeout = settings.WEBHOOK_TIMEOUT_SECONDS

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        target = url_resolve(url)  # again at every send: the name may point elsewhere now
    except AddressRefused as exc:
        return Outcome(None, took(), error=str(exc)[:300])
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(target, timeout)
    try:
        connection.request(
            "POST", target.path, body=body,
            headers={**headers, "Content-Type": "application/json", "User-Agent": USER_AGENT},
        )
        response = connection.getresponse()
        chunks, size = [], 0
        deadline = started + timeout
        while size < settings.WEBHOOK_MAX_RESPONSE_BYTES and time.monotonic() < deadline:
            chunk = response.read1(min(8192, settings.WEBHOOK_MAX_RESPONSE_BYTES - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        text = b"".join(chunks).decode("utf-8", "replace")
        return Outcome(response.status, took(), excerpt=text[:EXCERPT_CHARS])
    except TimeoutError:
        return Outcome(None, took(), error=f"No answer within {timeout:g} s.")
    except (OSError, http.client.HTTPException, ValueError) as exc:
        return Outcome(None, took(), error=f"{type(exc).__name__}: {exc}"[:300])
    finally:
        connection.close()
