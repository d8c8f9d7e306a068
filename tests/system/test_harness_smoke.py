"""The system-test harness itself: our own PostgreSQL and Redis come up, restart, and serve the app."""

import pytest
import requests

from tests.harness import Web, manage

pytestmark = pytest.mark.faults


def test_web_on_its_own_postgres_and_redis_answers_healthz_through_a_database_restart(own_postgres, own_redis):
    env = {"DATABASE_URL": own_postgres.url, "REDIS_URL": own_redis.url, "CELERY_BROKER_URL": own_redis.url}
    manage("migrate", "--noinput", env=env)
    web = Web(env).start()
    try:
        assert requests.get(web.url + "/healthz", timeout=5).status_code == 200
        own_postgres.restart_immediate()
        statuses = [requests.get(web.url + "/healthz", timeout=5).status_code for _ in range(3)]
        assert statuses[-1] == 200, statuses
        own_redis.stop()
        assert requests.get(web.url + "/healthz", timeout=10).status_code == 503
        own_redis.start()
        assert requests.get(web.url + "/healthz", timeout=10).status_code == 200
    finally:
        web.close()
