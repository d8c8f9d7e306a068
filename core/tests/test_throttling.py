import pytest
from django.core.cache import cache

from interactions.services import feedback_url, interaction_log
from interactions.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_customer_link_pages_are_rate_limited_per_address(client, frontline, team, monkeypatch):
    from core.throttling import PublicTokenThrottle

    monkeypatch.setattr(PublicTokenThrottle, "rate", "3/min", raising=False)  # PUBLIC_TOKEN_THROTTLE, made small
    try:
        url = feedback_url(interaction_log(actor=frontline, customer=CustomerFactory(team=team), channel="chat"))
        path = url[url.index("/feedback/"):]
        statuses = [client.get(path, REMOTE_ADDR="10.9.9.9").status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        assert client.get(path, REMOTE_ADDR="10.8.8.8").status_code == 200, "another address is not limited"
        assert client.get("/status/" + "0" * 32 + "/", REMOTE_ADDR="10.9.9.9").status_code == 429
    finally:
        cache.clear()


def test_throttles_fail_open_when_the_cache_is_down(api, frontline, monkeypatch):
    from django.core.cache.backends.redis import RedisCache

    from accounts.tests.factories import PASSWORD
    from core.throttling import LoginThrottle

    # A real Redis client aimed at a port where nothing listens: every cache call fails.
    monkeypatch.setattr(LoginThrottle, "cache", RedisCache("redis://127.0.0.1:1/0", {}))
    response = api.post("/api/auth/token/", {"username": "fiona", "password": PASSWORD}, format="json")
    assert response.status_code == 200 and "token" in response.json()
