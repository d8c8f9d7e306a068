"""One id per request, in every log line the request writes and in the Celery tasks it starts.

The id is the `X-Request-ID` the proxy sent (when it looks like an id: 1 to 64 letters, digits,
`-`, `_`, `.`), else a new random one; the response carries it back. A task published while a
request runs carries it in its headers and the worker's log lines for that task show it too.
"""

import logging
import re
import uuid
from contextvars import ContextVar

HEADER = "X-Request-ID"
_ACCEPTED = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_current: ContextVar[str] = ContextVar("request_id", default="")


def request_id() -> str:
    """The id of the request (or task) this code runs for; "" outside both."""
    return _current.get()


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get(HEADER, "")
        request.request_id = given if _ACCEPTED.match(given) else uuid.uuid4().hex
        token = _current.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response[HEADER] = request.request_id
        return response


class RequestIdFilter(logging.Filter):
    """Puts `request_id` on every record, so formatters (plain or JSON) can show it."""

    def filter(self, record):
        record.request_id = _current.get()
        return True


def task_published(headers=None, **kwargs):
    """Celery's before_task_publish: the task carries the request's id."""
    if headers is not None and _current.get():
        headers.setdefault("request_id", _current.get())


_task_tokens: dict[str, object] = {}


def task_starting(task_id=None, task=None, **kwargs):
    """Celery's task_prerun: the worker's log lines for this task carry the id it was published with."""
    given = getattr(task.request, "request_id", None) or (task.request.headers or {}).get("request_id") if task else None
    _task_tokens[task_id] = _current.set(given if isinstance(given, str) and _ACCEPTED.match(given) else "")


def task_finished(task_id=None, **kwargs):
    """Celery's task_postrun."""
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        _current.reset(token)
