"""What an operator watches: /metrics behind its token, request ids in logs and tasks, errors to Sentry."""

import gzip
import json
import logging
import os
import re
import subprocess
import sys
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.utils import timezone

from cxportal.metrics import celery_queue_lengths
from interactions.models import JobRun
from notifications.models import OutboundEmail
from interactions.tests.factories import CustomerFactory
from recovery.models import RecoveryCase
from recovery.tests.conftest import open_case
from tests.harness import OwnRedis

TOKEN = "metrics-token-for-tests-0123456789"


@pytest.fixture
def metrics_on(settings):
    settings.METRICS_TOKEN = TOKEN


def _metric(text: str, name: str, labels: str = "") -> float:
    match = re.search(rf"^{re.escape(name + labels)} (\S+)$", text, re.MULTILINE)
    assert match, f"{name}{labels} not in /metrics"
    return float(match.group(1))


def test_metrics_are_off_without_a_token(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404


def test_metrics_need_the_bearer_token(client, metrics_on):
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": TOKEN}).status_code == 401
    assert client.get("/metrics").headers["WWW-Authenticate"] == "Bearer"


def test_metrics_show_requests_queries_and_the_operations_figures(client, metrics_on, team, frontline):
    client.force_login(frontline)
    client.get("/")  # a request and its queries to count
    overdue = open_case(frontline, CustomerFactory(team=team))
    RecoveryCase.objects.filter(pk=overdue.pk).update(fix_due=timezone.now() - timedelta(hours=1))
    open_case(frontline, CustomerFactory(team=team))  # not due yet
    OutboundEmail.objects.all().delete()  # what the cases queued (customer links)
    OutboundEmail.objects.create(to=["a@example.com"], subject="s", text="b", dedupe_key="metrics-test")
    JobRun.objects.create(kind="rescore", mode="full", status=JobRun.Status.RUNNING, total=200, done=50, heartbeat_at=timezone.now())
    finished = timezone.now() - timedelta(minutes=5)
    JobRun.objects.create(kind="rescore", mode="incremental", status=JobRun.Status.SUCCEEDED, finished_at=finished, heartbeat_at=finished)

    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})

    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert _metric(text, "django_http_requests_total_by_method_total", '{method="GET"}') >= 1
    assert re.search(r'^django_db_execute_total\{alias="default",vendor="\w+"\} \d', text, re.MULTILINE)
    assert _metric(text, "cxportal_cases_past_due") == 1
    assert _metric(text, "cxportal_outbox_emails", '{state="waiting"}') == 1
    assert _metric(text, "cxportal_outbox_emails", '{state="dead"}') == 0
    assert _metric(text, "cxportal_rescore_progress_ratio") == 0.25
    assert _metric(text, "cxportal_rescore_last_success_timestamp_seconds") == pytest.approx(finished.timestamp())
    assert re.search(r'^cxportal_celery_queue_length\{queue="celery"\} \d', text, re.MULTILINE)


def test_queue_length_counts_the_tasks_waiting_in_redis():
    from cxportal.celery import app as celery_app

    redis = OwnRedis().start()
    try:
        assert celery_queue_lengths(redis.url) == {"celery": 0}
        with celery_app.connection_for_write(redis.url) as connection:
            for _ in range(3):
                celery_app.send_task("notifications.send_pending_emails", connection=connection)
        assert celery_queue_lengths(redis.url) == {"celery": 3}
    finally:
        redis.close()


def test_a_request_id_is_answered_and_written_in_the_log_lines(client, caplog):
    response = client.get("/healthz", headers={"X-Request-ID": "req-abc.123"})
    assert response["X-Request-ID"] == "req-abc.123"
    minted = client.get("/healthz", headers={"X-Request-ID": "not an id; drop table"})["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", minted)


