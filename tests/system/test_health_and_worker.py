"""/healthz against a real broker that we start and stop, and a real Celery worker through Redis."""

import os
import shutil
import socket
import subprocess
import time

import pytest
from celery.contrib.testing.worker import start_worker

from cxportal.celery import app as celery_app


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def own_redis(tmp_path):
    """A Redis server of this test's own, so stopping it hurts no other test."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed; scripts/test installs it")
    port = _free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield proc, url
    proc.kill()
    proc.wait()


@pytest.fixture
def broker_url(own_redis):
    _, url = own_redis
    old = celery_app.conf.broker_url
    celery_app.conf.broker_url = url
    yield url
    celery_app.conf.broker_url = old


@pytest.mark.django_db
def test_healthz_is_200_when_database_and_broker_answer_and_503_when_the_broker_stops(client, own_redis, broker_url):
    proc, _ = own_redis
    response = client.get("/healthz")
    assert response.status_code == 200, response.content
    assert response.json() == {"status": "ok", "database": True, "broker": True, "outbox": {"waiting": 0, "dead": 0}}
    proc.terminate()
    proc.wait(timeout=10)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] is False and response.json()["database"] is True


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_a_task_through_redis(team):
    if not os.environ.get("REDIS_URL"):
        pytest.fail("REDIS_URL must point at the test Redis (scripts/test sets it)")
    from accounts.tasks import roundtrip

    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        result = roundtrip.delay(team.id)
        assert result.get(timeout=20) == "Team A"
