"""Queuing a re-score while the broker is down is a 503 the client can retry, not a 500 (issue 19, finding 7)."""

import socket

import pytest

from cxportal.celery import app as celery_app


def _port_nobody_listens_on() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again on leaving: connections to it are refused


@pytest.fixture
def broker_down():
    """Point the app's producer at a Redis address where nothing listens (a real refused connection)."""
    old = celery_app.conf.broker_url

    def forget_pools():
        # The app caches its connection and producer pools, bound to the broker URL of first use;
        # kombu keeps one pool per URL, so the working broker's pool is found again afterwards.
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    forget_pools()
    celery_app.conf.broker_url = f"redis://127.0.0.1:{_port_nobody_listens_on()}/0"
    yield
    forget_pools()
    celery_app.conf.broker_url = old


@pytest.mark.django_db(transaction=True)  # autocommit, as in production: on_commit runs within the request
def test_rescore_while_the_broker_is_down_is_a_503_with_retry_after(api_as, manager, broker_down):
    client = api_as(manager)
    client.raise_request_exception = False
    response = client.post("/api/jobs/rescore/", {}, format="json")
    assert response.status_code == 503, response.content
    assert response["Retry-After"] == "5"
    assert "try again" in response.json()["detail"]