def test_json_log_lines_carry_the_request_id_in_production_format():
    """A log line written during a request, formatted as production writes it."""
    from core.request_id import RequestIdFilter, _current
    from pythonjsonlogger.json import JsonFormatter

    from django.conf import settings

    config = settings.LOGGING["formatters"]["json"]
    formatter = JsonFormatter(config["fmt"], rename_fields=config["rename_fields"])
    record = logging.LogRecord("cxportal.test", logging.WARNING, __file__, 1, "case %s is late", (7,), None)
    token = _current.set("req-42")
    try:
        RequestIdFilter().filter(record)
    finally:
        _current.reset(token)
    line = json.loads(formatter.format(record))
    assert line["message"] == "case 7 is late" and line["level"] == "WARNING"
    assert line["request_id"] == "req-42" and line["logger"] == "cxportal.test" and "time" in line


@pytest.mark.worker
def test_a_task_started_by_a_request_logs_the_requests_id_in_the_workers_json_lines(transactional_db):
    """The id travels in the task's headers: a real worker process, logging as production does
    (JSON lines), writes it on its line for the task."""
    from django.db import connection

    from core.request_id import _current
    from cxportal.celery import app as celery_app
    from tests.harness import Worker

    redis = OwnRedis().start()
    s = connection.settings_dict
    env = {
        "DATABASE_URL": f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"
        if connection.vendor == "postgresql" else f"sqlite:///{s['NAME']}",
        "REDIS_URL": redis.url,
        "CELERY_BROKER_URL": redis.url,
        "LOG_FORMAT": "json",
    }
    worker = Worker(env, name="ids")
    try:
        worker.start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and "ready" not in worker.output():
            time.sleep(0.2)
        token = _current.set("req-from-the-web-7")
        try:
            with celery_app.connection_for_write(redis.url) as broker:
                task_id = celery_app.send_task("notifications.send_pending_emails", connection=broker).id
        finally:
            _current.reset(token)
        while time.monotonic() < deadline and not _task_lines(worker.output(), task_id, "succeeded"):
            time.sleep(0.2)
        lines = _task_lines(worker.output(), task_id, "succeeded")
    finally:
        worker.close()
        redis.close()
    assert lines and lines[0]["request_id"] == "req-from-the-web-7" and lines[0]["level"] == "INFO"
    worker.remove_log()


def _task_lines(output: str, task_id: str, word: str) -> list[dict]:
    found = []
    for line in output.splitlines():
        if task_id in line and word in line and line.startswith("{"):
            found.append(json.loads(line))
    return found


class _SentryIntake(BaseHTTPRequestHandler):
    """A stand-in for Sentry's ingest endpoint: keeps every envelope it receives."""

    envelopes: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        elif self.headers.get("Content-Encoding") == "br":
            import brotli

            body = brotli.decompress(body)
        self.envelopes.append([json.loads(line) for line in body.splitlines() if line.strip().startswith(b"{")])
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def test_errors_reach_sentry_without_personal_data_when_a_dsn_is_set(tmp_path):
    server = HTTPServer(("127.0.0.1", 0), _SentryIntake)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    script = (
        "import django, logging, sentry_sdk; django.setup(); "
        "from django.test import Client; "
        "logging.getLogger('cxportal.ops').error('the outbox is stuck for %s', 'anna@example.com'); "
        "Client().get('/healthz', REMOTE_ADDR='203.0.113.9'); "
        "sentry_sdk.flush(timeout=10)"
    )
    env = {**os.environ, "SENTRY_DSN": f"http://publickey@127.0.0.1:{server.server_port}/1", "SENTRY_ENVIRONMENT": "test"}
    try:
        done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    finally:
        server.shutdown()
    events = [item for envelope in _SentryIntake.envelopes for item in envelope if item.get("logentry") or item.get("message")]
    assert events, _SentryIntake.envelopes
    event = events[0]
    assert event["environment"] == "test" and event["level"] == "error"
    assert "the outbox is stuck" in json.dumps(event)
    assert "user" not in event or not event["user"].get("ip_address")
