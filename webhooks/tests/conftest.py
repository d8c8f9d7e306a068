import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class Receiver:
    """A real HTTP server on 127.0.0.1 that records every POST. `answers[path]` is the list of status
    codes to give in turn (then 200); a path in `held` waits until `release` is set before answering."""

    def __init__(self):
        self.requests: list[dict] = []
        self.answers: dict[str, list[int]] = {}
        self.held: set[str] = set()
        self.release = threading.Event()
        self.arrived = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.arrived:
                    receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                    receiver.arrived.notify_all()
                if self.path in receiver.held:
                    receiver.release.wait(30)
                queue = receiver.answers.get(self.path) or []
                code = queue.pop(0) if queue else 200
                try:
                    self.send_response(code)
                    self.send_header("Content-Type", "text/plain")
                    self.end_headers()
                    self.wfile.write(f"answer {code} to {self.path}".encode())
                except OSError:
                    pass  # the sender gave up waiting

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def wait_for(self, count: int, timeout: float = 30, path: str | None = None) -> list[dict]:
        """The requests once `count` have arrived (at `path`, when given), or what came within `timeout`."""

        def matching():
            return [r for r in self.requests if path is None or r["path"] == path]

        with self.arrived:
            self.arrived.wait_for(lambda: len(matching()) >= count, timeout)
            return matching()


@pytest.fixture
def receiver(settings):
    """The receiver, with private addresses allowed for this test (it listens on loopback)."""
    settings.WEBHOOK_ALLOW_PRIVATE = True
    r = Receiver()
    r.thread.start()
    yield r
    r.release.set()
    r.server.shutdown()
    r.server.server_close()
